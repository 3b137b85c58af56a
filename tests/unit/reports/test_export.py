"""The tracking table: every cell arrives as text, never as a formula."""

from __future__ import annotations

import csv

from openpyxl import load_workbook

from reports.export import COLUMNS, write_cases_csv, write_cases_xlsx
from reports.testing import HOSTILE_COMPANY, HOSTILE_SELLER, HOSTILE_TITLE, HOSTILE_URL, make_case

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def hostile_cases():
    return [make_case(1, hostile=True), make_case(2), make_case(3, hostile=True, title="  =1+2", seller_name="-1-1")]


def test_csv_has_a_bom_a_header_and_neutralised_cells(tmp_path):
    path = tmp_path / "cases.csv"
    assert write_cases_csv(hostile_cases(), path) == 3
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with a BOM
    rows = list(csv.reader(path.open(encoding="utf-8-sig", newline="")))
    assert rows[0] == [header for header, _ in COLUMNS]
    assert len(rows) == 4
    for row in rows[1:]:
        for cell in row:
            assert not cell.lstrip(" \u3000").startswith(TRIGGERS), cell
    header = rows[0]
    first = dict(zip(header, rows[1], strict=True))
    assert first["店铺"] == "'" + HOSTILE_SELLER
    assert first["经营主体"] == "'" + HOSTILE_COMPANY
    assert first["商品标题"] == HOSTILE_TITLE  # harmless text is unchanged
    assert first["商品链接"] == HOSTILE_URL
    assert first["违法类型"] == "近似标识"
    third = dict(zip(header, rows[3], strict=True))
    assert third["商品标题"] == "'  =1+2" and third["店铺"] == "'-1-1"


def test_xlsx_cells_are_strings_not_formulas(tmp_path):
    path = tmp_path / "cases.xlsx"
    assert write_cases_xlsx(hostile_cases(), path) == 3
    sheet = load_workbook(path).active
    rows = list(sheet.iter_rows())
    assert [cell.value for cell in rows[0]] == [header for header, _ in COLUMNS]
    for row in rows[1:]:
        for cell in row:
            assert cell.data_type != "f", f"{cell.coordinate} is a formula: {cell.value!r}"
            if isinstance(cell.value, str):
                assert not cell.value.lstrip(" \u3000").startswith(TRIGGERS), cell.value
    header = [cell.value for cell in rows[0]]
    risk = rows[1][header.index("风险")]
    assert risk.data_type == "n" and risk.value == 0.9  # numbers stay numeric for sorting
    assert rows[1][header.index("店铺")].value == "'" + HOSTILE_SELLER
    assert not sheet._hyperlinks  # URLs are text, never clickable links


def test_xlsx_survives_control_characters_and_overlong_cells(tmp_path):
    path = tmp_path / "odd.xlsx"
    odd = make_case(1, title="奉上好吕\x0b\x00脐橙" + "长" * 40_000, seller_name="\x1b[31m店")
    write_cases_xlsx([odd], path)
    sheet = load_workbook(path).active
    header = [cell.value for cell in sheet[1]]
    title = sheet.cell(row=2, column=header.index("商品标题") + 1).value
    assert title.startswith("奉上好吕脐橙") and len(title) == 32_767
    assert sheet.cell(row=2, column=header.index("店铺") + 1).value == "[31m店"
