"""Read-only queries that turn the case database into report view models.

    ctx = ReportContext.for_pack(pack)
    with Session() as session:
        weekly = weekly_report(session, IsoWeek.parse("2026-W48"), ctx)
        dossier = case_dossier(session, 17, ctx)
        notice = case_notice(session, 17, ctx, template="taobao", holder=NoticeParty(pack.owner))
        rows = export_cases(session, ctx, status=["new"])

Nothing here writes. Past weeks are reproducible: a case's status at the end
of a week is replayed from its status events, not read from today's row.
Queries are batched (a few per report, never one per case) so a 10,000-case
week renders in seconds.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path, PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cases.labels import EVENT_LABELS
from cases.models import (
    ACTIVE_STATUSES,
    CLOSED_STATUSES,
    STATUS_NEW,
    Case,
    CaseListing,
    EvidenceCapture,
    Finding,
    Listing,
    Platform,
    Seller,
    SellerLink,
    Sighting,
    Violation,
)
from cases.models import CaseEvent as CaseEventRow
from cases.models import EvidenceFile as EvidenceFileRow
from matchers.pack import BrandPack, Mark
from reports.images import FULL_WIDTH, try_embed_image, try_embed_image_slices
from reports.labels import platform_name, violation_name
from reports.notices import notice_template
from reports.viewmodels import (
    Capture,
    CaseDossier,
    CaseEvent,
    CaseSummary,
    CountRow,
    EvidenceFile,
    Infringer,
    MatchedText,
    Notice,
    NoticeParty,
    SignComparison,
    Totals,
    WeeklyReport,
    WeekPoint,
)
from reports.viewmodels import Sighting as SightingView

TREND_WEEKS = 12
TOP_INFRINGERS = 10
DEFAULT_DETAIL_LIMIT = 100
CONTEXT_CHARS = 24
IN_CHUNK = 900
_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
CAPTURE_METHOD = (
    "以 Chromium 无头浏览器（Playwright 驱动）打开商品页面，保存整页截图、渲染后的 DOM、页面 PDF，"
    "以 WARC 格式记录原始 HTTP 请求与响应，保存商品图片；对每个文件计算 SHA-256 并写入 MANIFEST.sha256，文件设为只读"
)


class CaseNotFound(LookupError):
    def __init__(self, case_id: int):
        super().__init__(f"no case #{case_id} in the case database")
        self.case_id = case_id


@dataclass(frozen=True, slots=True)
class IsoWeek:
    year: int
    week: int

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        """ "2026-W48" (or 2026W48); ValueError says what is wrong."""
        match = _WEEK.match(text.strip())
        if not match:
            raise ValueError(f"{text!r} is not an ISO week such as 2026-W48")
        year, week = int(match.group(1)), int(match.group(2))
        try:
            date.fromisocalendar(year, week, 1)
        except ValueError:
            raise ValueError(f"{text!r}: {year} has no week {week}") from None
        return cls(year, week)

    @classmethod
    def containing(cls, moment: date) -> IsoWeek:
        year, week, _ = moment.isocalendar()
        return cls(year, week)

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    @property
    def start(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def end(self) -> date:
        return self.start + timedelta(days=6)

    def shifted(self, weeks: int) -> IsoWeek:
        return IsoWeek.containing(self.start + timedelta(weeks=weeks))

    def bounds(self, zone: tzinfo) -> tuple[datetime, datetime]:
        """[Monday 00:00, next Monday 00:00) in `zone`, as UTC."""
        start = datetime.combine(self.start, datetime.min.time(), zone)
        return start.astimezone(UTC), (start + timedelta(days=7)).astimezone(UTC)


@dataclass(frozen=True)
class ReportContext:
    """What reports need besides the database: the brand pack, the time zone, where evidence lives."""

    brand: str
    owner: str
    zone: tzinfo
    pack: BrandPack | None = None
    evidence_root: Path = field(default_factory=Path.cwd)
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    @classmethod
    def for_pack(cls, pack: BrandPack, *, evidence_root: Path | None = None, now: datetime | None = None):
        return cls(
            brand=pack.brand,
            owner=pack.owner,
            zone=ZoneInfo(pack.timezone),
            pack=pack,
            evidence_root=evidence_root or Path.cwd(),
            now=now or datetime.now(UTC),
        )

    def local(self, moment: datetime | None) -> datetime | None:
        return moment.astimezone(self.zone) if moment is not None else None

    def mark(self, mark_id: str) -> Mark | None:
        if self.pack is None:
            return None
        try:
            return self.pack.mark(mark_id)
        except KeyError:
            return None


# ---------------------------------------------------------------------------------------------
# Status history
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _CaseRow:
    id: int
    platform: str
    seller_id: int
    mark: str
    code: str
    risk: float
    status: str
    opened_at: datetime
    closed_at: datetime | None
    times: list[datetime] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)

    def status_at(self, moment: datetime) -> str | None:
        """The case's status just before `moment`; None if it was not yet open."""
        if self.opened_at >= moment:
            return None
        index = bisect_right(self.times, moment - timedelta(microseconds=1))
        return self.statuses[index - 1] if index else STATUS_NEW

    def closed_between(self, start: datetime, end: datetime) -> bool:
        return any(
            start <= at < end and status in CLOSED_STATUSES
            for at, status in zip(self.times, self.statuses, strict=True)
        )

    def closed_at_or_before(self, moment: datetime) -> datetime | None:
        closing = None
        for at, status in zip(self.times, self.statuses, strict=True):
            if at >= moment:
                break
            closing = at if status in CLOSED_STATUSES else None
        return closing


