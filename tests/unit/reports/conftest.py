"""Fixtures for report tests: view models with listings written by a hostile seller."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from reports.images import embed_image_slices
from reports.notices import notice_template
from reports.testing import CHINA, HOSTILE_TITLE, HOSTILE_URL, make_case, make_weekly, png_bytes
from reports.viewmodels import (
    Capture,
    CaseDossier,
    CaseEvent,
    CaseSummary,
    Notice,
    NoticeParty,
    Sighting,
    WeeklyReport,
)


@pytest.fixture
def hostile_case() -> CaseSummary:
    return make_case(7, hostile=True)


@pytest.fixture
def weekly_report(hostile_case) -> WeeklyReport:
    return make_weekly([hostile_case, make_case(2, risk=0.8), make_case(3, hostile=True, risk=0.5)])


@pytest.fixture
def dossier(hostile_case) -> CaseDossier:
    capture = Capture(
        capture_id="cap-1",
        captured_at=datetime(2026, 11, 26, 10, 0, tzinfo=CHINA),
        url=HOSTILE_URL,
        final_url="https://demo-taobao.test/item/final",
        http_status=200,
        method="Chromium 无头浏览器打开页面，保存整页截图、渲染后 DOM、页面 PDF 与 WARC",
        tools=(("haopin", "0.1.0"), ("Chromium", "<script>1</script>")),
        directory="evidence/7/cap-1",
        files=hostile_case.evidence,
        manifest_sha256="d" * 64,
        screenshot=embed_image_slices(png_bytes(size=(300, 900)), max_width=1200),
    )
    return CaseDossier(
        brand="奉上好品",
        owner="奉节县市场监督管理局",
        generated_at=datetime(2026, 11, 29, 18, 0, tzinfo=UTC),
        case=hostile_case,
        captures=(capture,),
        sightings=(Sighting(datetime(2026, 11, 25, tzinfo=CHINA), HOSTILE_URL, "e" * 64, HOSTILE_TITLE),),
        events=(
            CaseEvent(datetime(2026, 11, 25, tzinfo=CHINA), "system", "opened", None, "new", HOSTILE_TITLE),
            CaseEvent(datetime(2026, 11, 26, tzinfo=CHINA), "王警官", "status", "new", "confirmed", "核实"),
        ),
        related_cases=(make_case(8, hostile=True),),
    )


@pytest.fixture
def notice(hostile_case) -> Notice:
    return Notice(
        template=notice_template("taobao"),
        rights_holder=NoticeParty("奉节县市场监督管理局", contact="张三", phone="023-0000000"),
        brand="奉上好品",
        case=hostile_case,
        registrations=(hostile_case.comparison,),
        evidence=hostile_case.evidence,
        captured_at=datetime(2026, 11, 26, 10, 0, tzinfo=CHINA),
        issued_on=date(2026, 11, 29),
    )
