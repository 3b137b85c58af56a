"""Jinja2 builders: view models in, HTML or plain text out.

One environment for HTML (autoescape on everywhere, StrictUndefined so a
missing field fails the build instead of printing nothing) and one for the
plain-text notice (no HTML escaping, control characters removed instead).
The page's single <style> block is allowed by its hash in the
Content-Security-Policy; nothing else may run or load.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import replace
from datetime import date, datetime
from functools import cache
from importlib import resources

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from reports import charts
from reports.labels import field_name, platform_name, status_name, violation_name
from reports.safety import plain_text, reveal_invisible, safe_href
from reports.viewmodels import CaseDossier, Notice, WeeklyReport

PRINT_ROW_LIMIT = 500


def _format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    text = value.strftime("%Y-%m-%d %H:%M:%S")
    offset = value.strftime("%z")
    return f"{text} {offset[:3]}:{offset[3:]}" if offset else f"{text} (时区不明)"


def _format_date(value: date | None) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def _format_size(size: int | None) -> str:
    if size is None:
        return ""
    for unit in ("B", "KB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""


def _delta(current: int, previous: int) -> str:
    difference = current - previous
    if difference == 0:
        return "持平"
    return f"+{difference}" if difference > 0 else str(difference)


@cache
def stylesheet() -> str:
    return resources.files("reports").joinpath("templates/report.css").read_text(encoding="utf-8")


def content_security_policy(style: str) -> str:
    """Nothing loads or runs except our own stylesheet and embedded data: images."""
    digest = base64.b64encode(hashlib.sha256(style.encode("utf-8")).digest()).decode("ascii")
    return (
        "default-src 'none'; img-src data:; font-src data:; "
        f"style-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
    )


def _reveal(value: object) -> object:
    """Every crawled string printed into HTML shows its invisible characters; our own markup passes."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return reveal_invisible(value)
    return value


@cache
def html_environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_reveal,
    )
    _add_filters(environment)
    style = stylesheet()
    environment.globals.update(stylesheet=Markup(style), csp=content_security_policy(style))
    return environment


@cache
def text_environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=plain_text,
    )
    _add_filters(environment)
    return environment


def _add_filters(environment: Environment) -> None:
    environment.filters.update(
        href=safe_href,
        dt=_format_datetime,
        d=_format_date,
        size=_format_size,
        violation=violation_name,
        status=status_name,
        platform=platform_name,
        fieldname=field_name,
        delta=_delta,
        pct=lambda value: f"{value * 100:.0f}%",
    )


def render_weekly_html(report: WeeklyReport, *, for_print: bool = False) -> str:
    """The weekly report; `for_print` caps the compact case table (the CSV beside it has every case)."""
    cases = report.cases
    print_limited = for_print and len(cases) > report.detail_limit + PRINT_ROW_LIMIT
    if print_limited:
        report = replace(report, cases=cases[: report.detail_limit + PRINT_ROW_LIMIT])
    figures = {
        "flow": charts.weekly_flow_chart(report.trend),
        "open": charts.open_cases_chart(report.trend),
        "codes": charts.bar_list_chart(
            [(violation_name(row.key), row.new) for row in report.by_code], title="本周新增案件（按违法类型）"
        ),
    }
    template = html_environment().get_template("weekly.html.j2")
    return template.render(
        report=report,
        figures=figures,
        for_print=for_print,
        print_limited=print_limited,
        listed_cases=len(cases),
    )


def render_dossier_html(dossier: CaseDossier) -> str:
    return html_environment().get_template("dossier.html.j2").render(dossier=dossier)


def render_notice_html(notice: Notice) -> str:
    return html_environment().get_template("notice.html.j2").render(notice=notice)


def render_notice_text(notice: Notice) -> str:
    return text_environment().get_template("notice.txt.j2").render(notice=notice)