def _case_rows(session: Session, *, opened_before: datetime | None = None) -> list[_CaseRow]:
    query = select(
        Case.id,
        Platform.slug,
        Case.seller_id,
        Case.mark,
        Case.code,
        Case.risk,
        Case.status,
        Case.opened_at,
        Case.closed_at,
    ).join(Platform, Platform.id == Case.platform_id)
    if opened_before is not None:
        query = query.where(Case.opened_at < opened_before)
    rows = {row[0]: _CaseRow(*row) for row in session.execute(query)}
    events = session.execute(
        select(CaseEventRow.case_id, CaseEventRow.at, CaseEventRow.to_status)
        .where(CaseEventRow.kind == "status", CaseEventRow.to_status.is_not(None))
        .order_by(CaseEventRow.case_id, CaseEventRow.at, CaseEventRow.id)
    )
    for case_id, at, status in events:
        row = rows.get(case_id)
        if row is not None:
            row.times.append(at)
            row.statuses.append(status)
    for row in rows.values():
        # A case closed without an event (an import, a manual repair) still closes when its row says.
        if not row.times and row.status != STATUS_NEW:
            row.times.append(row.closed_at or row.opened_at)
            row.statuses.append(row.status)
    return list(rows.values())


# ---------------------------------------------------------------------------------------------
# Weekly report
# ---------------------------------------------------------------------------------------------


