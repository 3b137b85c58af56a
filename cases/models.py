"""The case database: what was seen, what it means, and what officers did about it.

Models know nothing of sessions, the CLI or the crawl; `cases.store` writes them,
`cases.workflow` moves cases through their states, `cases.queries` reads them.

Every timestamp is timezone-aware in Python and stored as UTC: PostgreSQL keeps a
`timestamptz`, SQLite (which has no time zones) a naive UTC value that
`UtcDateTime` turns back into an aware one on the way out.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

# Stable constraint names: Alembic batch mode on SQLite can only alter or drop a
# constraint it can name, and the names must match between both backends.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Case states. Open states move along the chain; dismissed and removed end a case.
STATUS_NEW = "new"
STATUS_TRIAGED = "triaged"
STATUS_CONFIRMED = "confirmed"
STATUS_NOTICE_SENT = "notice_sent"
STATUS_REMOVED = "removed"
STATUS_DISMISSED = "dismissed"
STATUS_ESCALATED = "escalated"
CASE_STATUSES = (
    STATUS_NEW,
    STATUS_TRIAGED,
    STATUS_CONFIRMED,
    STATUS_NOTICE_SENT,
    STATUS_REMOVED,
    STATUS_DISMISSED,
    STATUS_ESCALATED,
)
# States in which a new sighting joins the case instead of opening another one.
# An escalated case (立案) is still live: the investigation wants every new sighting.
ACTIVE_STATUSES = (STATUS_NEW, STATUS_TRIAGED, STATUS_CONFIRMED, STATUS_NOTICE_SENT, STATUS_ESCALATED)
CLOSED_STATUSES = (STATUS_REMOVED, STATUS_DISMISSED)

SHORT = 64
NAME = 255
URL = 2048
SHA256_HEX = 64


class UtcDateTime(TypeDecorator[datetime]):
    """An aware datetime stored as UTC; naive values are refused rather than guessed."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} would be stored without its time zone")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        datetime: UtcDateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


class Platform(Base):
    __tablename__ = "platforms"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(SHORT), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    sellers: Mapped[list[Seller]] = relationship(back_populates="platform")


class Seller(Base):
    """A shop on one platform. `shop_key` is the platform's shop id, else `name:<normalised name>`."""

    __tablename__ = "sellers"
    __table_args__ = (UniqueConstraint("platform_id", "shop_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id"), index=True)
    shop_key: Mapped[str] = mapped_column(String(NAME))
    shop_id: Mapped[str | None] = mapped_column(String(NAME))
    name: Mapped[str | None] = mapped_column(String(NAME))
    company: Mapped[str | None] = mapped_column(String(NAME))
    location: Mapped[str | None] = mapped_column(String(NAME))
    shop_url: Mapped[str | None] = mapped_column(String(URL))
    name_key: Mapped[str | None] = mapped_column(String(NAME), index=True)
    company_key: Mapped[str | None] = mapped_column(String(NAME), index=True)
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]

    platform: Mapped[Platform] = relationship(back_populates="sellers")
    listings: Mapped[list[Listing]] = relationship(back_populates="seller")
    cases: Mapped[list[Case]] = relationship(back_populates="seller")


class SellerLink(Base):
    """Two shops, usually on different platforms, judged to be one operator, and why."""

    __tablename__ = "seller_links"
    __table_args__ = (
        UniqueConstraint("seller_id", "other_seller_id"),
        CheckConstraint("seller_id < other_seller_id", name="ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id"), index=True)
    other_seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id"), index=True)
    basis: Mapped[str] = mapped_column(String(SHORT))  # "company" or "shop_name"
    matched: Mapped[str] = mapped_column(String(NAME))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Listing(Base):
    """A product page, identified by (platform, listing_id) as in the listing record."""

    __tablename__ = "listings"
    __table_args__ = (UniqueConstraint("platform_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(NAME))
    seller_id: Mapped[int | None] = mapped_column(ForeignKey("sellers.id"), index=True)
    url: Mapped[str] = mapped_column(String(URL))
    title: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(SHA256_HEX))
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]

    platform: Mapped[Platform] = relationship()
    seller: Mapped[Seller | None] = relationship(back_populates="listings")
    sightings: Mapped[list[Sighting]] = relationship(back_populates="listing", order_by="Sighting.id")


