"""`haopin notice CASE`: a complaint notice under 电子商务法 第四十二条 (HTML, PDF, and plain text for web forms)."""

from __future__ import annotations

import sys

from crawler.cli import UsageError
from crawler.commands.report import (
    add_common_options,
    load_context,
    open_database,
    output_dir,
    pdf_failed,
)


def register(subparsers) -> None:
    from reports.notices import NOTICE_TEMPLATES

    parser = subparsers.add_parser(
        "notice",
        help="投诉通知: a takedown notice for one case (电子商务法 第42条)",
        description="侵权投诉通知书 — a complaint notice for one case, addressed to the platform's IP complaint "
        "channel, as HTML, PDF and plain text to paste into web forms.",
    )
    parser.add_argument("case", type=int, metavar="CASE", help="case number")
    parser.add_argument(
        "--template", choices=sorted(NOTICE_TEMPLATES),
        help="complaint channel (default: the case's platform, else generic)",
    )
    parser.add_argument("--contact", default="", help="联系人 printed in the notice")
    parser.add_argument("--phone", default="", help="联系电话")
    parser.add_argument("--email", default="", help="电子邮箱")
    parser.add_argument("--address", default="", help="地址")
    parser.add_argument("--holder", help="权利人 (default: the brand pack's owner)")
    parser.add_argument("--out", metavar="DIR", help="output folder (default: data/reports)")
    parser.add_argument("--no-pdf", action="store_true", help="write HTML and text only")
    parser.add_argument("--print", action="store_true", dest="print_text", help="also print the plain text")
    add_common_options(parser)
    parser.set_defaults(handler=run)


def run(args) -> int:
    from cases.reporting import CaseNotFound
    from reports.build import write_notice
    from reports.pdf import PdfError
    from reports.viewmodels import NoticeParty

    ctx = load_context(args)
    out = output_dir(args)
    factory = open_database(args)
    holder = NoticeParty(args.holder or ctx.owner, args.contact, args.phone, args.email, args.address)
    try:
        outputs = write_notice(factory, ctx, args.case, out, template=args.template, holder=holder,
                               pdf=not args.no_pdf)
    except CaseNotFound as error:
        raise UsageError(str(error)) from None
    except PdfError as error:
        print(f"HTML and TXT written to {out}")
        return pdf_failed(error)
    print(f"HTML {outputs.html}")
    print(f"TXT  {outputs.text}")
    if outputs.pdf:
        print(f"PDF  {outputs.pdf}")
    if args.print_text:
        sys.stdout.write(outputs.text.read_text(encoding="utf-8"))
    return 0