def weekly_report(
    session: Session,
    week: IsoWeek,
    ctx: ReportContext,
    *,
    detail_limit: int = DEFAULT_DETAIL_LIMIT,
    csv_name: str | None = None,
) -> WeeklyReport:
    start, end = week.bounds(ctx.zone)
    previous_start, previous_end = week.shifted(-1).bounds(ctx.zone)
    rows = _case_rows(session, opened_before=end)

    def figures(subset: Iterable[_CaseRow], lo: datetime, hi: datetime) -> tuple[int, int, int]:
        new = opened = closed = 0
        for row in subset:
            new += lo <= row.opened_at < hi
            opened += row.status_at(hi) in ACTIVE_STATUSES
            closed += row.closed_between(lo, hi)
        return new, opened, closed

    this = figures(rows, start, end)
    last = figures(rows, previous_start, previous_end)
    totals = Totals(*this, *last)

    def breakdown(key_of, label_of) -> tuple[CountRow, ...]:
        groups: dict[str, list[_CaseRow]] = defaultdict(list)
        for row in rows:
            groups[key_of(row)].append(row)
        table = []
        for key, members in groups.items():
            now_figures = figures(members, start, end)
            then_figures = figures(members, previous_start, previous_end)
            if any(now_figures) or any(then_figures):
                table.append(
                    CountRow(
                        key,
                        label_of(key),
                        now_figures[0],
                        then_figures[0],
                        now_figures[1],
                        then_figures[1],
                        now_figures[2],
                        then_figures[2],
                    )
                )
        return tuple(sorted(table, key=lambda r: (-r.new, -r.open, r.key)))

    trend = []
    for offset in range(TREND_WEEKS - 1, -1, -1):
        point_week = week.shifted(-offset)
        lo, hi = point_week.bounds(ctx.zone)
        new, still_open, closed = figures(rows, lo, hi)
        trend.append(WeekPoint(point_week.label, new=new, closed=closed, open=still_open))

    listed = [
        row
        for row in rows
        if start <= row.opened_at < end
        or row.status_at(end) in ACTIVE_STATUSES
        or row.closed_between(start, end)
    ]
    listed.sort(key=lambda row: (-row.risk, -row.opened_at.timestamp(), row.id))
    groups = _operator_groups(session)
    cases_per_group: dict[int, list[_CaseRow]] = defaultdict(list)
    for row in rows:
        cases_per_group[groups.get(row.seller_id, row.seller_id)].append(row)
    repeat = {row.id: len(cases_per_group[groups.get(row.seller_id, row.seller_id)]) for row in rows}
    summaries = _summaries(
        session,
        [row.id for row in listed],
        ctx,
        at=min(end, ctx.now),
        status_of={row.id: row.status_at(end) or row.status for row in listed},
        closed_of={row.id: row.closed_at_or_before(end) for row in listed},
        repeat=repeat,
        images_for={row.id for row in listed[:detail_limit]},
    )
    infringers = _infringers(session, cases_per_group, end)
    return WeeklyReport(
        brand=ctx.brand,
        owner=ctx.owner,
        week=week.label,
        start=week.start,
        end=week.end,
        generated_at=ctx.local(ctx.now),
        totals=totals,
        by_platform=breakdown(lambda row: row.platform, platform_name),
        by_code=breakdown(lambda row: row.code, violation_name),
        trend=tuple(trend),
        infringers=infringers,
        cases=tuple(summaries[row.id] for row in listed),
        total_cases=len(rows),
        csv_name=csv_name,
        detail_limit=detail_limit,
    )


def _operator_groups(session: Session) -> dict[int, int]:
    """seller id -> smallest seller id of the shops linked to it (one operator on several platforms)."""
    parent: dict[int, int] = {}

    def find(node: int) -> int:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for low, high in session.execute(select(SellerLink.seller_id, SellerLink.other_seller_id)):
        a, b = find(low), find(high)
        if a != b:
            parent[max(a, b)] = min(a, b)
    return {node: find(node) for node in parent}


def _infringers(
    session: Session, cases_per_group: dict[int, list[_CaseRow]], end: datetime
) -> tuple[Infringer, ...]:
    repeat_groups = {group: members for group, members in cases_per_group.items() if len(members) > 1}
    ranked = sorted(
        repeat_groups.items(),
        key=lambda item: (
            -sum(row.status_at(end) in ACTIVE_STATUSES for row in item[1]),
            -len(item[1]),
            -max(row.risk for row in item[1]),
        ),
    )[:TOP_INFRINGERS]
    seller_ids = {row.seller_id for _, members in ranked for row in members}
    sellers = (
        {
            seller.id: (seller, slug)
            for seller, slug in session.execute(
                select(Seller, Platform.slug)
                .join(Platform, Platform.id == Seller.platform_id)
                .where(Seller.id.in_(seller_ids))
            )
        }
        if seller_ids
        else {}
    )
    result = []
    for _, members in ranked:
        shops = []
        for seller_id in sorted({row.seller_id for row in members}):
            seller, slug = sellers[seller_id]
            shops.append((slug, seller))
        names = [seller.name or seller.shop_id or seller.shop_key for _, seller in shops]
        result.append(
            Infringer(
                seller_name=names[0] if names else "",
                platforms=tuple(sorted({slug for slug, _ in shops})),
                shops=tuple(
                    f"{platform_name(slug)}：{name}" for (slug, _), name in zip(shops, names, strict=True)
                ),
                case_count=len(members),
                open_count=sum(row.status_at(end) in ACTIVE_STATUSES for row in members),
                max_risk=max(row.risk for row in members),
                codes=tuple(sorted({row.code for row in members})),
            )
        )
    return tuple(result)


