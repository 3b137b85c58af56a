"""A real evidence capture (crawler.evidence, Chromium) read back into the dossier, notice and weekly report."""

from __future__ import annotations

import asyncio
import io
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import html as lxml_html
from PIL import Image

from cases.db import migrate, session_factory
from cases.reporting import IsoWeek, ReportContext, case_dossier, case_notice, weekly_report
from cases.store import record_batch
from crawler.evidence import capture_case
from matchers.pack import load_pack
from matchers.records import Evidence, Finding, Listing, Seller, Violation
from reports.render import render_dossier_html, render_notice_html, render_weekly_html
from reports.testing import assert_inert_html

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PACK = Path(__file__).resolve().parents[2] / "brandpacks" / "fengjie"
TITLE = '奉上好品 脐橙<img src=x onerror=alert(1)>'
LOGO_BOX = (20, 30, 160, 150)  # [x, y, width, height] as matchers.logo reports it


def product_jpeg() -> bytes:
    """A product photo with the registered logo pasted at LOGO_BOX."""
    photo = Image.new("RGB", (400, 400), (250, 210, 120))
    with Image.open(PACK / "logos" / "fshp-logo.png") as logo:
        mark = logo.convert("RGBA").resize(LOGO_BOX[2:])
    photo.paste(mark, LOGO_BOX[:2], mark)
    buffer = io.BytesIO()
    photo.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def shop():
    from aiohttp import web

    image = product_jpeg()
    page = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>商品</title></head>
<body style="font-size:26px"><h1>奉上好品 脐橙&lt;img src=x onerror=alert(1)&gt;</h1>
<p>店铺：果园直发店　发货地：江西 赣州</p><img src="/img/0.jpg" alt="主图">
<div style="height:2600px;background:linear-gradient(#fff,#fc8)">详情</div></body></html>"""

    async def item(request):
        return web.Response(text=page, content_type="text/html")

    async def picture(request):
        return web.Response(body=image, content_type="image/jpeg")

    app = web.Application()
    app.router.add_get("/item/1", item)
    app.router.add_get("/img/0.jpg", picture)
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)
    loop.run_until_complete(runner.setup())
    site = web.TCPSite(runner, "127.0.0.1", 0)
    loop.run_until_complete(site.start())
    port = site._server.sockets[0].getsockname()[1]
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.run_until_complete(runner.cleanup())
    loop.close()


def test_captured_evidence_appears_in_every_report(shop, tmp_path):
    url = f"sqlite:///{tmp_path / 'cases.sqlite'}"
    migrate(url)
    factory = session_factory(url)
    listing = Listing(
        platform="demo-taobao", listing_id="1", url=f"{shop}/item/1", title=TITLE,
        captured_at="2026-11-24T10:00:00+08:00", seller=Seller(id="s-1", name="果园直发店"),
        ship_from="江西 赣州", images=(f"{shop}/img/0.jpg",),
    )
    violation = Violation("LOGO_UNAUTHORISED", "LOGO_MAIN", 0.93, "商品主图中出现与注册标志近似的图形",
                          Evidence("image:0", bbox=LOGO_BOX, distance=0.05), "《商标法》第五十七条第（一）项")
    with factory.begin() as session:
        summary = record_batch(session, [(listing, Finding("demo-taobao", "1", (violation,), 0.93, None))])
    case_id = summary.opened_case_ids[0]
    [result] = capture_case(factory, case_id, root=tmp_path / "evidence")

    ctx = ReportContext.for_pack(load_pack(PACK), evidence_root=tmp_path,
                                 now=datetime(2026, 11, 29, 12, tzinfo=UTC))
    with factory() as session:
        dossier = case_dossier(session, case_id, ctx)
        notice = case_notice(session, case_id, ctx, template="taobao")
        weekly = weekly_report(session, IsoWeek.parse("2026-W48"), ctx)

    [capture] = dossier.captures
    assert capture.manifest_sha256 == result.manifest_sha256
    assert {f.name: f.sha256 for f in capture.files} == result.files
    tools = dict(capture.tools)
    assert tools["playwright"] and "hrom" in tools["browser"]  # Chromium / HeadlessChrome, with a version
    assert len(capture.screenshot) >= 2  # a tall page, printed in page-sized slices
    comparison = dossier.case.comparison
    assert comparison.logo_crop is not None, "the logo crop comes from the image the capture kept"
    assert comparison.registered_logo is not None and comparison.registered_text == "奉上好品"
    assert weekly.cases[0].thumbnail is not None and weekly.cases[0].evidence == capture.files

    for html in (render_dossier_html(dossier), render_notice_html(notice), render_weekly_html(weekly)):
        assert_inert_html(html)
        assert TITLE in lxml_html.document_fromstring(html).text_content()
    notice_text = lxml_html.document_fromstring(render_notice_html(notice)).text_content()
    assert all(digest in notice_text for digest in result.files.values())
