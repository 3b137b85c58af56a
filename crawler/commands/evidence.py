"""`haopin evidence capture CASE` and `haopin evidence verify CASE|DIR`."""

from __future__ import annotations

from pathlib import Path

from cases.labels import printable
from crawler.cli import UsageError


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "evidence",
        help="取证: capture a case's listing pages, or verify a capture has not changed",
        description="取证 — screenshot, rendered page, PDF, raw HTTP (WARC) and images of a case's listings, "
        "sealed with SHA-256 hashes; verify re-checks every file.",
    )
    parser.add_argument(
        "--db", metavar="URL", help="database URL (default: HAOPIN_DATABASE_URL or data/haopin.sqlite)"
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    capture = actions.add_parser(
        "capture",
        help="capture every listing of a case (or one with --listing), or any page with --url",
    )
    capture.add_argument("case", type=int, nargs="?", metavar="CASE", help="case number")
    capture.add_argument(
        "--url", help="capture this page (one an officer found by hand); with CASE it is filed under the case"
    )
    capture.add_argument(
        "--listing", type=int, metavar="ID", help="only this listing (database id from `cases show`)"
    )
    capture.add_argument("--out", metavar="DIR", help="evidence folder (default: <data dir>/evidence)")
    capture.add_argument("--by", metavar="OFFICER", default="haopin", help="recorded in the case history")
    capture.add_argument(
        "--timeout", type=float, default=45.0, help="seconds to wait for the page (default 45)"
    )
    capture.set_defaults(handler=run_capture)

    verify = actions.add_parser("verify", help="re-hash a capture folder, or every capture of a case")
    verify.add_argument("target", metavar="CASE|DIR", help="case number, or a capture folder")
    verify.set_defaults(handler=run_verify)


def _sessions(args):
    from cases.db import database_url, describe_url, open_session_factory

    url = args.db or database_url()
    try:
        return open_session_factory(url)
    except Exception as error:  # connection refused, bad URL: one line, not a traceback
        raise UsageError(f"cannot open the case database {describe_url(url)}: {error}") from error


def run_capture(args) -> int:
    from crawler.evidence import EvidenceError, capture_case, capture_url

    if args.timeout <= 0:
        raise UsageError("--timeout must be positive")
    if args.case is None and not args.url:
        raise UsageError("give a case number, or --url for a page")
    if args.url and args.listing is not None:
        raise UsageError("--listing picks one of a case's listings; it cannot be combined with --url")
    Session = _sessions(args)
    root = Path(args.out) if args.out else None
    try:
        if args.url:
            results = [
                capture_url(
                    Session,
                    args.url,
                    case_id=args.case,
                    root=root,
                    actor=args.by,
                    timeout_ms=int(args.timeout * 1000),
                )
            ]
        else:
            results = capture_case(
                Session,
                args.case,
                root=root,
                listing_id=args.listing,
                actor=args.by,
                timeout_ms=int(args.timeout * 1000),
            )
    except EvidenceError as error:
        raise UsageError(str(error)) from error
    status = 0
    for result in results:
        print(printable(f"取证完成 {result.url}"))
        print(f"  目录: {result.directory}")
        print(f"  文件: {len(result.files)} 个，清单 SHA-256 {result.manifest_sha256}")
        print(printable(f"  HTTP 状态: {result.http_status or '—'}   最终地址: {result.final_url or '—'}"))
        for problem in result.problems:
            print(printable(f"  注意: {problem}"))
        if not result.complete:
            print("  取证不完整 (incomplete capture): see the notes above")
            status = 1
    return status


def _print_report(report) -> None:
    verdict = "通过 (verified)" if report.passed else "未通过 (FAILED)"
    print(f"{report.directory}: {verdict}，{len(report.ok)} 个文件未改动")
    for label, names in (
        ("已改动 changed", report.changed),
        ("缺失 missing", report.missing),
        ("多出 added", report.added),
    ):
        for name in names:
            print(printable(f"  {label}: {name}"))
    for problem in report.problems:
        print(printable(f"  问题 problem: {problem}"))


def run_verify(args) -> int:
    from crawler.evidence import EvidenceError, verify_case, verify_directory

    target = Path(args.target)
    if target.is_dir():
        reports = [verify_directory(target)]
    elif args.target.isdigit():
        try:
            reports = verify_case(_sessions(args), int(args.target))
        except EvidenceError as error:
            raise UsageError(str(error)) from error
        if not reports:
            raise UsageError(
                f"case {args.target} has no evidence captures yet (haopin evidence capture {args.target})"
            )
    else:
        raise UsageError(f"{args.target}: neither a case number nor a capture folder")
    for report in reports:
        _print_report(report)
    return 0 if all(report.passed for report in reports) else 1