# ---------------------------------------------------------------------------------------------
# Case summaries (shared by all reports)
# ---------------------------------------------------------------------------------------------


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for index in range(0, len(ids), IN_CHUNK):
        yield list(ids[index : index + IN_CHUNK])


def _summaries(
    session: Session,
    case_ids: Sequence[int],
    ctx: ReportContext,
    *,
    at: datetime,
    status_of: dict[int, str] | None = None,
    closed_of: dict[int, datetime | None] | None = None,
    repeat: dict[int, int] | None = None,
    images_for: set[int] | frozenset[int] = frozenset(),
) -> dict[int, CaseSummary]:
    """One CaseSummary per case id, from a handful of batched queries."""
    if not case_ids:
        return {}
    cases: dict[int, tuple[Case, Seller, str]] = {}
    best: dict[int, Any] = {}
    listing_counts: dict[int, int] = {}
    captures: dict[int, EvidenceCapture] = {}
    for chunk in _chunks(case_ids):
        for case, seller, slug in session.execute(
            select(Case, Seller, Platform.slug)
            .join(Seller, Seller.id == Case.seller_id)
            .join(Platform, Platform.id == Case.platform_id)
            .where(Case.id.in_(chunk))
        ):
            cases[case.id] = (case, seller, slug)
        # Pick each case's strongest violation on light columns; load its record afterwards.
        ranking: dict[int, tuple] = {}
        for case_id, violation_id, score, found_at in session.execute(
            select(Violation.case_id, Violation.id, Violation.score, Finding.last_found_at)
            .join(Finding, Finding.id == Violation.finding_id)
            .where(Violation.case_id.in_(chunk))
        ):
            key = (score, found_at, violation_id)
            if case_id not in ranking or key > ranking[case_id]:
                ranking[case_id] = key
        for row in session.execute(
            select(
                Violation.case_id,
                Violation.reason,
                Violation.legal_basis,
                Violation.evidence,
                Sighting.record,
                Listing.external_id,
                Listing.url,
                Listing.title,
            )
            .join(Finding, Finding.id == Violation.finding_id)
            .join(Sighting, Sighting.id == Finding.sighting_id)
            .join(Listing, Listing.id == Finding.listing_id)
            .where(Violation.id.in_([key[2] for key in ranking.values()]))
        ):
            best[row.case_id] = row
        listing_counts.update(
            session.execute(
                select(CaseListing.case_id, func.count())
                .where(CaseListing.case_id.in_(chunk))
                .group_by(CaseListing.case_id)
            ).all()
        )
        for capture in session.scalars(
            select(EvidenceCapture)
            .where(EvidenceCapture.case_id.in_(chunk))
            .order_by(EvidenceCapture.captured_at, EvidenceCapture.id)
        ):
            captures[capture.case_id] = capture  # the latest wins
    files = _capture_files(session, [capture.id for capture in captures.values()])
    result = {}
    for case_id in case_ids:
        if case_id not in cases:
            continue
        case, seller, slug = cases[case_id]
        chosen = best.get(case_id)
        record = chosen.record if chosen is not None and isinstance(chosen.record, dict) else {}
        capture = captures.get(case_id)
        capture_files = files.get(capture.id, ()) if capture else ()
        status = (status_of or {}).get(case_id, case.status)
        closed_at = (closed_of or {}).get(case_id, case.closed_at)
        with_images = case_id in images_for
        result[case_id] = CaseSummary(
            case_id=case.id,
            platform=slug,
            listing_id=chosen.external_id if chosen else "",
            url=chosen.url if chosen else "",
            title=chosen.title if chosen else "",
            code=case.code,
            mark_id=case.mark,
            risk=case.risk,
            reason=chosen.reason if chosen else "",
            legal_basis=chosen.legal_basis if chosen else "",
            status=status,
            opened_at=ctx.local(case.opened_at),
            last_seen_at=ctx.local(case.last_seen_at),
            age_days=max(0, ((closed_at or at) - case.opened_at).days)
            if status in CLOSED_STATUSES
            else max(0, (at - case.opened_at).days),
            seller_name=seller.name or "",
            seller_id=seller.shop_id or "",
            shop_url=seller.shop_url or "",
            seller_company=seller.company or "",
            ship_from=_text(record.get("ship_from")),
            price=record.get("price") if isinstance(record.get("price"), (int, float)) else None,
            repeat_count=(repeat or {}).get(case_id, 1),
            relisting_of=case.relisting_of_id,
            listing_count=max(listing_counts.get(case_id, 1), 1),
            comparison=_comparison(
                case.mark,
                chosen.evidence if chosen else None,
                record,
                capture,
                capture_files,
                ctx,
                images=with_images,
            ),
            evidence=tuple(capture_files),
            thumbnail=_thumbnail(record, capture, capture_files, ctx) if with_images else None,
        )
    return result


