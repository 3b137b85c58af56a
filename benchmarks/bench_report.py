"""Weekly report for 10,000 cases: HTML (target under 30 s) and PDF time.

    .venv/bin/python benchmarks/bench_report.py [--cases 10000]

Builds a synthetic case database (reports.sampledb, through the case store) in a
temporary folder, then times `haopin report weekly`'s steps: the database
queries, the HTML render, the CSV beside it, and the print PDF. A 1,000-case
database built in the same run is the baseline, so the ratio shows how the
report scales on whatever else the machine is doing. Wall and CPU seconds are
both printed: on a shared machine wall time includes waiting for the CPU.

The PDF holds the top 100 cases in full and the next 500 in a table; the HTML
lists every case of the week and the CSV beside it is the complete table
(docs/reports.md).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cases.db import session_factory  # noqa: E402
from cases.reporting import IsoWeek, ReportContext, weekly_report  # noqa: E402
from matchers.pack import load_pack  # noqa: E402
from reports.export import write_cases_csv  # noqa: E402
from reports.pdf import PdfError, write_pdfs  # noqa: E402
from reports.render import render_weekly_html  # noqa: E402
from reports.sampledb import populate  # noqa: E402

WEEK = IsoWeek.parse("2026-W48")
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
HTML_TARGET_S = 30.0


class Clock:
    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_):
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu

    def __str__(self) -> str:
        return f"{self.wall:6.2f} s wall {self.cpu:6.2f} s CPU"


def build(directory: Path, cases: int) -> tuple[str, Clock]:
    url = f"sqlite:///{directory / 'haopin.sqlite'}"
    with Clock() as clock:
        populate(url, directory, week=WEEK, cases=cases, evidence_for=100)
    return url, clock


def html_report(url: str, directory: Path) -> dict:
    ctx = ReportContext.for_pack(load_pack(ROOT / "brandpacks" / "fengjie"), evidence_root=directory, now=NOW)
    factory = session_factory(url)
    with Clock() as total:
        with Clock() as query, factory() as session:
            report = weekly_report(session, WEEK, ctx, detail_limit=100, csv_name="cases.csv")
        with Clock() as render:
            html = render_weekly_html(report)
            (directory / "weekly.html").write_text(html, encoding="utf-8")
        with Clock() as table:
            write_cases_csv(report.cases, directory / "cases.csv")
    return {"report": report, "html": html, "total": total, "query": query, "render": render, "csv": table}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--baseline", type=int, default=1_000)
    parser.add_argument("--no-pdf", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-report-") as temp:
        results = {}
        for label, count in (("baseline", args.baseline), ("target", args.cases)):
            directory = Path(temp) / label
            directory.mkdir()
            url, built = build(directory, count)
            print(f"{count:>6} cases: database built in {built}")
            result = html_report(url, directory)
            results[label] = result
            report = result["report"]
            print(f"{count:>6} cases: {len(report.cases)} listed in {WEEK.label}; HTML {len(result['html']) / 1e6:.1f} MB")
            for step in ("query", "render", "csv", "total"):
                print(f"         {step:<7}{result[step]}")
        target = results["target"]
        ratio = target["total"].wall / max(results["baseline"]["total"].wall, 1e-9)
        verdict = "OK" if target["total"].wall < HTML_TARGET_S else "OVER TARGET"
        print(f"HTML for {args.cases} cases: {target['total'].wall:.2f} s (target < {HTML_TARGET_S:.0f} s: {verdict}); "
              f"{ratio:.1f}x the {args.baseline}-case baseline")
        if args.no_pdf:
            return 0
        report = target["report"]
        pdf = Path(temp) / "target" / "weekly.pdf"
        try:
            with Clock() as printing:
                write_pdfs([(render_weekly_html(report, for_print=True), pdf)])
        except PdfError as error:
            print(f"PDF: not measured ({error})")
            return 1
        pages = "?"
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True)
        for line in info.stdout.splitlines():
            if line.startswith("Pages:"):
                pages = line.split()[-1]
        print(f"PDF (top 100 detailed + next 500 in a table of {len(report.cases)}): {printing}, "
              f"{pages} pages, {pdf.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
