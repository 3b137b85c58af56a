"""`haopin run weekly`: the week's whole job against the configured platforms (for a timer or cron)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from crawler.cli import BUNDLED_PACK, UsageError

WEEK_PATTERN = re.compile(r"^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "run",
        help="运行每周任务: crawl, scan, store cases, capture evidence, write the weekly report",
        description=(
            "每周监测任务：爬取配置的平台，检测文字、图标和图片中的文字，案件入库，为新案件取证，生成周报。"
            " Each run keeps its own folder under <data>/runs/<week>/; a second run while one is going is refused."
            " Exit status: 0 all stages ok, 1 a stage failed (results so far are kept), 2 usage or brand pack"
            " error, 4 another run is in progress."
        ),
    )
    jobs = parser.add_subparsers(dest="job", metavar="JOB", required=True)
    weekly = jobs.add_parser("weekly", help="the weekly scan (每周监测)")
    add_job_options(weekly)
    weekly.add_argument("--config", metavar="FILE", type=Path,
                        help="project config with the platforms' addresses (default: haopin.yaml in the data folder)")
    weekly.add_argument("--platform", action="append", metavar="P", dest="platforms", default=[],
                        help="only this platform (repeatable; default: every enabled platform)")
    weekly.set_defaults(handler=run_weekly)


def add_job_options(parser) -> None:
    parser.add_argument("--brand-pack", metavar="DIR", type=Path, default=BUNDLED_PACK,
                        help="品牌包目录 (default: the bundled brandpacks/fengjie)")
    parser.add_argument("--week", metavar="YYYY-Www", help="ISO week the report covers (default: this week)")
    parser.add_argument("--db", metavar="URL", help="database URL (default: HAOPIN_DATABASE_URL or the SQLite file)")
    parser.add_argument("--no-evidence", action="store_true", help="do not capture evidence for new cases")
    parser.add_argument("--evidence-limit", type=int, metavar="N",
                        help="capture evidence for at most N new cases, highest risk first (default: all)")
    parser.add_argument("--no-pdf", action="store_true", help="write the report as HTML only")


def job_options(args, *, market: str | None = None, config: Path | None = None, platforms=()):
    from cases.db import database_url
    from crawler.cli import load_pack_or_usage_error
    from crawler.job import JobOptions, current_week

    if args.week and not WEEK_PATTERN.match(args.week):
        raise UsageError(f"--week {args.week!r}: expected an ISO week such as 2026-W48")
    if args.evidence_limit is not None and args.evidence_limit < 1:
        raise UsageError("--evidence-limit must be at least 1")
    pack = load_pack_or_usage_error(str(args.brand_pack))
    return JobOptions(
        pack=pack,
        pack_dir=args.brand_pack.resolve(),
        week=args.week or current_week(pack.timezone),
        database_url=args.db or database_url(),
        config=config,
        market=market,
        platforms=tuple(platforms),
        evidence=not args.no_evidence,
        evidence_limit=args.evidence_limit,
        pdf=not args.no_pdf,
    )


def echo(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_weekly(args) -> int:
    from crawler.config import CONFIG_FILENAME
    from crawler.datadir import data_dir
    from crawler.job import JobError, run_job

    config = args.config or data_dir() / CONFIG_FILENAME
    options = job_options(args, config=config, platforms=args.platforms)
    if not config.is_file():
        # Without a config every platform points at the demo marketplace's default address:
        # a weekly run would "find" nothing and look like a quiet week.
        raise UsageError(f"no platform configuration at {config}: write it first (README, \"Running every week\") "
                         "or pass --config FILE")
    try:
        result = run_job(options, echo=echo)
    except JobError as error:
        echo(f"haopin run weekly: {error}")
        return 4
    print_outcome(result)
    return result.exit_status


def print_outcome(result) -> None:
    html = next((p for p in result.report_files if p.suffix == ".html"), None)
    pdf = next((p for p in result.report_files if p.suffix == ".pdf"), None)
    print(f"周报 report: {html or '(not written)'}" + (f"  PDF: {pdf}" if pdf else ""))
    print(f"本次运行 run folder: {result.run_dir}")
    if result.crawl_status:
        print("注意: 有平台爬取失败，见上方爬取记录 (a platform's crawl failed; see the crawl lines above)")
    if result.evidence_failed:
        print(f"注意: {len(result.evidence_failed)} 个案件取证失败 (evidence capture failed), see run.json")