def _capture_files(session: Session, capture_ids: Sequence[int]) -> dict[int, tuple[EvidenceFile, ...]]:
    found: dict[int, list[EvidenceFile]] = defaultdict(list)
    for chunk in _chunks(list(capture_ids)):
        for row in session.scalars(
            select(EvidenceFileRow)
            .where(EvidenceFileRow.capture_id.in_(chunk))
            .order_by(EvidenceFileRow.name)
        ):
            found[row.capture_id].append(EvidenceFile(row.name, _file_kind(row.name), row.sha256, row.size))
    return {key: tuple(value) for key, value in found.items()}


_KINDS = (
    (re.compile(r"screenshot.*\.(png|jpe?g)$"), "整页截图"),
    (re.compile(r"\.warc(\.gz)?$"), "WARC 原始网络记录"),
    (re.compile(r"(dom|page)\.html?$"), "渲染后 DOM"),
    (re.compile(r"\.pdf$"), "页面 PDF"),
    (re.compile(r"(environment|env).*\.json$"), "环境记录"),
    (re.compile(r"^(images?/|image-)"), "商品图片"),
    (re.compile(r"\.(png|jpe?g|webp|gif)$"), "图片"),
    (re.compile(r"\.json$"), "记录"),
)


def _file_kind(name: str) -> str:
    lowered = name.lower()
    for pattern, kind in _KINDS:
        if pattern.search(lowered):
            return kind
    return "文件"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _capture_dir(capture: EvidenceCapture, ctx: ReportContext) -> Path:
    directory = Path(capture.directory)
    return directory if directory.is_absolute() else ctx.evidence_root / directory


def _inside(directory: Path, name: str) -> Path | None:
    """`directory/name` only if it stays inside `directory` (names come from the database)."""
    candidate = (directory / name).resolve()
    try:
        candidate.relative_to(directory.resolve())
    except ValueError:
        return None
    return candidate if candidate.is_file() else None


def _screenshot(
    capture: EvidenceCapture | None, files: Sequence[EvidenceFile], ctx: ReportContext, *, thumbnail: bool
):
    if capture is None:
        return None if thumbnail else ()
    names = [f.name for f in files if f.kind == "整页截图"] or [f.name for f in files if f.kind == "图片"]
    if not names:
        return None if thumbnail else ()
    path = _inside(_capture_dir(capture, ctx), names[0])
    if thumbnail:
        return try_embed_image(path, max_width=240, max_height=320, top_only=True, alt="页面截图")
    return try_embed_image_slices(path, max_width=FULL_WIDTH, alt="页面完整截图")


def _thumbnail(
    record: dict[str, Any], capture: EvidenceCapture | None, files: Sequence[EvidenceFile], ctx: ReportContext
):
    """The evidence screenshot's top; before any capture, the listing's main product image."""
    shot = _screenshot(capture, files, ctx, thumbnail=True)
    if shot is not None:
        return shot
    path = _listing_image(0, record, capture, files, ctx)
    return try_embed_image(path, max_width=240, max_height=320, alt="商品主图") if path else None


def _field_text(record: dict[str, Any], field_name: str) -> str:
    value = record.get(field_name)
    if field_name == "seller" and isinstance(value, dict):
        return " ".join(str(v) for v in value.values() if isinstance(v, str))
    if field_name == "attributes" and isinstance(value, dict):
        return "；".join(f"{k}：{v}" for k, v in value.items())
    return value if isinstance(value, str) else ""


