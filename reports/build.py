"""Write reports to a folder: what the CLI commands (and `haopin demo`) call.

    outputs = write_weekly_report(Session, ctx, IsoWeek.parse("2026-W48"), Path("out"))
    outputs.html, outputs.csv, outputs.pdf      # pdf is None with pdf=False

PDF failures raise `reports.pdf.PdfError` after the HTML is written, so a
caller can still point the officer at the HTML.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cases.reporting import IsoWeek, ReportContext, case_dossier, case_notice, weekly_report
from reports.export import write_cases_csv
from reports.notices import template_for_platform
from reports.pdf import write_pdfs
from reports.render import render_dossier_html, render_notice_html, render_notice_text, render_weekly_html
from reports.viewmodels import NoticeParty, WeeklyReport


@dataclass
class Outputs:
    html: Path
    pdf: Path | None = None
    csv: Path | None = None
    text: Path | None = None
    weekly: WeeklyReport | None = None


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_weekly_report(
    session_factory, ctx: ReportContext, week: IsoWeek, out: Path, *, detail: int = 100, pdf: bool = True
) -> Outputs:
    """weekly-<week>.html, cases-<week>.csv (every listed case) and weekly-<week>.pdf (top of the list)."""
    csv_path = out / f"cases-{week.label}.csv"
    with session_factory() as session:
        report = weekly_report(session, week, ctx, detail_limit=detail, csv_name=csv_path.name)
    out.mkdir(parents=True, exist_ok=True)
    write_cases_csv(report.cases, csv_path)
    outputs = Outputs(_write(out / f"weekly-{week.label}.html", render_weekly_html(report)), csv=csv_path,
                      weekly=report)
    if pdf:
        outputs.pdf = out / f"weekly-{week.label}.pdf"
        write_pdfs([(render_weekly_html(report, for_print=True), outputs.pdf)])
    return outputs


def write_case_dossier(session_factory, ctx: ReportContext, case_id: int, out: Path, *, pdf: bool = True) -> Outputs:
    """case-<id>.html and .pdf; `cases.reporting.CaseNotFound` for an unknown case."""
    with session_factory() as session:
        dossier = case_dossier(session, case_id, ctx)
    html = render_dossier_html(dossier)
    outputs = Outputs(_write(out / f"case-{case_id}.html", html))
    if pdf:
        outputs.pdf = out / f"case-{case_id}.pdf"
        write_pdfs([(html, outputs.pdf)])
    return outputs


def write_notice(
    session_factory,
    ctx: ReportContext,
    case_id: int,
    out: Path,
    *,
    template: str | None = None,
    holder: NoticeParty | None = None,
    pdf: bool = True,
) -> Outputs:
    """notice-<id>-<template>.html, .txt and .pdf; the template defaults to the case's platform."""
    with session_factory() as session:
        if template is None:
            probe = case_notice(session, case_id, ctx, template="generic", holder=holder)
            template = template_for_platform(probe.case.platform)
        notice = case_notice(session, case_id, ctx, template=template, holder=holder)
    stem = f"notice-{case_id}-{template}"
    html = render_notice_html(notice)
    outputs = Outputs(_write(out / f"{stem}.html", html), text=_write(out / f"{stem}.txt", render_notice_text(notice)))
    if pdf:
        outputs.pdf = out / f"{stem}.pdf"
        write_pdfs([(html, outputs.pdf)])
    return outputs
