"""Test helpers for anything that renders listings: hostile view models and an inertness check.

Used by the report tests and available to end-to-end tests: `assert_inert_html(html)` fails
if a document could run script, navigate by script or load anything from elsewhere.
"""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta, timezone

from PIL import Image

from reports.images import embed_image
from reports.viewmodels import (
    CaseSummary,
    CountRow,
    EvidenceFile,
    Infringer,
    MatchedText,
    SignComparison,
    Totals,
    WeeklyReport,
    WeekPoint,
)

CHINA = timezone(timedelta(hours=8))
HOSTILE_TITLE = '<script>alert(1)</script>奉上好品"><img src=x onerror=alert(2)>脐橙'
HOSTILE_SELLER = "=HYPERLINK(\"http://evil.example/\",\"点我\")"
HOSTILE_COMPANY = "+cmd|' /C calc'!A0"
HOSTILE_URL = "javascript:alert(document.cookie)"
HOSTILE_SHOP_URL = " JaVaScRiPt:alert(3)"
HOSTILE_REASON = "标题含“奉上好品”<iframe src=//evil.example></iframe>"


def png_bytes(colour=(200, 30, 30), size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def make_case(case_id: int = 1, *, hostile: bool = False, risk: float = 0.9, **overrides) -> CaseSummary:
    image = embed_image(png_bytes())
    values = dict(
        case_id=case_id,
        platform="demo-taobao",
        listing_id=f"88{case_id:05d}",
        url=f"https://demo-taobao.test/item/88{case_id:05d}",
        title="奉上好品 奉节脐橙 5斤装",
        code="MARK_SIMILAR",
        mark_id="FSHP",
        risk=risk,
        reason="标题含“奉上好吕”，与注册商标“奉上好品”近似",
        legal_basis="《商标法》第五十七条第（二）项",
        status="new",
        opened_at=datetime(2026, 11, 24, 10, 0, tzinfo=CHINA),
        last_seen_at=datetime(2026, 11, 26, 9, 30, tzinfo=CHINA),
        age_days=4,
        seller_name="果园直发店",
        seller_id="s-1021",
        shop_url="https://demo-taobao.test/shop/s-1021",
        seller_company="赣州某某贸易有限公司",
        ship_from="江西 赣州",
        price=39.9,
        repeat_count=3,
        comparison=SignComparison(
            mark_id="FSHP",
            registered_text="奉上好品",
            registration="第00000001号",
            goods=("脐橙", "腊肉"),
            matched=MatchedText("title", "", "奉上好吕", " 奉节脐橙 5斤装"),
            registered_logo=image,
            logo_crop=image,
            logo_distance=0.08,
        ),
        evidence=(
            EvidenceFile("screenshot.png", "截图", "a" * 64, 123456),
            EvidenceFile("page.warc.gz", "WARC", "b" * 64, 654321),
        ),
        thumbnail=embed_image(png_bytes(), alt="页面截图"),
    )
    if hostile:
        values.update(
            title=HOSTILE_TITLE,
            url=HOSTILE_URL,
            shop_url=HOSTILE_SHOP_URL,
            seller_name=HOSTILE_SELLER,
            seller_id='"><svg onload=alert(4)>',
            seller_company=HOSTILE_COMPANY,
            reason=HOSTILE_REASON,
            ship_from="@SUM(1+1)*cmd|' /C calc'!A0",
            comparison=SignComparison(
                mark_id="FSHP",
                registered_text="奉上好品",
                matched=MatchedText("title", "<b onmouseover=alert(5)>", "奉上好品", "</b><a href=javascript:x>"),
            ),
            evidence=(EvidenceFile("<img src=x onerror=alert(6)>.png", "截图", "c" * 64, 1),),
        )
    values.update(overrides)
    return CaseSummary(**values)


def make_weekly(cases: list[CaseSummary]) -> WeeklyReport:
    trend = tuple(WeekPoint(f"2026-W{week}", week % 7, week % 3, 20 + week % 5) for week in range(37, 49))
    return WeeklyReport(
        brand="奉上好品",
        owner="奉节县市场监督管理局",
        week="2026-W48",
        start=date(2026, 11, 23),
        end=date(2026, 11, 29),
        generated_at=datetime(2026, 11, 29, 18, 0, tzinfo=CHINA),
        totals=Totals(new=12, open=30, closed=4, new_previous=9, open_previous=25, closed_previous=6),
        by_platform=(
            CountRow("demo-taobao", "淘宝（演示）", 7, 5, 20, 18, 2, 3),
            CountRow("<script>x</script>", "<script>alert(7)</script>", 5, 4, 10, 7, 2, 3),
        ),
        by_code=(CountRow("MARK_SIMILAR", "近似标识", 8, 6, 22, 19, 3, 4),),
        trend=trend,
        infringers=(
            Infringer(HOSTILE_SELLER, ("demo-taobao", "demo-jd"), ("<b>shop</b>",), 4, 3, 0.95, ("MARK_SIMILAR",)),
        ),
        cases=tuple(cases),
        total_cases=len(cases),
        csv_name="cases-2026-W48.csv",
        detail_limit=2,
    )


ACTIVE_ELEMENTS = {"script", "iframe", "object", "embed", "base", "form", "frame", "frameset", "meta[refresh]"}


def assert_inert_html(html: str) -> None:
    """Nothing in the document can run, navigate by script or load from elsewhere."""
    from lxml import html as lxml_html

    document = lxml_html.document_fromstring(html)
    tags = {element.tag.split("}")[-1].lower() for element in document.iter() if isinstance(element.tag, str)}
    assert not tags & ACTIVE_ELEMENTS, f"active elements present: {tags & ACTIVE_ELEMENTS}"
    for element in document.iter():
        if not isinstance(element.tag, str):
            continue
        for name, value in element.attrib.items():
            local = name.split("}")[-1].lower()
            assert not local.startswith("on"), f"event handler {name}={value!r} on <{element.tag}>"
            assert local != "style", f"style attribute on <{element.tag}> (blocked by the CSP anyway)"
            if local == "href":
                assert value.startswith(("https://", "http://")), f"non-http link {value!r}"
            if local in ("src", "srcset", "poster", "data", "action", "formaction"):
                assert value.startswith("data:image/"), f"{local}={value!r} loads something"
    policies = document.xpath('//meta[@http-equiv="Content-Security-Policy"]/@content')
    assert len(policies) == 1 and "default-src 'none'" in policies[0]
