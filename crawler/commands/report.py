"""`haopin report weekly|case`: the weekly enforcement report and a case's evidence dossier (HTML + PDF).

Shared option handling for `notice` and `export` lives here too (brand pack,
database, case lookup), so the three commands behave alike.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from crawler.cli import BUNDLED_PACK, UsageError

PACK_ENV = "HAOPIN_BRAND_PACK"


def add_common_options(parser) -> None:
    parser.add_argument(
        "--db", metavar="URL", help="database URL (default: HAOPIN_DATABASE_URL or data/haopin.sqlite)"
    )
    parser.add_argument(
        "--brand-pack",
        metavar="DIR",
        help=f"brand pack folder for registered marks and logos (default: ${PACK_ENV} or the bundled fengjie pack)",
    )


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "report",
        help="报告: weekly enforcement report, case dossier (HTML + PDF)",
        description="监测周报与案件卷宗 — the weekly enforcement report and a case's evidence dossier, as HTML and PDF.",
    )
    kinds = parser.add_subparsers(dest="kind", metavar="KIND", required=True)

    weekly = kinds.add_parser(
        "weekly", help="监测周报: figures, 12-week trends, repeat infringers, cases by risk"
    )
    weekly.add_argument(
        "--week", metavar="YYYY-Www", help="ISO week, e.g. 2026-W48 (default: the current week)"
    )
    weekly.add_argument("--out", metavar="DIR", help="output folder (default: data/reports)")
    weekly.add_argument(
        "--detail",
        type=int,
        default=100,
        metavar="N",
        help="cases shown with full details, thumbnails and comparison (default 100); the rest in a table",
    )
    weekly.add_argument("--no-pdf", action="store_true", help="write the HTML and CSV only")
    add_common_options(weekly)
    weekly.set_defaults(handler=run_weekly)

    case = kinds.add_parser("case", help="案件卷宗: the 电子数据提取笔录 of one case")
    case.add_argument("case", type=int, metavar="CASE", help="case number")
    case.add_argument("--out", metavar="DIR", help="output folder (default: data/reports)")
    case.add_argument("--no-pdf", action="store_true", help="write the HTML only")
    add_common_options(case)
    case.set_defaults(handler=run_case)


def load_context(args):
    """The ReportContext for the chosen brand pack, or UsageError naming the pack's problems."""
    from cases.reporting import ReportContext
    from crawler.cli import load_pack_or_usage_error
    from crawler.datadir import data_dir

    directory = Path(args.brand_pack or os.environ.get(PACK_ENV) or BUNDLED_PACK)
    pack = load_pack_or_usage_error(directory)
    return ReportContext.for_pack(pack, evidence_root=data_dir())


def open_database(args):
    from cases.db import database_url, describe_url, open_session_factory

    url = args.db or database_url()
    try:
        return open_session_factory(url)
    except Exception as error:  # noqa: BLE001 - any driver error becomes one readable line
        raise UsageError(f"cannot open the case database {describe_url(url)}: {error}") from None


def output_dir(args) -> Path:
    from crawler.datadir import data_dir

    directory = Path(args.out) if args.out else data_dir() / "reports"
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"--out {directory}: {error.strerror}") from None
    return directory


def pdf_failed(error) -> int:
    print(f"PDF not written: {error}", file=sys.stderr)
    return 1


def run_weekly(args) -> int:
    from cases.reporting import IsoWeek
    from reports.build import write_weekly_report
    from reports.pdf import PdfError, write_pdfs
    from reports.render import render_weekly_html

    ctx = load_context(args)
    if args.detail < 0:
        raise UsageError("--detail must be 0 or more")
    current = IsoWeek.containing(ctx.local(ctx.now).date())
    try:
        week = {None: current, "this": current, "last": current.shifted(-1)}.get(args.week) or IsoWeek.parse(args.week)
    except ValueError as error:
        raise UsageError(f"--week {error}") from None
    out = output_dir(args)
    factory = open_database(args)
    started = time.perf_counter()
    html_only = write_weekly_report(factory, ctx, week, out, detail=args.detail, pdf=False)
    report = html_only.weekly
    print(
        f"{week.label}: {report.totals.new} new, {report.totals.open} open, {report.totals.closed} closed; "
        f"{len(report.cases)} cases listed"
    )
    print(f"HTML {html_only.html} ({time.perf_counter() - started:.1f} s)")
    print(f"CSV  {html_only.csv}")
    if args.no_pdf:
        return 0
    started = time.perf_counter()
    pdf_path = out / f"weekly-{week.label}.pdf"
    try:
        write_pdfs([(render_weekly_html(report, for_print=True), pdf_path)])
    except PdfError as error:
        return pdf_failed(error)
    print(f"PDF  {pdf_path} ({time.perf_counter() - started:.1f} s)")
    return 0


def run_case(args) -> int:
    from cases.reporting import CaseNotFound
    from reports.build import write_case_dossier
    from reports.pdf import PdfError

    ctx = load_context(args)
    out = output_dir(args)
    factory = open_database(args)
    try:
        outputs = write_case_dossier(factory, ctx, args.case, out, pdf=not args.no_pdf)
    except CaseNotFound as error:
        raise UsageError(str(error)) from None
    except PdfError as error:
        print(f"HTML {out / f'case-{args.case}.html'}")
        return pdf_failed(error)
    print(f"HTML {outputs.html}")
    if outputs.pdf:
        print(f"PDF  {outputs.pdf}")
    return 0
