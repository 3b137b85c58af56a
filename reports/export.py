"""The case tracking table for the association, as CSV (UTF-8 with BOM, for Excel) or XLSX.

Every text cell passes `neutralise_cell`: a listing title such as
=HYPERLINK(...) or +cmd|... must arrive as text, never as a formula.
URLs are written as plain text, never as clickable hyperlinks.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

from reports.safety import neutralise_cell
from reports.viewmodels import CaseSummary

EXPORT_FORMATS = ("csv", "xlsx")
# Excel refuses to open a file with a longer cell; a crawled title could be that long.
XLSX_CELL_LIMIT = 32_767


def _time(value: datetime | None) -> str:
    return value.isoformat(sep=" ", timespec="seconds") if value else ""


COLUMNS: tuple[tuple[str, Callable[[CaseSummary], object]], ...] = (
    ("案件编号", lambda c: c.case_id),
    ("状态", lambda c: c.status_label),
    ("状态代码", lambda c: c.status),
    ("违法类型", lambda c: c.code_label),
    ("违法类型代码", lambda c: c.code),
    ("标识", lambda c: c.mark_id),
    ("风险", lambda c: round(c.risk, 4)),
    ("平台", lambda c: c.platform_label),
    ("平台代码", lambda c: c.platform),
    ("商品编号", lambda c: c.listing_id),
    ("商品链接", lambda c: c.url),
    ("商品标题", lambda c: c.title),
    ("价格", lambda c: c.price),
    ("店铺", lambda c: c.seller_name),
    ("店铺编号", lambda c: c.seller_id),
    ("经营主体", lambda c: c.seller_company),
    ("发货地", lambda c: c.ship_from),
    ("该店铺案件数", lambda c: c.repeat_count),
    ("重新上架自案件", lambda c: c.relisting_of),
    ("理由", lambda c: c.reason),
    ("法律依据", lambda c: c.legal_basis),
    ("立案时间", lambda c: _time(c.opened_at)),
    ("最近发现", lambda c: _time(c.last_seen_at)),
    ("天数", lambda c: c.age_days),
    ("证据文件数", lambda c: len(c.evidence)),
)


def case_rows(cases: Iterable[CaseSummary]) -> Iterable[list[object]]:
    """Header, then one neutralised row per case."""
    yield [header for header, _ in COLUMNS]
    for case in cases:
        yield [neutralise_cell(value(case)) for _, value in COLUMNS]


def write_cases_csv(cases: Iterable[CaseSummary], destination: Path) -> int:
    """Write the table; returns the number of cases written."""
    count = -1
    with open(destination, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        for row in case_rows(cases):
            writer.writerow(["" if value is None else value for value in row])
            count += 1
    return count


def write_cases_xlsx(cases: Iterable[CaseSummary], destination: Path) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("案件")
    sheet.freeze_panes = "A2"
    count = -1
    for row in case_rows(cases):
        if count < 0:
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=value)
                cell.font = Font(bold=True)
                cells.append(cell)
            sheet.append(cells)
        else:
            sheet.append([value[:XLSX_CELL_LIMIT] if isinstance(value, str) else value for value in row])
        count += 1
    workbook.save(destination)
    return count


def write_cases(cases: Iterable[CaseSummary], destination: Path, *, format: str) -> int:
    if format == "csv":
        return write_cases_csv(cases, destination)
    if format == "xlsx":
        return write_cases_xlsx(cases, destination)
    raise ValueError(f"unknown export format {format!r}; choose one of {', '.join(EXPORT_FORMATS)}")