def _matched_text(evidence: dict[str, Any], record: dict[str, Any]) -> MatchedText | None:
    field_name = evidence.get("field")
    if not isinstance(field_name, str) or field_name.startswith("image:"):
        return None
    text = _field_text(record, field_name)
    matched = evidence.get("matched") if isinstance(evidence.get("matched"), str) else None
    span = evidence.get("span")
    start = stop = None
    if isinstance(span, list) and len(span) == 2 and all(isinstance(v, int) for v in span):
        if 0 <= span[0] < span[1] <= len(text):
            start, stop = span
    if start is None and matched and matched in text:
        start = text.index(matched)
        stop = start + len(matched)
    if start is None:
        return MatchedText(field_name, "", matched or "", "") if matched else None
    before = text[max(0, start - CONTEXT_CHARS) : start]
    after = text[stop : stop + CONTEXT_CHARS]
    return MatchedText(
        field_name,
        ("…" if start > CONTEXT_CHARS else "") + before,
        text[start:stop],
        after + ("…" if stop + CONTEXT_CHARS < len(text) else ""),
    )


def _registered(
    mark_id: str, ctx: ReportContext
) -> tuple[str | None, str | None, tuple[str, ...], Path | None]:
    """Registered text, registration number, goods and logo file of a mark (a logo borrows its word mark's)."""
    mark = ctx.mark(mark_id)
    if mark is None:
        return None, None, (), None
    word = ctx.mark(mark.of) if mark.of else None
    logo = ctx.pack.logo_path(mark) if mark.is_logo and mark.file and ctx.pack else None
    text = mark.text or (word.text if word else None)
    registration = mark.registration or (word.registration if word else None)
    goods = mark.goods or (word.goods if word else ())
    return text, registration, tuple(goods), logo


def _comparison(
    mark_id: str,
    evidence: Any,
    record: dict[str, Any],
    capture: EvidenceCapture | None,
    capture_files: Sequence[EvidenceFile],
    ctx: ReportContext,
    *,
    images: bool,
) -> SignComparison:
    text, registration, goods, logo_path = _registered(mark_id, ctx)
    evidence = evidence if isinstance(evidence, dict) else {}
    crop = None
    distance = evidence.get("distance") if isinstance(evidence.get("distance"), (int, float)) else None
    if images:
        crop = _logo_crop(evidence, record, capture, capture_files, ctx)
    return SignComparison(
        mark_id=mark_id,
        registered_text=text,
        registration=registration,
        goods=goods,
        matched=_matched_text(evidence, record),
        registered_logo=try_embed_image(logo_path, max_width=120, alt="注册标志")
        if images and logo_path
        else None,
        logo_crop=crop,
        logo_distance=distance,
        evidence_field=evidence.get("field") if isinstance(evidence.get("field"), str) else "",
    )


def _logo_crop(
    evidence: dict[str, Any],
    record: dict[str, Any],
    capture: EvidenceCapture | None,
    capture_files: Sequence[EvidenceFile],
    ctx: ReportContext,
):
    field_name = evidence.get("field")
    bbox = evidence.get("bbox")
    if not (isinstance(field_name, str) and field_name.startswith("image:") and isinstance(bbox, list)
            and len(bbox) == 4 and all(isinstance(v, int) for v in bbox)):
        return None
    index_text = field_name.partition(":")[2]
    if not index_text.isdigit():
        return None
    path = _listing_image(int(index_text), record, capture, capture_files, ctx)
    # Evidence boxes are [x, y, width, height] in the image's pixels (docs/images.md).
    x, y, width, height = bbox
    box = (x, y, x + width, y + height)
    return try_embed_image(path, max_width=120, crop=box, alt="商品图中的疑似标志") if path else None


