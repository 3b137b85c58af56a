"""Recording crawl results: listings, their sightings and findings, and the cases they open.

    recorder = CaseRecorder(session_factory(url))
    for listing, finding in results:
        recorder.add(listing, finding)      # buffered; one transaction per batch
    summary = recorder.close()

`record_batch` does the work inside one caller-owned transaction, so a batch is
stored completely or not at all: a crawl killed mid-batch loses only that batch,
never half a case, and the next run picks up where the last commit left off.

Rules (issue 5):
- a listing is identified by (platform, listing_id); seen again with the same
  content it updates last-seen, with new content it adds a sighting;
- a violation opens a case for (seller, mark, code) or joins the active one;
- a listing or seller that comes back after its case was closed as `removed`
  opens a new case linked to the old one (`relisting_of`);
- a (listing, mark, code) on the allow-list (a dismissed false flag) opens nothing;
- shops on different platforms whose normalised company or shop names match
  are linked (`seller_links`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, tuple_
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from cases.models import (
    NAME,
    SHORT,
    STATUS_NEW,
    STATUS_REMOVED,
    URL,
    AllowListEntry,
    Case,
    CaseEvent,
    CaseListing,
    Finding,
    Listing,
    Platform,
    Seller,
    SellerLink,
    Sighting,
    Violation,
    utcnow,
)
from matchers.normalise import normalise_text
from matchers.records import Finding as FindingRecord
from matchers.records import Listing as ListingRecord
from matchers.records import Violation as ViolationRecord

log = logging.getLogger(__name__)

SYSTEM_ACTOR = "haopin"
DEFAULT_BATCH_SIZE = 200
MAX_BATCH_SIZE = 2000
# Shop names shorter than this after normalising ("水果店" → "水果") are too generic to link shops by.
MIN_LINKABLE_NAME = 4
_SHOP_SUFFIXES = re.compile(r"(官方旗舰店|旗舰店|专营店|专卖店|企业店|个人店|直营店|小店|店铺|店)$")


def content_hash(listing: ListingRecord) -> str:
    """SHA-256 of the listing record without its capture time: equal when the page says the same."""
    record = listing.to_record()
    record.pop("captured_at", None)
    return _json_sha256(record)


def finding_hash(finding: FindingRecord) -> str:
    return _json_sha256(finding.to_record())


def _json_sha256(value: Any) -> str:
    encoded = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def name_key(name: str | None, *, shop: bool = False) -> str | None:
    """A shop or company name reduced to what identifies it: width, case, spaces, punctuation and
    traditional characters folded; for shop names the generic '…旗舰店/专营店/店' ending dropped."""
    if not name:
        return None
    text = normalise_text(name)
    if shop:
        text = _SHOP_SUFFIXES.sub("", text)
        if len(text) < MIN_LINKABLE_NAME:
            return None
    # Folding can lengthen text (㍿ → 株式会社); keys must still fit their column.
    return text[:NAME] or None


def _fit(value: str | None, limit: int) -> str | None:
    return value[:limit] if value is not None else None


def open_key(seller_id: int, mark: str, code: str) -> str:
    return f"{seller_id}|{mark}|{code}"


@dataclass
class BatchSummary:
    """What one or more batches did; `opened_case_ids` are the cases that may want evidence captured."""

    listings: int = 0
    new_listings: int = 0
    new_sightings: int = 0
    new_findings: int = 0
    violations: int = 0
    suppressed: int = 0
    opened_case_ids: list[int] = field(default_factory=list)
    joined_case_ids: set[int] = field(default_factory=set)
    relisting_case_ids: list[int] = field(default_factory=list)
    seller_links: int = 0
    rejected: list[str] = field(default_factory=list)

    def merge(self, other: BatchSummary) -> None:
        for name in (
            "listings",
            "new_listings",
            "new_sightings",
            "new_findings",
            "violations",
            "suppressed",
            "seller_links",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.opened_case_ids.extend(other.opened_case_ids)
        self.joined_case_ids |= other.joined_case_ids
        self.relisting_case_ids.extend(other.relisting_case_ids)
        self.rejected.extend(other.rejected)


def record_batch(
    session: Session,
    pairs: Iterable[tuple[ListingRecord, FindingRecord]],
    *,
    actor: str = SYSTEM_ACTOR,
) -> BatchSummary:
    """Store a batch of (listing, finding) pairs in the caller's transaction."""
    return _BatchWriter(session, actor).run(list(pairs))


