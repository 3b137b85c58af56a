"""`haopin notice CASE`: a complaint notice under 电子商务法 第四十二条 (HTML, PDF, and plain text for web forms)."""

from __future__ import annotations

import sys

from crawler.cli import UsageError
from crawler.commands.report import (
    add_common_options,
    load_context,
    open_database,
    output_dir,
    print_pdf,
    write_text,
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
    from cases.models import Case, Platform
    from cases.reporting import CaseNotFound, case_notice
    from reports.notices import template_for_platform
    from reports.render import render_notice_html, render_notice_text
    from reports.viewmodels import NoticeParty

    ctx = load_context(args)
    out = output_dir(args)
    factory = open_database(args)
    holder = NoticeParty(args.holder or ctx.owner, args.contact, args.phone, args.email, args.address)
    with factory() as session:
        template = args.template
        if template is None:
            case = session.get(Case, args.case)
            if case is None:
                raise UsageError(f"no case #{args.case} in the case database")
            template = template_for_platform(session.get(Platform, case.platform_id).slug)
        try:
            notice = case_notice(session, args.case, ctx, template=template, holder=holder)
        except CaseNotFound as error:
            raise UsageError(str(error)) from None
    stem = f"notice-{args.case}-{template}"
    html = render_notice_html(notice)
    text = render_notice_text(notice)
    print(f"HTML {write_text(out / f'{stem}.html', html)}")
    print(f"TXT  {write_text(out / f'{stem}.txt', text)}")
    if args.print_text:
        sys.stdout.write(text)
    if args.no_pdf:
        return 0
    if not print_pdf([(html, out / f"{stem}.pdf")]):
        return 1
    print(f"PDF  {out / f'{stem}.pdf'}")
    return 0