class Sighting(Base):
    """One version of a listing's content: seen first at `first_seen_at`, unchanged until `last_seen_at`."""

    __tablename__ = "sightings"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    content_hash: Mapped[str] = mapped_column(String(SHA256_HEX), index=True)
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    times_seen: Mapped[int] = mapped_column(Integer, default=1)
    record: Mapped[dict[str, Any]]

    listing: Mapped[Listing] = relationship(back_populates="sightings")


class Finding(Base):
    """What the matchers concluded about one sighting (CONTRACT.md §3, kept verbatim in `record`)."""

    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    sighting_id: Mapped[int] = mapped_column(ForeignKey("sightings.id"), index=True)
    finding_hash: Mapped[str] = mapped_column(String(SHA256_HEX))
    risk: Mapped[float] = mapped_column(Float)
    licensee_id: Mapped[str | None] = mapped_column(String(SHORT))
    found_at: Mapped[datetime]
    last_found_at: Mapped[datetime]
    record: Mapped[dict[str, Any]]

    sighting: Mapped[Sighting] = relationship()
    listing: Mapped[Listing] = relationship()
    violations: Mapped[list[Violation]] = relationship(back_populates="finding", order_by="Violation.id")


class Violation(Base):
    """One violation of a finding; `case_id` is empty when an allow-list entry suppressed it."""

    __tablename__ = "violations"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    allow_entry_id: Mapped[int | None] = mapped_column(ForeignKey("allow_list.id"), index=True)
    code: Mapped[str] = mapped_column(String(SHORT), index=True)
    mark: Mapped[str] = mapped_column(String(SHORT))
    score: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]]

    finding: Mapped[Finding] = relationship(back_populates="violations")
    case: Mapped[Case | None] = relationship(back_populates="violations")


class Case(Base):
    """One infringement by one seller: (seller, mark, violation code), over all its listings.

    `open_key` is set while the case is active and cleared when it closes; its
    unique constraint is what guarantees one live case per (seller, mark, code)
    even when two writers race.
    """

    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint(
            "status IN ('new', 'triaged', 'confirmed', 'notice_sent', 'removed', 'dismissed', 'escalated')",
            name="status",
        ),
        Index("ix_cases_seller_mark_code", "seller_id", "mark", "code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id"), index=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id"), index=True)
    mark: Mapped[str] = mapped_column(String(SHORT))
    code: Mapped[str] = mapped_column(String(SHORT), index=True)
    status: Mapped[str] = mapped_column(String(16), default=STATUS_NEW, index=True)
    open_key: Mapped[str | None] = mapped_column(String(NAME), unique=True)
    risk: Mapped[float] = mapped_column(Float, default=0.0)
    assignee: Mapped[str | None] = mapped_column(String(NAME))
    opened_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    status_reason: Mapped[str | None] = mapped_column(Text)
    relisting_of_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)

    seller: Mapped[Seller] = relationship(back_populates="cases")
    platform: Mapped[Platform] = relationship()
    relisting_of: Mapped[Case | None] = relationship(remote_side=[id])
    violations: Mapped[list[Violation]] = relationship(back_populates="case")
    listings: Mapped[list[CaseListing]] = relationship(
        back_populates="case", order_by="CaseListing.listing_id"
    )
    events: Mapped[list[CaseEvent]] = relationship(back_populates="case", order_by="CaseEvent.id")
    captures: Mapped[list[EvidenceCapture]] = relationship(
        back_populates="case", order_by="EvidenceCapture.id"
    )

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class CaseListing(Base):
    """A listing that belongs to a case, and when it was seen while the case was live."""

    __tablename__ = "case_listings"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), primary_key=True, index=True)
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    times_seen: Mapped[int] = mapped_column(Integer, default=1)

    case: Mapped[Case] = relationship(back_populates="listings")
    listing: Mapped[Listing] = relationship()