class _BatchWriter:
    """One batch: prefetches what the batch touches, then applies the rules pair by pair."""

    def __init__(self, session: Session, actor: str):
        self.session = session
        self.actor = actor
        self.now = utcnow()
        self.summary = BatchSummary()
        self.platforms: dict[str, Platform] = {}
        self.sellers: dict[tuple[int, str], Seller] = {}
        self.listings: dict[tuple[int, str], Listing] = {}
        self.latest_sighting: dict[int, Sighting] = {}
        self.latest_finding: dict[int, Finding] = {}
        self.open_cases: dict[str, Case] = {}
        self.case_listings: dict[tuple[int, int], CaseListing] = {}
        self.allowed: dict[tuple[int, str, str], AllowListEntry] = {}
        self.sellers_to_link: set[int] = set()
        self.links: dict[int, set[int]] = {}
        self.removed_by_listing: dict[int, Case] = {}
        self.removed_by_seller: dict[tuple[int, str], Case] = {}
        # Cases opened in this batch, keyed by object identity: they have no id until the flush.
        self.fresh_cases: dict[int, Case] = {}
        self.relistings: list[Case] = []
        self.joined: set[int] = set()
        self.listing_counts: dict[int, int] = {}

    def run(self, pairs: list[tuple[ListingRecord, FindingRecord]]) -> BatchSummary:
        pairs = [pair for pair in pairs if self._acceptable(*pair)]
        if not pairs:
            return self.summary
        self._load_platforms({listing.platform for listing, _ in pairs})
        self._upsert_sellers(pairs)
        # Linked first, so a removed shop reappearing on another platform in this very batch is a relisting.
        self._link_sellers()
        self._upsert_listings(pairs)
        self._prefetch_history()
        for listing, finding in pairs:
            self._record(listing, finding)
        self.session.flush()
        self.summary.opened_case_ids = [case.id for case in self.fresh_cases.values()]
        self.summary.relisting_case_ids = [case.id for case in self.relistings]
        self.summary.joined_case_ids = {
            case.id for case in self.open_cases.values() if id(case) in self.joined
        }
        return self.summary

    def _acceptable(self, listing: ListingRecord, finding: FindingRecord) -> bool:
        """Refuse, by name, what the database could not store, so one bad record cannot sink its batch."""
        label = f"{listing.platform[:SHORT]}:{listing.listing_id[:NAME]}"
        if listing.key != (finding.platform, finding.listing_id):
            self.summary.rejected.append(
                f"finding for {finding.platform}:{finding.listing_id} paired with listing {label}: skipped"
            )
            return False
        identity = (
            ("platform", listing.platform, SHORT),
            ("listing_id", listing.listing_id, NAME),
            ("url", listing.url, URL),
            ("seller.id", listing.seller.id if listing.seller else None, NAME),
            ("licensee_id", finding.licensee_id, SHORT),
            *((f"violations[{i}].mark", v.mark, SHORT) for i, v in enumerate(finding.violations)),
        )
        for field_name, value, limit in identity:
            if value is not None and len(value) > limit:
                self.summary.rejected.append(
                    f"{label}: {field_name} is {len(value)} characters long (at most {limit}): skipped"
                )
                return False
        return True

    # -- entities --------------------------------------------------------------------------------

    def _load_platforms(self, slugs: set[str]) -> None:
        for platform in self.session.scalars(select(Platform).where(Platform.slug.in_(slugs))):
            self.platforms[platform.slug] = platform
        for slug in sorted(slugs - set(self.platforms)):
            platform = Platform(slug=slug, created_at=self.now)
            self.session.add(platform)
            self.platforms[slug] = platform
        self.session.flush()

    @staticmethod
    def _shop_key(listing: ListingRecord) -> str:
        seller = listing.seller
        if seller is not None and seller.id:
            return seller.id
        if seller is not None and seller.name:
            return f"name:{name_key(seller.name) or seller.name}"[:NAME]
        # No seller on the page: the listing stands for its unknown seller.
        return f"listing:{listing.listing_id}"[:NAME]

    def _upsert_sellers(self, pairs: Sequence[tuple[ListingRecord, FindingRecord]]) -> None:
        wanted = {(self.platforms[listing.platform].id, self._shop_key(listing)) for listing, _ in pairs}
        for seller in self.session.scalars(
            select(Seller).where(tuple_(Seller.platform_id, Seller.shop_key).in_(sorted(wanted)))
        ):
            self.sellers[(seller.platform_id, seller.shop_key)] = seller
        for listing, _ in pairs:
            platform_id = self.platforms[listing.platform].id
            key = (platform_id, self._shop_key(listing))
            seen_at = listing.captured_datetime
            data = listing.seller
            seller = self.sellers.get(key)
            if seller is None:
                seller = Seller(
                    platform_id=platform_id,
                    shop_key=key[1],
                    first_seen_at=seen_at,
                    last_seen_at=seen_at,
                )
                self.session.add(seller)
                self.sellers[key] = seller
                self._update_seller(seller, data)
            else:
                seller.first_seen_at = min(seller.first_seen_at, seen_at)
                if seen_at >= seller.last_seen_at:
                    seller.last_seen_at = seen_at
                    self._update_seller(seller, data)
        self.session.flush()

    def _update_seller(self, seller: Seller, data) -> None:
        if data is None:
            return
        keys_before = (seller.name_key, seller.company_key)
        # Display fields are cut to their column rather than refused: the listing still counts.
        seller.shop_id = data.id or seller.shop_id
        seller.name = _fit(data.name, NAME) or seller.name
        seller.company = _fit(data.company, NAME) or seller.company
        seller.location = _fit(data.location, NAME) or seller.location
        seller.shop_url = _fit(data.shop_url, URL) or seller.shop_url
        seller.name_key = name_key(seller.name, shop=True)
        seller.company_key = name_key(seller.company)
        if seller.id is None or (seller.name_key, seller.company_key) != keys_before:
            self.sellers_to_link.add(id(seller))

    def _upsert_listings(self, pairs: Sequence[tuple[ListingRecord, FindingRecord]]) -> None:
        wanted = {(self.platforms[listing.platform].id, listing.listing_id) for listing, _ in pairs}
        for row in self.session.scalars(
            select(Listing).where(tuple_(Listing.platform_id, Listing.external_id).in_(sorted(wanted)))
        ):
            self.listings[(row.platform_id, row.external_id)] = row
        for listing, _ in pairs:
            platform_id = self.platforms[listing.platform].id
            seen_at = listing.captured_datetime
            seller = self.sellers[(platform_id, self._shop_key(listing))]
            row = self.listings.get((platform_id, listing.listing_id))
            if row is None:
                row = Listing(
                    platform_id=platform_id,
                    external_id=listing.listing_id,
                    seller_id=seller.id,
                    url=listing.url,
                    title=listing.title,
                    content_hash=content_hash(listing),
                    first_seen_at=seen_at,
                    last_seen_at=seen_at,
                )
                self.session.add(row)
                self.listings[(platform_id, listing.listing_id)] = row
                self.summary.new_listings += 1
            else:
                row.first_seen_at = min(row.first_seen_at, seen_at)
                if seen_at >= row.last_seen_at:
                    row.last_seen_at = seen_at
                    row.url, row.title, row.seller_id = listing.url, listing.title, seller.id
                    row.content_hash = content_hash(listing)
        self.session.flush()

    def _prefetch_history(self) -> None:
        listing_ids = [row.id for row in self.listings.values()]
        latest_ids = (
            select(func.max(Sighting.id))
            .where(Sighting.listing_id.in_(listing_ids))
            .group_by(Sighting.listing_id)
        )
        for sighting in self.session.scalars(select(Sighting).where(Sighting.id.in_(latest_ids))):
            self.latest_sighting[sighting.listing_id] = sighting
        by_sighting_id = {sighting.id: sighting for sighting in self.latest_sighting.values()}
        latest_findings = (
            select(func.max(Finding.id))
            .where(Finding.sighting_id.in_(list(by_sighting_id)))
            .group_by(Finding.sighting_id)
        )
        for finding in self.session.scalars(
            select(Finding)
            .where(Finding.id.in_(latest_findings))
            .options(selectinload(Finding.violations).selectinload(Violation.case))
        ):
            self.latest_finding[id(by_sighting_id[finding.sighting_id])] = finding

        seller_ids = {seller.id for seller in self.sellers.values()}
        for case in self.session.scalars(
            select(Case).where(Case.seller_id.in_(seller_ids), Case.open_key.is_not(None))
        ):
            self.open_cases[case.open_key] = case
        open_by_id = {case.id: case for case in self.open_cases.values()}
        for link in self.session.scalars(
            select(CaseListing).where(
                CaseListing.case_id.in_(list(open_by_id)), CaseListing.listing_id.in_(listing_ids)
            )
        ):
            self.case_listings[(id(open_by_id[link.case_id]), link.listing_id)] = link
        for entry in self.session.scalars(
            select(AllowListEntry).where(
                AllowListEntry.listing_id.in_(listing_ids), AllowListEntry.revoked_at.is_(None)
            )
        ):
            self.allowed[(entry.listing_id, entry.mark, entry.code)] = entry

        # What a relisting would be linked to: removed cases of these listings, sellers and linked shops.
        for seller_id, other_id in self.session.execute(
            select(SellerLink.seller_id, SellerLink.other_seller_id).where(
                or_(SellerLink.seller_id.in_(seller_ids), SellerLink.other_seller_id.in_(seller_ids))
            )
        ):
            self.links.setdefault(seller_id, set()).add(other_id)
            self.links.setdefault(other_id, set()).add(seller_id)
        removed_order = (Case.closed_at, Case.id)
        for case, listing_id in self.session.execute(
            select(Case, CaseListing.listing_id)
            .join(CaseListing, CaseListing.case_id == Case.id)
            .where(CaseListing.listing_id.in_(listing_ids), Case.status == STATUS_REMOVED)
            .order_by(*removed_order)
        ):
            self.removed_by_listing[listing_id] = case
        related = seller_ids.union(*self.links.values()) if self.links else seller_ids
        for case in self.session.scalars(
            select(Case)
            .where(Case.seller_id.in_(related), Case.status == STATUS_REMOVED)
            .order_by(*removed_order)
        ):
            self.removed_by_seller[(case.seller_id, case.mark)] = case

    # -- one pair --------------------------------------------------------------------------------

    def _record(self, listing: ListingRecord, finding: FindingRecord) -> None:
        self.summary.listings += 1
        platform_id = self.platforms[listing.platform].id
        row = self.listings[(platform_id, listing.listing_id)]
        seller = self.sellers[(platform_id, self._shop_key(listing))]
        label = f"{listing.platform}:{listing.listing_id}"
        seen_at = listing.captured_datetime
        sighting = self._sight(row, listing, seen_at)

        digest = finding_hash(finding)
        previous = self.latest_finding.get(id(sighting))
        if previous is not None and previous.finding_hash == digest and self._still_live(previous):
            # The same page and the same verdict again: refresh dates, store nothing new.
            previous.last_found_at = max(previous.last_found_at, seen_at)
            for violation in previous.violations:
                if violation.case is not None:
                    self._touch_case(violation.case, row, label, seen_at, violation.score)
            return

        stored = Finding(
            listing_id=row.id,
            sighting=sighting,
            finding_hash=digest,
            risk=finding.risk,
            licensee_id=finding.licensee_id,
            found_at=seen_at,
            last_found_at=seen_at,
            record=finding.to_record(),
        )
        self.session.add(stored)
        self.summary.new_findings += 1
        for violation in finding.violations:
            self._file_violation(stored, violation, row, seller, label, seen_at)
        self.latest_finding[id(sighting)] = stored

    @staticmethod
    def _still_live(finding: Finding) -> bool:
        """A stored finding can absorb a repeat only if none of its cases has closed since."""
        return all(
            violation.allow_entry_id is not None or (violation.case is not None and violation.case.is_active)
            for violation in finding.violations
        )

    def _sight(self, row: Listing, listing: ListingRecord, seen_at: datetime) -> Sighting:
        digest = content_hash(listing)
        latest = self.latest_sighting.get(row.id)
        if latest is not None and latest.content_hash == digest:
            if seen_at > latest.last_seen_at:
                latest.last_seen_at = seen_at
                latest.times_seen += 1
            elif seen_at < latest.first_seen_at:
                latest.first_seen_at = seen_at
            return latest
        sighting = Sighting(
            listing_id=row.id,
            content_hash=digest,
            first_seen_at=seen_at,
            last_seen_at=seen_at,
            times_seen=1,
            record=listing.to_record(),
        )
        self.session.add(sighting)
        self.latest_sighting[row.id] = sighting
        self.summary.new_sightings += 1
        return sighting

    def _file_violation(
        self,
        finding: Finding,
        record: ViolationRecord,
        row: Listing,
        seller: Seller,
        label: str,
        seen_at: datetime,
    ) -> None:
        violation = Violation(
            code=record.code,
            mark=record.mark,
            score=record.score,
            reason=record.reason,
            legal_basis=record.legal_basis,
            evidence=record.evidence.to_record(),
        )
        finding.violations.append(violation)
        self.summary.violations += 1
        allow = self.allowed.get((row.id, record.mark, record.code))
        if allow is not None:
            violation.allow_entry_id = allow.id
            self.summary.suppressed += 1
            return
        key = open_key(seller.id, record.mark, record.code)
        case = self.open_cases.get(key)
        if case is None:
            case = self._open_case(key, row, seller, label, record, seen_at)
        elif id(case) not in self.fresh_cases:
            self.joined.add(id(case))
        violation.case = case
        self._touch_case(case, row, label, seen_at, record.score)

    def _open_case(
        self, key: str, row: Listing, seller: Seller, label: str, record: ViolationRecord, seen_at: datetime
    ) -> Case:
        case = Case(
            seller_id=seller.id,
            platform_id=row.platform_id,
            mark=record.mark,
            code=record.code,
            status=STATUS_NEW,
            open_key=key,
            risk=record.score,
            opened_at=seen_at,
            last_seen_at=seen_at,
            updated_at=self.now,
        )
        self.session.add(case)
        case.events.append(
            CaseEvent(at=self.now, actor=self.actor, kind="opened", to_status=STATUS_NEW, note=record.reason)
        )
        earlier = self._removed_case_for(row, seller, record.mark)
        if earlier is not None:
            case.relisting_of_id = earlier.id
            case.events.append(
                CaseEvent(
                    at=self.now,
                    actor=self.actor,
                    kind="relisting",
                    note=f"案件 #{earlier.id} 已下架后再次出现（{label}）",
                )
            )
            self.relistings.append(case)
        self.open_cases[key] = case
        self.fresh_cases[id(case)] = case
        return case

    def _removed_case_for(self, row: Listing, seller: Seller, mark: str) -> Case | None:
        """The most recent case closed as removed for this listing, else for this seller (or a shop
        linked to it) and mark."""
        if row.id in self.removed_by_listing:
            return self.removed_by_listing[row.id]
        candidates = [
            self.removed_by_seller[(seller_id, mark)]
            for seller_id in (seller.id, *self.links.get(seller.id, ()))
            if (seller_id, mark) in self.removed_by_seller
        ]
        return max(candidates, key=lambda case: (case.closed_at, case.id), default=None)

    def _touch_case(self, case: Case, row: Listing, label: str, seen_at: datetime, score: float) -> None:
        case.last_seen_at = max(case.last_seen_at, seen_at)
        case.risk = max(case.risk, score)
        link = self.case_listings.get((id(case), row.id))
        if link is None:
            # Assign through the many-to-one side: appending to case.listings would load the collection.
            link = CaseListing(case=case, listing_id=row.id, first_seen_at=seen_at, last_seen_at=seen_at)
            self.session.add(link)
            self.case_listings[(id(case), row.id)] = link
            count = self.listing_counts.get(id(case), 0) + 1
            self.listing_counts[id(case)] = count
            if id(case) not in self.fresh_cases or count > 1:
                self.session.add(
                    CaseEvent(case=case, at=self.now, actor=self.actor, kind="listing", note=label)
                )
        elif seen_at > link.last_seen_at:
            link.last_seen_at = seen_at
            link.times_seen += 1

    # -- sellers on several platforms ------------------------------------------------------------

    def _link_sellers(self) -> None:
        pairs_done: set[tuple[int, int]] = set()
        for seller in self.sellers.values():
            if id(seller) not in self.sellers_to_link:
                continue
            conditions = []
            if seller.company_key:
                conditions.append(Seller.company_key == seller.company_key)
            if seller.name_key:
                conditions.append(Seller.name_key == seller.name_key)
            if not conditions:
                continue
            others = self.session.scalars(
                select(Seller).where(or_(*conditions), Seller.platform_id != seller.platform_id)
            )
            for other in others:
                low, high = sorted((seller.id, other.id))
                if (low, high) in pairs_done:
                    continue
                pairs_done.add((low, high))
                exists = self.session.scalars(
                    select(SellerLink.id).where(
                        SellerLink.seller_id == low, SellerLink.other_seller_id == high
                    )
                ).first()
                if exists is not None:
                    continue
                if seller.company_key and seller.company_key == other.company_key:
                    basis, matched = "company", seller.company or seller.company_key
                else:
                    basis, matched = "shop_name", seller.name or seller.name_key or ""
                self.session.add(
                    SellerLink(
                        seller_id=low, other_seller_id=high, basis=basis, matched=matched, created_at=self.now
                    )
                )
                self.summary.seller_links += 1


