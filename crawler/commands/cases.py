"""`haopin cases`: list, inspect and work cases (the officer's side of the case database)."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import unicodedata
from datetime import datetime

from crawler.cli import UsageError

OFFICER_ENV = "HAOPIN_OFFICER"


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "cases",
        help="案件: list, show and work infringement cases",
        description="案件管理 — list, show and work infringement cases. Every change is recorded with who and when.",
    )
    parser.add_argument(
        "--db", metavar="URL", help="database URL (default: HAOPIN_DATABASE_URL or data/haopin.sqlite)"
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="列出案件: cases matching filters, newest activity first")
    listing.add_argument(
        "--status",
        action="append",
        default=[],
        metavar="STATUS",
        help="new, triaged, confirmed, notice_sent, removed, dismissed, escalated (repeatable)",
    )
    listing.add_argument(
        "--open", action="store_true", help="only cases still being worked (not removed/dismissed)"
    )
    listing.add_argument("--platform", help="platform slug, e.g. demo-taobao")
    listing.add_argument("--code", help="violation code, e.g. GI_FALSE_ORIGIN")
    listing.add_argument("--mark", help="mark id, e.g. FJQC")
    listing.add_argument("--week", help="ISO week the listings were seen, e.g. 2026-W48 (China time)")
    listing.add_argument("--seller", help="shop id, or part of a shop or company name")
    listing.add_argument("--min-risk", type=float, metavar="R", help="only cases with risk ≥ R (0–1)")
    listing.add_argument("--assignee", help="only cases assigned to this officer")
    listing.add_argument(
        "--unseen-days",
        type=int,
        metavar="N",
        help="only cases not seen by any crawl for N days (listing probably taken down: check, then set removed)",
    )
    listing.add_argument("--limit", type=int, default=200, help="at most this many rows (default 200)")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    listing.set_defaults(handler=run_list)

    show = actions.add_parser(
        "show", help="案件详情: one case with its listings, reasons, history and evidence"
    )
    show.add_argument("case", type=int, metavar="CASE", help="case number")
    show.set_defaults(handler=run_show)

    status = actions.add_parser("set-status", help="变更状态: move a case along the workflow")
    status.add_argument("case", type=int, metavar="CASE")
    status.add_argument(
        "status",
        metavar="STATUS",
        help="triaged, confirmed, notice_sent, removed, dismissed (needs --note), escalated",
    )
    status.add_argument("--note", help="why (required for dismissed: the reason it is a false flag)")
    _add_actor(status)
    status.set_defaults(handler=run_set_status)

    note = actions.add_parser("note", help="添加备注: add a note to a case's history")
    note.add_argument("case", type=int, metavar="CASE")
    note.add_argument("text", metavar="TEXT")
    _add_actor(note)
    note.set_defaults(handler=run_note)

    assign = actions.add_parser("assign", help="指派: give a case to an officer ('' to unassign)")
    assign.add_argument("case", type=int, metavar="CASE")
    assign.add_argument("officer", metavar="OFFICER")
    _add_actor(assign)
    assign.set_defaults(handler=run_assign)

    repeat = actions.add_parser("repeat", help="屡犯: sellers with several cases")
    repeat.add_argument("--min-cases", type=int, default=2)
    repeat.set_defaults(handler=run_repeat)

    allow = actions.add_parser(
        "allowlist", help="白名单: listings dismissed as false flags (not flagged again)"
    )
    allow.add_argument(
        "--revoke", type=int, metavar="ENTRY", help="take this entry off, so it is flagged again"
    )
    allow.add_argument("--all", action="store_true", help="also show revoked entries")
    allow.add_argument("--note", help="why the entry is revoked (required with --revoke)")
    _add_actor(allow)
    allow.set_defaults(handler=run_allowlist)

    licensees = actions.add_parser("import-licensees", help="导入授权名单: load a brand pack's licensees.csv")
    licensees.add_argument("pack", metavar="PACK", help="brand pack folder, e.g. brandpacks/fengjie")
    licensees.set_defaults(handler=run_import_licensees)


def _add_actor(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--by",
        metavar="OFFICER",
        help=f"who is making the change (default: ${OFFICER_ENV} or your login name)",
    )


def _actor(args) -> str:
    actor = args.by or os.environ.get(OFFICER_ENV) or getpass.getuser()
    if not actor.strip():
        raise UsageError("say who is making the change with --by NAME")
    return actor.strip()


def _sessions(args):
    from cases.db import database_url, describe_url, open_session_factory

    url = args.db or database_url()
    try:
        return open_session_factory(url)
    except Exception as error:  # connection refused, bad URL, unwritable file: one line, not a traceback
        raise UsageError(f"cannot open the case database {describe_url(url)}: {error}") from error


def _local(moment: datetime | None) -> str:
    from cases.queries import OFFICE_TZ

    return moment.astimezone(OFFICE_TZ).strftime("%Y-%m-%d %H:%M") if moment else "—"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _clip(text: str, width: int) -> str:
    out, used = "", 0
    for ch in text:
        w = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if used + w > width - 1 and _width(text) > width:
            return out + "…"
        out, used = out + ch, used + w
    return out


def _table(headers: list[str], rows: list[list[str]], limits: dict[int, int] | None = None) -> str:
    from cases.labels import printable

    limits = limits or {}
    rows = [[printable(cell) for cell in row] for row in rows]
    rows = [[_clip(cell, limits[i]) if i in limits else cell for i, cell in enumerate(row)] for row in rows]
    widths = [max(_width(cell) for cell in column) for column in zip(headers, *rows, strict=False)]
    lines = []
    for row in [headers, *rows]:
        lines.append(
            "  ".join(cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)).rstrip()
        )
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _shop(seller) -> str:
    return seller.name or seller.company or seller.shop_id or "（未知店铺）"


def run_list(args) -> int:
    from cases.labels import CODE_LABELS, STATUS_LABELS
    from cases.models import ACTIVE_STATUSES
    from cases.queries import CaseFilter, case_counts, list_cases

    statuses = list(args.status) + (list(ACTIVE_STATUSES) if args.open else [])
    filters = CaseFilter(
        statuses=tuple(statuses),
        platform=args.platform,
        code=args.code,
        mark=args.mark,
        week=args.week,
        seller=args.seller,
        min_risk=args.min_risk,
        assignee=args.assignee,
        unseen_days=args.unseen_days,
    )
    try:
        filters.validate()
    except ValueError as error:
        raise UsageError(str(error)) from error
    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    Session = _sessions(args)
    with Session() as session:
        found = list_cases(session, filters, limit=args.limit)
        counts = case_counts(session, [case.seller_id for case in found])
        if args.json:
            json.dump([_case_json(case) for case in found], sys.stdout, ensure_ascii=False, indent=1)
            print()
            return 0
        if not found:
            print("没有符合条件的案件 (no matching cases)")
            return 0
        rows = [
            [
                f"#{case.id}",
                f"{STATUS_LABELS.get(case.status, case.status)}",
                f"{CODE_LABELS.get(case.code, case.code)}",
                case.mark,
                case.platform.slug,
                _shop(case.seller),
                str(len(case.listings)),
                f"{case.risk:.2f}",
                _local(case.opened_at),
                _local(case.last_seen_at),
                case.assignee or "",
                _remarks(case, counts),
            ]
            for case in found
        ]
        headers = [
            "编号",
            "状态",
            "违法类型",
            "标志",
            "平台",
            "店铺",
            "商品数",
            "风险",
            "首次发现",
            "最近发现",
            "承办人",
            "备注",
        ]
        print(_table(headers, rows, limits={5: 24}))
        print(
            f"\n共 {len(found)} 件 ({len(found)} cases)"
            + ("，已截断 (truncated)" if len(found) == args.limit else "")
        )
    return 0


def _remarks(case, counts: dict[int, int]) -> str:
    remarks = []
    if case.relisting_of_id:
        remarks.append(f"重新上架(原#{case.relisting_of_id})")
    if counts.get(case.seller_id, 0) > 1:
        remarks.append(f"屡犯({counts[case.seller_id]}案)")
    return " ".join(remarks)


def _case_json(case) -> dict:
    return {
        "id": case.id,
        "status": case.status,
        "code": case.code,
        "mark": case.mark,
        "platform": case.platform.slug,
        "seller": {
            "shop_key": case.seller.shop_key,
            "name": case.seller.name,
            "company": case.seller.company,
        },
        "listings": len(case.listings),
        "risk": case.risk,
        "opened_at": case.opened_at.isoformat(),
        "last_seen_at": case.last_seen_at.isoformat(),
        "assignee": case.assignee,
        "relisting_of": case.relisting_of_id,
    }


def run_show(args) -> int:
    from sqlalchemy import select

    from cases.labels import EVENT_LABELS, code_label, printable, status_label
    from cases.models import Seller, Violation
    from cases.queries import seller_case_count
    from cases.store import linked_seller_ids
    from cases.workflow import CaseNotFound, allowed_transitions, get_case
    from crawler.evidence import capture_directory

    Session = _sessions(args)
    with Session() as session:
        try:
            case = get_case(session, args.case)
        except CaseNotFound as error:
            raise UsageError(str(error)) from error
        seller = case.seller
        out = [
            f"案件 #{case.id}  {code_label(case.code)}  标志 {case.mark}",
            f"状态: {status_label(case.status)}"
            + (f"  理由: {case.status_reason}" if case.status_reason else ""),
            f"风险: {case.risk:.2f}   承办人: {case.assignee or '（未指派）'}",
            f"首次发现: {_local(case.opened_at)}   最近发现: {_local(case.last_seen_at)}"
            + (f"   结案: {_local(case.closed_at)}" if case.closed_at else ""),
            f"平台: {case.platform.slug}   店铺: {_shop(seller)} (店铺编号 {seller.shop_id or seller.shop_key})",
        ]
        if seller.company:
            out.append(f"经营主体: {seller.company}")
        if seller.location:
            out.append(f"所在地: {seller.location}")
        if case.relisting_of_id:
            out.append(f"重新上架: 此前案件 #{case.relisting_of_id} 已下架后再次出现")
        total = seller_case_count(session, seller.id)
        if total > 1:
            out.append(f"屡犯: 该店铺共有 {total} 件案件")
        for other_id in linked_seller_ids(session, seller.id):
            other = session.get(Seller, other_id)
            their_cases = ", ".join(f"#{other_case.id}" for other_case in other.cases) or "无案件"
            out.append(
                f"关联店铺: {other.platform.slug} {_shop(other)}（同一经营者，依据店铺名/公司名）: {their_cases}"
            )
        allowed = allowed_transitions(case.status)
        out.append("可变更为: " + (", ".join(status_label(s) for s in allowed) if allowed else "（已结案）"))

        out.append("\n涉案商品 (listings):")
        for link in case.listings:
            listing = link.listing
            out.append(f"  - {listing.platform.slug}:{listing.external_id}  {listing.title}")
            out.append(f"    {listing.url}")
            out.append(
                f"    发现 {link.times_seen} 次，{_local(link.first_seen_at)} 至 {_local(link.last_seen_at)}"
            )
        reasons = session.scalars(
            select(Violation.reason).where(Violation.case_id == case.id).distinct().order_by(Violation.reason)
        ).all()
        out.append("\n判定理由 (why flagged):")
        out.extend(f"  - {reason}" for reason in reasons[:10])
        basis = session.scalars(
            select(Violation.legal_basis).where(Violation.case_id == case.id).limit(1)
        ).first()
        if basis:
            out.append(f"法律依据: {basis}")

        out.append("\n处理记录 (history):")
        for event in case.events:
            change = ""
            if event.from_status or event.to_status:
                change = f" {status_label(event.from_status) if event.from_status else ''} → {status_label(event.to_status)}"
            label = EVENT_LABELS.get(event.kind, event.kind)
            note = f"  {event.note}" if event.note else ""
            out.append(f"  {_local(event.at)}  {event.actor}  {label}{change}{note}")

        if case.captures:
            out.append("\n证据 (evidence):")
            for capture in case.captures:
                out.append(
                    f"  - 取证 #{capture.id} {_local(capture.captured_at)}  {capture_directory(capture.directory)}"
                    f"  ({len(capture.files)} 个文件, HTTP {capture.http_status or '—'})"
                )
        print("\n".join(printable(line) for line in out))
    return 0


def _change(args, apply) -> int:
    from cases.labels import status_label
    from cases.workflow import CaseNotFound, WorkflowError, get_case

    actor = _actor(args)
    Session = _sessions(args)
    try:
        with Session.begin() as session:
            case = get_case(session, args.case)
            message = apply(session, case, actor)
            summary = f"案件 #{case.id}: {message}（当前 {status_label(case.status)}）"
    except (CaseNotFound, WorkflowError) as error:
        raise UsageError(str(error)) from error
    print(summary)
    return 0


def run_set_status(args) -> int:
    from cases.labels import status_label
    from cases.workflow import set_status

    def apply(session, case, actor):
        before = case.status
        set_status(session, case, args.status, actor=actor, note=args.note)
        extra = "；该商品已加入白名单，不再重复标记" if args.status == "dismissed" else ""
        return f"{status_label(before)} → {status_label(args.status)}，操作人 {actor}{extra}"

    return _change(args, apply)


def run_note(args) -> int:
    from cases.workflow import add_note

    def apply(session, case, actor):
        add_note(session, case, args.text, actor=actor)
        return f"已添加备注，操作人 {actor}"

    return _change(args, apply)


def run_assign(args) -> int:
    from cases.workflow import assign

    def apply(session, case, actor):
        assign(session, case, args.officer, actor=actor)
        return f"已指派给 {case.assignee or '（无）'}，操作人 {actor}"

    return _change(args, apply)


def run_repeat(args) -> int:
    from cases.queries import repeat_infringers

    Session = _sessions(args)
    with Session() as session:
        rows = repeat_infringers(session, min_cases=args.min_cases)
        if not rows:
            print("没有屡犯店铺 (no repeat infringers)")
            return 0
        table = [
            [
                seller.platform.slug,
                _shop(seller),
                seller.company or "",
                str(row.case_count),
                str(len(row.linked_seller_ids)),
            ]
            for row in rows
            for seller in [row.seller]
        ]
        print(_table(["平台", "店铺", "经营主体", "案件数", "关联店铺数"], table))
    return 0


def run_allowlist(args) -> int:
    from sqlalchemy import select

    from cases.labels import CODE_LABELS
    from cases.models import AllowListEntry
    from cases.workflow import CaseNotFound, WorkflowError, revoke_allow_entry

    Session = _sessions(args)
    if args.revoke is not None:
        actor = _actor(args)
        try:
            with Session.begin() as session:
                revoke_allow_entry(session, args.revoke, actor=actor, note=args.note or "")
        except (CaseNotFound, WorkflowError) as error:
            raise UsageError(str(error)) from error
        print(f"白名单条目 #{args.revoke} 已撤销，该商品今后会再次被标记，操作人 {actor}")
        return 0
    with Session() as session:
        query = select(AllowListEntry).order_by(AllowListEntry.id)
        if not args.all:
            query = query.where(AllowListEntry.revoked_at.is_(None))
        entries = session.scalars(query).all()
        if not entries:
            print("白名单为空 (the allow-list is empty)")
            return 0
        rows = [
            [
                f"#{entry.id}",
                f"{entry.listing.platform.slug}:{entry.listing.external_id}",
                entry.mark,
                CODE_LABELS.get(entry.code, entry.code),
                f"#{entry.case_id}" if entry.case_id else "",
                entry.actor,
                _local(entry.created_at),
                entry.reason,
                "" if entry.active else f"已撤销 {_local(entry.revoked_at)} {entry.revoked_by}",
            ]
            for entry in entries
        ]
        headers = ["条目", "商品", "标志", "违法类型", "来源案件", "操作人", "时间", "理由", "状态"]
        print(_table(headers, rows, limits={7: 40}))
    return 0


def run_import_licensees(args) -> int:
    from pathlib import Path

    from cases.licensees import import_licensees

    try:
        from matchers.pack import load_pack

        pack = load_pack(Path(args.pack))
    except Exception as error:
        raise UsageError(f"{args.pack}: {error}") from error
    Session = _sessions(args)
    with Session.begin() as session:
        result = import_licensees(session, pack.licensees, source=str(Path(args.pack) / "licensees.csv"))
    print(
        f"授权名单已导入: 新增 {result.added}，变更 {result.changed}，未变 {result.unchanged}，"
        f"移出名单 {result.removed}"
    )
    return 0
