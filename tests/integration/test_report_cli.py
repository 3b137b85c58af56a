"""`haopin report`, `haopin notice` and `haopin export` end to end on a sample case database."""

from __future__ import annotations

import csv
import shutil
import subprocess

import pytest
from lxml import html as lxml_html
from openpyxl import load_workbook

from cases.reporting import IsoWeek
from crawler.cli import main
from reports.sampledb import populate
from reports.testing import assert_inert_html

WEEK = "2026-W48"


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp("data")
    url = f"sqlite:///{root / 'haopin.sqlite'}"
    populate(url, root, week=IsoWeek.parse(WEEK), cases=40, hostile=True, evidence_for=8)
    return root, url


@pytest.fixture
def env(data, monkeypatch):
    root, url = data
    monkeypatch.setenv("HAOPIN_DATA_DIR", str(root))
    monkeypatch.setenv("HAOPIN_DATABASE_URL", url)
    return root


def test_weekly_html_and_csv(env, tmp_path, capsys):
    assert main(["report", "weekly", "--week", WEEK, "--out", str(tmp_path), "--no-pdf", "--detail", "5"]) == 0
    html = (tmp_path / f"weekly-{WEEK}.html").read_text(encoding="utf-8")
    assert_inert_html(html)
    document = lxml_html.document_fromstring(html)
    assert len(document.xpath('//section[@class="case"]')) == 5
    assert len(document.xpath("//svg")) == 3
    rows = list(csv.reader((tmp_path / f"cases-{WEEK}.csv").open(encoding="utf-8-sig")))
    listed = len(document.xpath('//section[@class="case"]')) + len(
        document.xpath("//h3[text()='其余案件']/following-sibling::table[1]/tbody/tr"))
    assert len(rows) - 1 == listed
    assert "cases listed" in capsys.readouterr().out


def test_last_week_is_the_week_before_the_current_one(env, tmp_path, capsys):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    current = IsoWeek.containing(datetime.now(ZoneInfo("Asia/Shanghai")).date())
    assert main(["report", "weekly", "--week", "last", "--out", str(tmp_path), "--no-pdf"]) == 0
    assert (tmp_path / f"weekly-{current.shifted(-1).label}.html").is_file()


def test_bad_week_and_unknown_case_are_one_line_usage_errors(env, tmp_path, capsys):
    assert main(["report", "weekly", "--week", "2026-W99", "--out", str(tmp_path)]) == 2
    assert main(["report", "case", "9999", "--out", str(tmp_path)]) == 2
    assert main(["notice", "9999", "--out", str(tmp_path)]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert errors == [
        "haopin report: --week '2026-W99': 2026 has no week 99",
        "haopin report: no case #9999 in the case database",
        "haopin notice: no case #9999 in the case database",
    ]


def test_notice_text_and_html(env, tmp_path, capsys):
    assert main(["notice", "1", "--template", "pdd", "--out", str(tmp_path), "--no-pdf", "--phone", "023-1234"]) == 0
    text = (tmp_path / "notice-1-pdd.txt").read_text(encoding="utf-8")
    assert "拼多多知识产权保护平台" in text and "商品ID（goods_id）" in text and "联系电话：023-1234" in text
    assert_inert_html((tmp_path / "notice-1-pdd.html").read_text(encoding="utf-8"))


def test_export_xlsx_and_csv_filters(env, tmp_path):
    xlsx = tmp_path / "cases.xlsx"
    assert main(["export", "cases", "--format", "xlsx", "--out", str(xlsx)]) == 0
    sheet = load_workbook(xlsx).active
    assert sheet.max_row == 41
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    shops = [row[13].value for row in sheet.iter_rows(min_row=2)]
    assert "'=HYPERLINK(\"http://evil.example\")" in shops
    removed = tmp_path / "removed.csv"
    assert main(["export", "cases", "--status", "removed", "--out", str(removed)]) == 0
    rows = list(csv.DictReader(removed.open(encoding="utf-8-sig")))
    assert rows and {row["状态代码"] for row in rows} == {"removed"}
    assert main(["export", "cases", "--status", "gone", "--out", str(removed)]) == 2


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils not installed")
def test_pdfs_embed_cjk_fonts_and_render_pages(env, tmp_path):
    assert main(["report", "weekly", "--week", WEEK, "--out", str(tmp_path), "--detail", "5"]) == 0
    assert main(["report", "case", "1", "--out", str(tmp_path)]) == 0
    assert main(["notice", "1", "--out", str(tmp_path)]) == 0
    for pdf in (tmp_path / f"weekly-{WEEK}.pdf", tmp_path / "case-1.pdf", *tmp_path.glob("notice-1-*.pdf")):
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        rows = fonts.splitlines()[2:]
        assert rows and all(" yes " in row for row in rows), fonts  # every font embedded
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "奉上好品" in text  # Chinese text is real text, not boxes
    weekly_text = subprocess.run(["pdftotext", str(tmp_path / f"weekly-{WEEK}.pdf"), "-"], capture_output=True,
                                 text=True, check=True).stdout
    assert "网络侵权监测周报" in weekly_text and "近似标识" in weekly_text
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(tmp_path / f"weekly-{WEEK}.pdf"),
                    str(tmp_path / "page")], check=True)
    from PIL import Image

    page = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    assert page.getextrema()[0] < 100  # something dark was drawn: text and charts, not a blank page


def test_without_chromium_the_html_is_kept_and_the_exit_status_is_1(env, tmp_path, monkeypatch, capsys):
    import reports.pdf

    monkeypatch.setattr(reports.pdf, "CHROMIUM", str(tmp_path / "no-such-chromium"))
    assert main(["report", "case", "1", "--out", str(tmp_path)]) == 1
    assert (tmp_path / "case-1.html").is_file() and not (tmp_path / "case-1.pdf").exists()
    error = capsys.readouterr().err
    assert error.startswith("PDF not written: Chromium") and error.count("\n") == 1