def _listing_image(
    index: int,
    record: dict[str, Any],
    capture: EvidenceCapture | None,
    capture_files: Sequence[EvidenceFile],
    ctx: ReportContext,
) -> Path | None:
    """The listing's image number `index`: kept with the evidence capture, else a local file of the record.

    crawler.evidence names kept images by their hash and lists each one's source
    URL in environment.json, which is how the record's image index is found.
    """
    images = record.get("images")
    wanted = images[index] if isinstance(images, list) and 0 <= index < len(images) else None
    if capture is not None and isinstance(wanted, str):
        kept = _environment(capture, capture_files, ctx).get("images")
        for entry in kept if isinstance(kept, list) else []:
            if isinstance(entry, dict) and entry.get("url") == wanted and isinstance(entry.get("file"), str):
                found = _inside(_capture_dir(capture, ctx), entry["file"])
                if found:
                    return found
    if isinstance(wanted, str) and "://" not in wanted:
        # Record paths are relative to the JSONL file ("../../../images/f7/<sha256>.jpg" from a run
        # folder); the image store they point into sits in the data folder.
        tail = PurePosixPath(wanted).parts
        while tail and tail[0] in ("..", "."):
            tail = tail[1:]
        return _inside(ctx.evidence_root, "/".join(tail)) if tail else None
    return None


# ---------------------------------------------------------------------------------------------
# Dossier and notice
# ---------------------------------------------------------------------------------------------


def _one_summary(session: Session, case_id: int, ctx: ReportContext) -> CaseSummary:
    case = session.get(Case, case_id)
    if case is None:
        raise CaseNotFound(case_id)
    groups = _operator_groups(session)
    group = groups.get(case.seller_id, case.seller_id)
    members = [seller for seller, root in groups.items() if root == group] or [case.seller_id]
    repeat = len(session.scalars(select(Case.id).where(Case.seller_id.in_(members))).all())
    return _summaries(session, [case_id], ctx, at=ctx.now, repeat={case_id: repeat}, images_for={case_id})[
        case_id
    ]


def case_dossier(session: Session, case_id: int, ctx: ReportContext) -> CaseDossier:
    summary = _one_summary(session, case_id, ctx)
    case = session.get(Case, case_id)
    captures = []
    capture_rows = session.scalars(
        select(EvidenceCapture)
        .where(EvidenceCapture.case_id == case_id)
        .order_by(EvidenceCapture.captured_at)
    ).all()
    files = _capture_files(session, [capture.id for capture in capture_rows])
    for capture in capture_rows:
        capture_files = files.get(capture.id, ())
        captures.append(
            Capture(
                capture_id=f"{capture.id}",
                captured_at=ctx.local(capture.captured_at),
                url=capture.url,
                final_url=capture.final_url or capture.url,
                http_status=capture.http_status,
                method=CAPTURE_METHOD
                + (
                    ""
                    if capture.complete
                    else "（本次提取不完整：" + "；".join(str(p) for p in capture.problems or []) + "）"
                ),
                tools=_tools(_environment(capture, capture_files, ctx)),
                directory=capture.directory,
                files=capture_files,
                manifest_sha256=capture.manifest_sha256,
                screenshot=_screenshot(capture, capture_files, ctx, thumbnail=False),
            )
        )
    sightings = [
        SightingView(
            ctx.local(sighting.first_seen_at),
            listing.url,
            sighting.content_hash,
            _text(sighting.record.get("title")),
        )
        for sighting, listing in session.execute(
            select(Sighting, Listing)
            .join(Listing, Listing.id == Sighting.listing_id)
            .join(CaseListing, CaseListing.listing_id == Listing.id)
            .where(CaseListing.case_id == case_id)
            .order_by(Sighting.first_seen_at, Sighting.id)
        )
    ]
    events = [
        CaseEvent(
            ctx.local(event.at),
            event.actor,
            EVENT_LABELS.get(event.kind, event.kind),
            event.from_status,
            event.to_status,
            event.note,
        )
        for event in case.events
    ]
    related_ids = [
        other
        for other in session.scalars(
            select(Case.id).where(Case.seller_id == case.seller_id, Case.id != case_id).order_by(Case.id)
        )
    ]
    related = _summaries(session, related_ids, ctx, at=ctx.now)
    return CaseDossier(
        brand=ctx.brand,
        owner=ctx.owner,
        generated_at=ctx.local(ctx.now),
        case=summary,
        captures=tuple(captures),
        sightings=tuple(sightings),
        events=tuple(events),
        related_cases=tuple(related[i] for i in related_ids if i in related),
    )



