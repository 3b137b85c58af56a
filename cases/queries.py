"""Read-side queries over the case database: case lists with filters, repeat infringers, weeks."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from cases.models import CASE_STATUSES, Case, Platform, Seller, utcnow
from cases.store import linked_seller_ids

# Weeks are the officers' weeks: ISO weeks in China Standard Time.
OFFICE_TZ = ZoneInfo("Asia/Shanghai")
_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


def parse_week(text: str, tz: ZoneInfo = OFFICE_TZ) -> tuple[datetime, datetime]:
    """'2026-W48' → [Monday 00:00, next Monday 00:00) in the office time zone."""
    match = _WEEK.match(text.strip())
    if not match:
        raise ValueError(f"week {text!r} is not in the form 2026-W48")
    year, week = int(match.group(1)), int(match.group(2))
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValueError(f"week {text!r} does not exist (ISO weeks run 1–52 or 53)") from None
    start = datetime(monday.year, monday.month, monday.day, tzinfo=tz)
    return start, start + timedelta(days=7)


@dataclass(frozen=True)
class CaseFilter:
    statuses: Sequence[str] = ()
    platform: str | None = None
    code: str | None = None
    mark: str | None = None
    week: str | None = None
    seller: str | None = None
    min_risk: float | None = None
    assignee: str | None = None
    # Not seen for this many days: on a weekly crawl, a sign the listing is gone (confirm, then `removed`).
    unseen_days: int | None = None

    def validate(self) -> None:
        unknown = [status for status in self.statuses if status not in CASE_STATUSES]
        if unknown:
            raise ValueError(f"unknown status {unknown[0]!r}; statuses are: {', '.join(CASE_STATUSES)}")
        if self.min_risk is not None and not 0.0 <= self.min_risk <= 1.0:
            raise ValueError(f"minimum risk {self.min_risk} is outside [0, 1]")
        if self.week is not None:
            parse_week(self.week)
        if self.unseen_days is not None and self.unseen_days < 1:
            raise ValueError(f"unseen days must be at least 1, not {self.unseen_days}")


def case_query(filters: CaseFilter) -> Select[tuple[Case]]:
    """Cases matching every given filter, newest activity first.

    `week` keeps cases whose listings were seen during that week (opened before its
    end and last seen after its start). `seller` matches a shop id, or part of a
    shop or company name.
    """
    filters.validate()
    query = (
        select(Case).join(Seller, Case.seller_id == Seller.id).join(Platform, Case.platform_id == Platform.id)
    )
    if filters.statuses:
        query = query.where(Case.status.in_(filters.statuses))
    if filters.platform:
        query = query.where(Platform.slug == filters.platform)
    if filters.code:
        query = query.where(Case.code == filters.code.upper())
    if filters.mark:
        query = query.where(Case.mark == filters.mark)
    if filters.week:
        start, end = parse_week(filters.week)
        query = query.where(Case.opened_at < end, Case.last_seen_at >= start)
    if filters.seller:
        pattern = f"%{filters.seller}%"
        query = query.where(
            or_(Seller.shop_key == filters.seller, Seller.name.ilike(pattern), Seller.company.ilike(pattern))
        )
    if filters.min_risk is not None:
        query = query.where(Case.risk >= filters.min_risk)
    if filters.assignee:
        query = query.where(Case.assignee == filters.assignee)
    if filters.unseen_days is not None:
        query = query.where(Case.last_seen_at < utcnow() - timedelta(days=filters.unseen_days))
    return query.order_by(Case.last_seen_at.desc(), Case.id.desc()).options(
        selectinload(Case.seller), selectinload(Case.platform), selectinload(Case.listings)
    )


def list_cases(
    session: Session, filters: CaseFilter = CaseFilter(), *, limit: int | None = None
) -> list[Case]:
    query = case_query(filters)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


@dataclass(frozen=True)
class RepeatInfringer:
    seller: Seller
    case_count: int
    linked_seller_ids: tuple[int, ...]


def repeat_infringers(session: Session, *, min_cases: int = 2) -> list[RepeatInfringer]:
    """Sellers with at least `min_cases` cases (any status, any mark or code), most cases first."""
    counts = (
        select(Case.seller_id, func.count(Case.id).label("n"))
        .group_by(Case.seller_id)
        .having(func.count(Case.id) >= min_cases)
        .subquery()
    )
    rows = session.execute(
        select(Seller, counts.c.n)
        .join(counts, counts.c.seller_id == Seller.id)
        .order_by(counts.c.n.desc(), Seller.id)
    ).all()
    return [
        RepeatInfringer(
            seller=seller, case_count=n, linked_seller_ids=tuple(linked_seller_ids(session, seller.id))
        )
        for seller, n in rows
    ]


def seller_case_count(session: Session, seller_id: int) -> int:
    return session.scalar(select(func.count(Case.id)).where(Case.seller_id == seller_id)) or 0


def case_counts(session: Session, seller_ids: Sequence[int]) -> dict[int, int]:
    """How many cases each of these sellers has (any status): two or more makes a repeat infringer."""
    if not seller_ids:
        return {}
    rows = session.execute(
        select(Case.seller_id, func.count(Case.id))
        .where(Case.seller_id.in_(set(seller_ids)))
        .group_by(Case.seller_id)
    )
    return {seller_id: count for seller_id, count in rows}
