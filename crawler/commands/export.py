"""`haopin export cases`: the case tracking table for the association (CSV for Excel, or XLSX)."""

from __future__ import annotations

from pathlib import Path

from crawler.cli import UsageError
from crawler.commands.report import add_common_options, load_context, open_database


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "export",
        help="导出: the case table as CSV or XLSX",
        description="导出案件台账 — every case (or a filtered set), highest risk first, as CSV (UTF-8 with BOM, "
        "opens in Excel) or XLSX. Cells that a spreadsheet would run as formulas are neutralised.",
    )
    parser.add_argument("what", choices=["cases"], help="what to export")
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv", help="file format (default csv)")
    parser.add_argument("--out", metavar="FILE", help="output file (default: data/exports/cases-<date>.<format>)")
    parser.add_argument("--status", action="append", default=[], metavar="STATUS", help="only this status (repeatable)")
    parser.add_argument("--platform", action="append", default=[], metavar="SLUG", help="only this platform (repeatable)")
    parser.add_argument("--code", action="append", default=[], metavar="CODE", help="only this violation code (repeatable)")
    add_common_options(parser)
    parser.set_defaults(handler=run)


def run(args) -> int:
    from cases.models import CASE_STATUSES
    from cases.reporting import export_cases
    from crawler.datadir import data_dir
    from matchers.records import VIOLATION_CODES
    from reports.export import write_cases

    for status in args.status:
        if status not in CASE_STATUSES:
            raise UsageError(f"--status {status!r} is not a status; statuses are: {', '.join(CASE_STATUSES)}")
    for code in args.code:
        if code not in VIOLATION_CODES:
            raise UsageError(f"--code {code!r} is not a violation code; codes are: {', '.join(VIOLATION_CODES)}")
    ctx = load_context(args)
    if args.out:
        destination = Path(args.out)
    else:
        destination = data_dir() / "exports" / f"cases-{ctx.local(ctx.now):%Y%m%d-%H%M}.{args.format}"
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"--out {destination}: {error.strerror}") from None
    factory = open_database(args)
    with factory() as session:
        cases = export_cases(session, ctx, statuses=args.status, platforms=args.platform, codes=args.code)
    try:
        count = write_cases(cases, destination, format=args.format)
    except OSError as error:
        raise UsageError(f"cannot write {destination}: {error.strerror}") from None
    print(f"{count} cases → {destination}")
    return 0