def _environment(
    capture: EvidenceCapture, files: Sequence[EvidenceFile], ctx: ReportContext
) -> dict[str, Any]:
    """The capture's environment.json (tools, versions, kept images), or {} when it cannot be read."""
    directory = _capture_dir(capture, ctx)
    for evidence_file in files:
        if evidence_file.kind != "环境记录":
            continue
        path = _inside(directory, evidence_file.name)
        if path is None or path.stat().st_size > 1_000_000:
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        return data if isinstance(data, dict) else {}
    return {}


def _tools(environment: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """Tool names and versions, as crawler.evidence records them under "tools"."""
    tools = environment.get("tools")
    found = []
    if isinstance(tools, dict):
        found = [(str(name), str(version)) for name, version in tools.items() if version not in (None, "")]
    settings = environment.get("browser_settings")
    if isinstance(settings, dict) and settings.get("user_agent"):
        found.append(("User-Agent", str(settings["user_agent"])))
    return tuple(found)


def _registrations(mark_id: str, ctx: ReportContext) -> tuple[SignComparison, ...]:
    """The rights a notice cites: the mark itself; for a logo, also the word mark it belongs to,
    unless the logo has no registration of its own (then it is cited as part of the word mark's)."""
    mark = ctx.mark(mark_id)
    text, registration, goods, _ = _registered(mark_id, ctx)
    if mark is None or not mark.is_logo:
        return (SignComparison(mark_id, text, registration, goods),)
    if mark.of is None:
        return (SignComparison(mark_id, f"图形标志 {mark_id}", registration, goods),)
    word_text, word_registration, word_goods, _ = _registered(mark.of, ctx)
    if not mark.registration:
        return (SignComparison(mark.of, f"{word_text}（文字及图形标志 {mark_id}）", word_registration, word_goods),)
    return (
        SignComparison(mark_id, f"图形标志 {mark_id}", mark.registration, goods),
        SignComparison(mark.of, word_text, word_registration, word_goods),
    )


def case_notice(
    session: Session,
    case_id: int,
    ctx: ReportContext,
    *,
    template: str,
    holder: NoticeParty | None = None,
    issued_on: date | None = None,
) -> Notice:
    summary = _one_summary(session, case_id, ctx)
    capture = session.scalars(
        select(EvidenceCapture)
        .where(EvidenceCapture.case_id == case_id)
        .order_by(EvidenceCapture.captured_at.desc(), EvidenceCapture.id.desc())
        .limit(1)
    ).first()
    return Notice(
        template=notice_template(template),
        rights_holder=holder or NoticeParty(ctx.owner),
        brand=ctx.brand,
        case=summary,
        registrations=_registrations(summary.mark_id, ctx),
        evidence=summary.evidence,
        captured_at=ctx.local(capture.captured_at) if capture else None,
        issued_on=issued_on or ctx.local(ctx.now).date(),
    )


# ---------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------


def export_cases(
    session: Session,
    ctx: ReportContext,
    *,
    statuses: Sequence[str] = (),
    platforms: Sequence[str] = (),
    codes: Sequence[str] = (),
) -> list[CaseSummary]:
    """Every case matching the filters, highest risk first, without images (a tracking table)."""
    query = select(Case.id).join(Platform, Platform.id == Case.platform_id)
    if statuses:
        query = query.where(Case.status.in_(statuses))
    if platforms:
        query = query.where(Platform.slug.in_(platforms))
    if codes:
        query = query.where(Case.code.in_(codes))
    ids = list(session.scalars(query.order_by(Case.risk.desc(), Case.id)))
    groups = _operator_groups(session)
    per_group: dict[int, int] = defaultdict(int)
    seller_of = dict(session.execute(select(Case.id, Case.seller_id)).all())
    for seller_id in seller_of.values():
        per_group[groups.get(seller_id, seller_id)] += 1
    repeat = {case_id: per_group[groups.get(seller_of[case_id], seller_of[case_id])] for case_id in ids}
    summaries = _summaries(session, ids, ctx, at=ctx.now, repeat=repeat)
    return [summaries[case_id] for case_id in ids if case_id in summaries]
