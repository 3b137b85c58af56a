"""`haopin scan`: judge listing records (JSONL) against a brand pack, writing findings (JSONL)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "scan",
        help="scan listing records with a brand pack (检测侵权)",
        description=(
            "Read listing records (JSON Lines), write one finding per valid listing in input order. "
            "Invalid lines are reported on stderr and written to OUTPUT.rejects.jsonl. "
            "Exit status: 0 all lines valid, 3 some lines rejected, 2 usage or brand pack error."
        ),
    )
    parser.add_argument("--brand-pack", required=True, metavar="DIR", help="brand pack folder")
    parser.add_argument("--input", required=True, metavar="FILE.jsonl", help="listing records")
    parser.add_argument("--output", required=True, metavar="FILE.jsonl", help="where to write findings")
    parser.add_argument(
        "--db", nargs="?", const="", metavar="URL",
        help="also store the findings as cases in the case database (default URL: HAOPIN_DATABASE_URL "
        "or the SQLite file in the data folder)",
    )
    images = parser.add_argument_group("images (logo detection and text in images; see docs/images.md)")
    images.add_argument("--no-images", action="store_true", help="do not look at listing images at all")
    images.add_argument(
        "--fetch-images",
        action="store_true",
        help="also download images given as http(s) URLs (bounded; public addresses only)",
    )
    images.add_argument("--no-ocr", action="store_true", help="detect logos but do not read text in images")
    parser.set_defaults(handler=run)


def case_recorder(url: str):
    """A CaseRecorder on `url` (empty: the configured database), migrated before first use."""
    from cases.db import database_url, open_session_factory
    from cases.store import CaseRecorder

    return CaseRecorder(open_session_factory(url or database_url()))


def run(args: argparse.Namespace, *, analyse_images=None) -> int:
    from crawler.cli import UsageError, load_pack_or_usage_error
    from crawler.scanning import Scanner, scan_stream

    input_path = Path(args.input)
    output_path = Path(args.output)
    if not input_path.is_file():
        raise UsageError(f"--input {input_path}: no such file")
    if not output_path.parent.is_dir():
        raise UsageError(f"--output {output_path}: folder {output_path.parent} does not exist")
    if output_path.exists() and output_path.resolve() == input_path.resolve():
        raise UsageError("--output must not be the --input file")
    pack = load_pack_or_usage_error(args.brand_pack)
    if analyse_images is None and not getattr(args, "no_images", False):
        from crawler.imagesource import analyser_for_pack

        try:
            analyse_images = analyser_for_pack(
                pack, ocr=not getattr(args, "no_ocr", False), fetch_urls=getattr(args, "fetch_images", False)
            )
        except ValueError as error:  # a logo too plain to recognise, named in the message
            raise UsageError(f"brand pack {args.brand_pack}: {error}") from None
    scanner = Scanner(pack, analyse_images=analyse_images)
    recorder = case_recorder(args.db) if getattr(args, "db", None) is not None else None
    try:
        summary = scan_stream(scanner, input_path, output_path, progress=sys.stderr.isatty(),
                              on_finding=recorder.add if recorder else None)
    except OSError as error:
        raise UsageError(f"cannot read {input_path} or write {output_path}: {error}") from None
    if recorder is not None:
        stored = recorder.close()
        print(
            f"case database: {stored.listings} listing(s) stored, {len(stored.opened_case_ids)} case(s) opened, "
            f"{len(stored.joined_case_ids)} joined, {stored.suppressed} violation(s) allow-listed",
            file=sys.stderr,
        )
    if scanner.image_failures:
        print(
            f"images of {scanner.image_failures} listing(s) could not be analysed; those listings were judged "
            f"on their text only (last: {scanner.last_image_failure})",
            file=sys.stderr,
        )
    codes = ", ".join(f"{code} {count}" for code, count in sorted(summary.codes.items()))
    print(
        f"scanned {summary.scanned} listing(s), {summary.flagged} flagged"
        + (f" ({codes})" if codes else "")
        + (f"; {summary.rejected} line(s) rejected -> {summary.rejects_path}" if summary.rejected else ""),
        file=sys.stderr,
    )
    return summary.exit_status