class CaseEvent(Base):
    """The audit trail: who did what to a case, when, from which state to which."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(NAME))
    kind: Mapped[str] = mapped_column(String(32))  # opened, status, note, assign, relisting, evidence
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship(back_populates="events")


class EvidenceCapture(Base):
    """One capture of a listing page for a case: a directory of files under a manifest."""

    __tablename__ = "evidence_captures"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    listing_id: Mapped[int | None] = mapped_column(ForeignKey("listings.id"), index=True)
    captured_at: Mapped[datetime]
    directory: Mapped[str] = mapped_column(String(URL))
    url: Mapped[str] = mapped_column(String(URL))
    final_url: Mapped[str | None] = mapped_column(String(URL))
    http_status: Mapped[int | None] = mapped_column(Integer)
    manifest_sha256: Mapped[str] = mapped_column(String(SHA256_HEX))
    complete: Mapped[bool] = mapped_column(Boolean, default=True)
    problems: Mapped[list[Any]] = mapped_column(default=list)

    case: Mapped[Case | None] = relationship(back_populates="captures")
    files: Mapped[list[EvidenceFile]] = relationship(back_populates="capture", order_by="EvidenceFile.name")


class EvidenceFile(Base):
    __tablename__ = "evidence_files"
    __table_args__ = (UniqueConstraint("capture_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    capture_id: Mapped[int] = mapped_column(ForeignKey("evidence_captures.id"), index=True)
    name: Mapped[str] = mapped_column(String(NAME))
    sha256: Mapped[str] = mapped_column(String(SHA256_HEX))
    size: Mapped[int] = mapped_column(BigInteger)

    capture: Mapped[EvidenceCapture] = relationship(back_populates="files")


class Licensee(Base):
    """The current state of one licence-register row (licensees.csv)."""

    __tablename__ = "licensees"

    id: Mapped[int] = mapped_column(primary_key=True)
    licensee_id: Mapped[str] = mapped_column(String(SHORT), unique=True)
    name: Mapped[str] = mapped_column(String(NAME))
    uscc: Mapped[str] = mapped_column(String(18))
    status: Mapped[str] = mapped_column(String(16))
    marks: Mapped[list[Any]]
    goods: Mapped[list[Any]]
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    exit_date: Mapped[date | None] = mapped_column(Date)
    disposal_deadline: Mapped[date | None] = mapped_column(Date)
    shops: Mapped[list[Any]]
    in_register: Mapped[bool] = mapped_column(Boolean, default=True)
    imported_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    history: Mapped[list[LicenseeChange]] = relationship(
        back_populates="licensee", order_by="LicenseeChange.id"
    )


class LicenseeChange(Base):
    """One import that changed a licensee: the fields before and after."""

    __tablename__ = "licensee_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    licensee_pk: Mapped[int] = mapped_column(ForeignKey("licensees.id"), index=True)
    at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(URL))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    licensee: Mapped[Licensee] = relationship(back_populates="history")


class AllowListEntry(Base):
    """A (listing, mark, code) an officer judged a false flag; the store does not flag it again.

    Entries are revoked rather than deleted: the violations they suppressed keep pointing at them.
    """

    __tablename__ = "allow_list"
    __table_args__ = (UniqueConstraint("listing_id", "mark", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    mark: Mapped[str] = mapped_column(String(SHORT))
    code: Mapped[str] = mapped_column(String(SHORT))
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(NAME))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    revoked_by: Mapped[str | None] = mapped_column(String(NAME))
    revoked_reason: Mapped[str | None] = mapped_column(Text)

    listing: Mapped[Listing] = relationship()

    @property
    def active(self) -> bool:
        return self.revoked_at is None
