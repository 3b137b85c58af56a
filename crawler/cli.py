"""The `haopin` command line: discovers every sub-command under crawler.commands."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path

from crawler import commands

EXIT_USAGE = 2
# The 奉上好品 pack shipped with haopin: what every command uses unless told otherwise.
BUNDLED_PACK = Path(__file__).resolve().parents[1] / "brandpacks" / "fengjie"


class UsageError(Exception):
    """Bad arguments or configuration: printed as one line, exit status 2."""


def load_pack_or_usage_error(directory):
    """The brand pack, or UsageError after listing its problems: a pack with problems is never used."""
    from matchers.pack import BRAND_FILE, LICENSEES_FILE, PackError, load_pack

    try:
        return load_pack(directory)
    except PackError as error:
        for problem in error.problems:
            inside = problem.file in (BRAND_FILE, LICENSEES_FILE)
            print(f"  {directory}/{problem}" if inside else f"  {problem}", file=sys.stderr)
        raise UsageError(
            f"brand pack {directory} has {len(error.problems)} problem(s) (listed above); "
            f"run `haopin pack check {directory}`"
        ) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="haopin",
        description="区域公共品牌网络侵权监测 — online infringement monitor for regional public brands",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{module_info.name}")
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except UsageError as error:
        print(f"haopin {args.command}: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"haopin {args.command}: interrupted", file=sys.stderr)
        return 130