def linked_seller_ids(session: Session, seller_id: int) -> list[int]:
    """Shops linked to this one (directly) as the same operator on other platforms."""
    rows = session.execute(
        select(SellerLink.seller_id, SellerLink.other_seller_id).where(
            or_(SellerLink.seller_id == seller_id, SellerLink.other_seller_id == seller_id)
        )
    )
    return sorted({other if mine == seller_id else mine for mine, other in rows})


class CaseRecorder:
    """Buffers (listing, finding) pairs and writes them a batch per transaction.

    `on_commit(summary)` runs after each batch is committed: the place to start
    evidence capture for `summary.opened_case_ids`, which now exist for good.

    A batch that collides with a concurrent writer (two crawls opening the same
    case) is rolled back and retried; the database's unique constraints decide.
    """

    RETRIES = 6

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        actor: str = SYSTEM_ACTOR,
        on_commit: Callable[[BatchSummary], None] | None = None,
    ):
        if not 1 <= batch_size <= MAX_BATCH_SIZE:
            # Each batch becomes IN (...) lists of its keys; beyond this they grow unwieldy for SQLite.
            raise ValueError(f"batch_size must be between 1 and {MAX_BATCH_SIZE}, not {batch_size}")
        self.session_factory = session_factory
        self.batch_size = batch_size
        self.actor = actor
        self.on_commit = on_commit
        self.summary = BatchSummary()
        self._pending: list[tuple[ListingRecord, FindingRecord]] = []

    def add(self, listing: ListingRecord, finding: FindingRecord) -> None:
        self._pending.append((listing, finding))
        if len(self._pending) >= self.batch_size:
            self.flush()

    def flush(self) -> BatchSummary:
        batch, self._pending = self._pending, []
        if not batch:
            return BatchSummary()
        for attempt in range(1, self.RETRIES + 1):
            try:
                with self.session_factory.begin() as session:
                    summary = record_batch(session, batch, actor=self.actor)
                break
            except (IntegrityError, OperationalError) as error:
                if attempt == self.RETRIES:
                    raise
                log.warning("batch of %d collided with another writer (%s); retrying", len(batch), error.orig)
                time.sleep(random.uniform(0.05, 0.25) * attempt)
        self.summary.merge(summary)
        if self.on_commit is not None:
            self.on_commit(summary)
        return summary

    def close(self) -> BatchSummary:
        self.flush()
        return self.summary

    def __enter__(self) -> CaseRecorder:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
