"""What each report template needs, as plain frozen values.

Builders in `reports` take these and nothing else, so templates can be tested
without a database and `cases.reporting` is the only code that reads the
database for reports. Every string here may have come from a crawled page:
templates escape all of them and links pass `safe_href` first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from reports.labels import complaint_type, field_name, platform_name, status_name, violation_name


@dataclass(frozen=True, slots=True)
class EmbeddedImage:
    """An image re-encoded by `reports.images`, carried as a data: URI (never a page's own bytes)."""

    data_uri: str
    width: int
    height: int
    alt: str = ""


@dataclass(frozen=True, slots=True)
class EvidenceFile:
    name: str
    kind: str
    sha256: str
    size: int | None = None


@dataclass(frozen=True, slots=True)
class MatchedText:
    """The field text around the matched sign, split so the template can highlight the hit."""

    field: str
    before: str
    hit: str
    after: str

    @property
    def field_label(self) -> str:
        return field_name(self.field)


@dataclass(frozen=True, slots=True)
class SignComparison:
    """The sign found in the listing beside the registered one."""

    mark_id: str
    registered_text: str | None = None
    registration: str | None = None
    goods: tuple[str, ...] = ()
    matched: MatchedText | None = None
    registered_logo: EmbeddedImage | None = None
    logo_crop: EmbeddedImage | None = None
    logo_distance: float | None = None
    evidence_field: str = ""

    @property
    def evidence_label(self) -> str:
        return field_name(self.evidence_field) if self.evidence_field else ""


@dataclass(frozen=True, slots=True)
class CaseEvent:
    at: datetime
    actor: str
    kind: str
    from_status: str | None = None
    to_status: str | None = None
    note: str | None = None

    @property
    def from_label(self) -> str:
        return status_name(self.from_status) if self.from_status else ""

    @property
    def to_label(self) -> str:
        return status_name(self.to_status) if self.to_status else ""


@dataclass(frozen=True, slots=True)
class CaseSummary:
    case_id: int
    platform: str
    listing_id: str
    url: str
    title: str
    code: str
    mark_id: str
    risk: float
    reason: str
    legal_basis: str
    status: str
    opened_at: datetime
    last_seen_at: datetime | None
    age_days: int
    seller_name: str = ""
    seller_id: str = ""
    shop_url: str = ""
    seller_company: str = ""
    ship_from: str = ""
    price: float | None = None
    repeat_count: int = 1
    relisting_of: int | None = None
    listing_count: int = 1
    comparison: SignComparison | None = None
    evidence: tuple[EvidenceFile, ...] = ()
    thumbnail: EmbeddedImage | None = None

    @property
    def code_label(self) -> str:
        return violation_name(self.code)

    @property
    def status_label(self) -> str:
        return status_name(self.status)

    @property
    def complaint_type(self) -> str:
        return complaint_type(self.code)

    @property
    def platform_label(self) -> str:
        return platform_name(self.platform)


@dataclass(frozen=True, slots=True)
class CountRow:
    """One line of a by-platform or by-code table: this week against last week."""

    key: str
    label: str
    new: int
    new_previous: int
    open: int
    open_previous: int
    closed: int
    closed_previous: int


@dataclass(frozen=True, slots=True)
class WeekPoint:
    week: str
    new: int
    closed: int
    open: int


@dataclass(frozen=True, slots=True)
class Infringer:
    seller_name: str
    platforms: tuple[str, ...]
    shops: tuple[str, ...]
    case_count: int
    open_count: int
    max_risk: float
    codes: tuple[str, ...]

    @property
    def platform_labels(self) -> tuple[str, ...]:
        return tuple(platform_name(p) for p in self.platforms)

    @property
    def code_labels(self) -> tuple[str, ...]:
        return tuple(violation_name(c) for c in self.codes)


@dataclass(frozen=True, slots=True)
class Totals:
    new: int
    open: int
    closed: int
    new_previous: int
    open_previous: int
    closed_previous: int


@dataclass(frozen=True, slots=True)
class WeeklyReport:
    brand: str
    owner: str
    week: str
    start: date
    end: date
    generated_at: datetime
    totals: Totals
    by_platform: tuple[CountRow, ...]
    by_code: tuple[CountRow, ...]
    trend: tuple[WeekPoint, ...]
    infringers: tuple[Infringer, ...]
    cases: tuple[CaseSummary, ...]
    total_cases: int
    csv_name: str | None = None
    detail_limit: int = 100


@dataclass(frozen=True, slots=True)
class Capture:
    """One evidence capture, in the terms of an 电子数据提取笔录."""

    capture_id: str
    captured_at: datetime
    url: str
    final_url: str
    http_status: int | None
    method: str
    tools: tuple[tuple[str, str], ...]
    directory: str
    files: tuple[EvidenceFile, ...]
    manifest_sha256: str | None = None
    screenshot: tuple[EmbeddedImage, ...] = ()


@dataclass(frozen=True, slots=True)
class Sighting:
    seen_at: datetime
    url: str
    content_sha256: str
    title: str = ""


@dataclass(frozen=True, slots=True)
class CaseDossier:
    brand: str
    owner: str
    generated_at: datetime
    case: CaseSummary
    captures: tuple[Capture, ...]
    sightings: tuple[Sighting, ...]
    events: tuple[CaseEvent, ...]
    related_cases: tuple[CaseSummary, ...] = ()


@dataclass(frozen=True, slots=True)
class NoticeParty:
    """The complainant: the rights holder and who to contact."""

    name: str
    contact: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""


@dataclass(frozen=True, slots=True)
class NoticeTemplate:
    """What one platform's complaint channel calls things and asks for."""

    slug: str
    addressee: str
    channel: str
    listing_id_label: str
    shop_label: str
    extra_requests: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Notice:
    template: NoticeTemplate
    rights_holder: NoticeParty
    brand: str
    case: CaseSummary
    registrations: tuple[SignComparison, ...]
    evidence: tuple[EvidenceFile, ...]
    captured_at: datetime | None
    issued_on: date
