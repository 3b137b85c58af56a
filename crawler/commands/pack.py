"""`haopin pack check DIR`: validate a brand pack and list every problem in it."""

from __future__ import annotations

import argparse
import sys

EXIT_PROBLEMS = 1


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "pack",
        help="brand pack tools (检查品牌包)",
        description="Work with a brand pack folder (brand.yaml, licensees.csv, logos/).",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check",
        help="validate a brand pack and print every problem",
        description="Validate a brand pack: prints each problem as FILE: WHERE: WHAT; exit status 1 on any problem.",
    )
    check.add_argument("directory", metavar="DIR", help="the brand pack folder, e.g. brandpacks/fengjie")
    check.set_defaults(handler=run_check)


def run_check(args: argparse.Namespace) -> int:
    from matchers.pack import BRAND_FILE, LICENSEES_FILE, check_pack, load_pack

    problems = check_pack(args.directory)
    if problems:
        for problem in problems:
            inside = problem.file in (BRAND_FILE, LICENSEES_FILE)
            print(f"{args.directory}/{problem}" if inside else str(problem), file=sys.stderr)
        count = len(problems)
        print(
            f"{count} problem{'s' if count != 1 else ''}; this pack will not be used for scanning",
            file=sys.stderr,
        )
        return EXIT_PROBLEMS
    pack = load_pack(args.directory)
    print(
        f"{args.directory}: OK — brand {pack.brand}, {len(pack.marks)} marks, {len(pack.licensees)} licensees"
    )
    return 0
