"""Evidence capture of a locally served listing page: complete, sealed, verifiable, tamper-evident."""

from __future__ import annotations

import asyncio
import io
import json
import os
import stat
import threading
from pathlib import Path

import numpy
import pytest
from PIL import Image

from cases.db import migrate, session_factory
from cases.models import EvidenceCapture
from cases.store import record_batch
from cases.testing import make_finding, make_listing
from crawler.cli import main
from crawler.evidence import (
    DOM,
    ENVIRONMENT,
    MANIFEST,
    PDF,
    SCREENSHOT,
    WARC,
    capture_case,
    capture_page_sync,
    verify_directory,
)

pytestmark = pytest.mark.browser

TITLE = "奉节脐橙 当季现摘 5斤装 官方授权"


def product_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (240, 140, 20)).save(buffer, format="PNG")
    return buffer.getvalue()


PAGE = f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="gbk"><title>{TITLE}</title></head>
<body style="font-size:28px">
<h1 id="title">{TITLE}</h1>
<p>店铺：果园直发店　发货地：江西 赣州</p>
<p>价格：￥39.90</p>
<img src="/img/main.png" alt="主图">
<img src="../img/main.png?dup=1" alt="同图">
<script>document.getElementById('title').dataset.rendered = '渲染完成';</script>
</body></html>"""


@pytest.fixture(scope="module")
def listing_site():
    """A small shop page served as GBK on 127.0.0.1 (port 0), with a redirect to it."""
    from aiohttp import web

    image = product_png()

    async def item(request):
        return web.Response(body=PAGE.encode("gbk"), content_type="text/html", charset="gbk")

    async def moved(request):
        raise web.HTTPFound("/item/8812734")

    async def tall(request):
        page = '<html><body><div style="height:60000px;background:linear-gradient(#fff,#f80)">长页面</div></body></html>'
        return web.Response(text=page, content_type="text/html")

    async def stalls(request):
        page = f'<html><body><h1>{TITLE}</h1><img src="/never.png"></body></html>'
        return web.Response(text=page, content_type="text/html")

    async def never(request):
        await asyncio.sleep(8)  # an image that does not arrive in time holds the load event
        return web.Response(body=b"", content_type="image/png")

    async def gone(request):
        return web.Response(text="<h1>商品已下架</h1>", status=404, content_type="text/html")

    async def picture(request):
        return web.Response(body=image, content_type="image/png")

    app = web.Application()
    app.router.add_get("/item/8812734", item)
    app.router.add_get("/old/8812734", moved)
    app.router.add_get("/img/main.png", picture)
    app.router.add_get("/tall", tall)
    app.router.add_get("/gone", gone)
    app.router.add_get("/stalls", stalls)
    app.router.add_get("/never.png", never)

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


@pytest.fixture(scope="module")
def capture(listing_site, tmp_path_factory):
    directory = tmp_path_factory.mktemp("evidence") / "capture-1"
    return capture_page_sync(f"{listing_site}/old/8812734", directory, context={"case_id": 1})


def test_capture_holds_every_artefact_sealed(capture):
    directory = capture.directory
    for name in (SCREENSHOT, DOM, PDF, WARC, ENVIRONMENT, MANIFEST):
        assert (directory / name).is_file(), name
    assert capture.complete and capture.problems == []
    assert (directory / PDF).read_bytes().startswith(b"%PDF")
    dom = (directory / DOM).read_text(encoding="utf-8")
    assert TITLE in dom and 'data-rendered="渲染完成"' in dom
    images = sorted(name for name in capture.files if name.startswith("images/"))
    assert len(images) == 1 and images[0].endswith(".png")
    assert Path(images[0]).stem == capture.files[images[0]]
    for name in [*capture.files, MANIFEST]:
        assert not (directory / name).stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH), name


def test_environment_record(capture, listing_site):
    env = json.loads((capture.directory / ENVIRONMENT).read_text(encoding="utf-8"))
    assert env["url"] == f"{listing_site}/old/8812734"
    assert env["final_url"] == f"{listing_site}/item/8812734"
    assert env["http_status"] == 200
    assert env["captured_at"].endswith("+08:00")
    assert env["tools"]["browser"].startswith("Chromium ")
    assert env["tools"]["playwright"] and env["tools"]["warcio"]
    assert env["context"] == {"case_id": 1}
    cjk = {name: glyphs for name, glyphs in env["fonts"].items() if "CJK" in name}
    assert sum(cjk.values()) >= len("奉节脐橙当季现摘斤装官方授权店铺果园直发"), env["fonts"]


def test_warc_holds_the_raw_exchange(capture, listing_site):
    from warcio.archiveiterator import ArchiveIterator

    records = []
    with open(capture.directory / WARC, "rb") as stream:
        for record in ArchiveIterator(stream):
            records.append(
                (
                    record.rec_type,
                    record.rec_headers.get_header("WARC-Target-URI"),
                    record.http_headers.get_statuscode()
                    if record.http_headers and record.rec_type == "response"
                    else None,
                    record.content_stream().read(),
                )
            )
    responses = [(uri, status, body) for kind, uri, status, body in records if kind == "response"]
    requests = [uri for kind, uri, _, _ in records if kind == "request"]
    assert (f"{listing_site}/old/8812734", "302") in [(uri, status) for uri, status, _ in responses]
    page = [body for uri, status, body in responses if uri.endswith("/item/8812734")]
    assert page == [PAGE.encode("gbk")]
    assert f"{listing_site}/img/main.png" in requests


def test_manifest_is_sha256sum_compatible_and_verifies(capture):
    import subprocess

    result = subprocess.run(
        ["sha256sum", "--check", "--quiet", MANIFEST], cwd=capture.directory, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    report = verify_directory(capture.directory)
    assert report.passed and len(report.ok) == len(capture.files)


def test_one_changed_byte_is_named(capture, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(capture.directory, copy)
    target = copy / DOM
    os.chmod(target, 0o644)
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    (copy / "extra.txt").write_text("added later")
    os.chmod(copy / SCREENSHOT, 0o644)
    (copy / SCREENSHOT).unlink()
    report = verify_directory(copy)
    assert (report.changed, report.missing, report.added) == ([DOM], [SCREENSHOT], ["extra.txt"])
    assert not report.passed


def test_screenshot_shows_the_page(capture):
    """Chinese text renders as glyphs, not tofu boxes: the title band has many dark strokes.
    (Looked at by eye too: see docs/cases.md.)"""
    with Image.open(capture.directory / SCREENSHOT) as shot:
        assert shot.width == 1280 and shot.height >= 300
        band = numpy.asarray(shot.convert("L").crop((0, 0, 900, 120)))
    assert int((band < 100).sum()) > 2000


def test_capture_case_stores_hashes_and_verify_by_case(listing_site, tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'cases.sqlite'}"
    migrate(url)
    Session = session_factory(url)
    listing = make_listing("8812734", title=TITLE)
    listing = type(listing).from_record(
        {
            **listing.to_record(),
            "url": f"{listing_site}/item/8812734",
            "images": [f"{listing_site}/img/main.png"],
        }
    )
    with Session.begin() as session:
        summary = record_batch(session, [(listing, make_finding(listing, ("GI_FALSE_ORIGIN", "FJQC")))])
    case_id = summary.opened_case_ids[0]
    [result] = capture_case(Session, case_id, root=tmp_path / "evidence")
    assert result.directory.parent.name == f"case-{case_id}"
    flagged = json.loads((result.directory / "listing.json").read_text(encoding="utf-8"))
    assert flagged["case"] == {"id": case_id, "mark": "FJQC", "code": "GI_FALSE_ORIGIN", "status": "new"}
    assert flagged["listing"]["title"] == TITLE
    assert [v["reason"] for v in flagged["violations"]] == ["测试：GI_FALSE_ORIGIN FJQC"]
    assert "listing.json" in result.files
    with Session() as session:
        stored = session.query(EvidenceCapture).one()
        assert stored.manifest_sha256 == result.manifest_sha256
        assert {f.name: f.sha256 for f in stored.files} == result.files
        assert [event.kind for event in stored.case.events][-1] == "evidence"
    assert main(["evidence", "--db", url, "verify", str(case_id)]) == 0
    assert "通过 (verified)" in capsys.readouterr().out
    # A forger who edits a file and rewrites the manifest to match is still caught by the database.
    page = result.directory / DOM
    os.chmod(page, 0o644)
    page.write_text("<html>forged</html>", encoding="utf-8")
    manifest = result.directory / MANIFEST
    os.chmod(manifest, 0o644)
    from crawler.evidence import sha256_file

    lines = [
        line if not line.endswith(f"  {DOM}") else f"{sha256_file(page)}  {DOM}"
        for line in manifest.read_text(encoding="utf-8").splitlines()
    ]
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert verify_directory(result.directory).passed  # the folder alone is fooled…
    assert main(["evidence", "--db", url, "verify", str(case_id)]) == 1  # …the database is not
    out = capsys.readouterr().out
    assert f"已改动 changed: {DOM}" in out and f"已改动 changed: {MANIFEST}" in out


@pytest.fixture(scope="module")
def demo_market():
    from demo.testing import running_market

    with running_market(seed=1) as market:
        yield market


@pytest.mark.parametrize("platform", ["demo-taobao", "demo-pdd"])
def test_capture_of_a_demo_listing_verifies(demo_market, platform, tmp_path):
    """taobao serves GBK; pdd renders its page with JavaScript, so only the rendered DOM shows the title."""
    product = demo_market.catalogue.listings(platform)[0]
    result = capture_page_sync(f"{demo_market.url}{product.path}", tmp_path / "capture")
    assert result.complete and result.http_status == 200, result.problems
    assert product.title in (result.directory / DOM).read_text(encoding="utf-8")
    assert any(name.startswith("images/") for name in result.files)
    assert verify_directory(result.directory).passed


def test_pipeline_helper_captures_each_case_and_reports_failures(listing_site, tmp_path):
    from crawler.evidence import capture_cases_async

    url = f"sqlite:///{tmp_path / 'cases.sqlite'}"
    migrate(url)
    Session = session_factory(url)
    good = make_listing("1", title=TITLE)
    good = type(good).from_record({**good.to_record(), "url": f"{listing_site}/item/8812734"})
    with Session.begin() as session:
        summary = record_batch(session, [(good, make_finding(good, ("GI_FALSE_ORIGIN", "FJQC")))])
    [case_id] = summary.opened_case_ids
    reported = {}
    outcomes = asyncio.run(capture_cases_async(Session, [case_id, 424242], root=tmp_path / "evidence",
                                               concurrency=2, on_done=reported.__setitem__))
    assert len(outcomes[case_id]) == 1 and outcomes[case_id][0].complete
    assert "no case 424242" in outcomes[424242]
    assert reported == outcomes


def test_endless_page_is_cut_and_the_cut_recorded(listing_site, tmp_path):
    result = capture_page_sync(f"{listing_site}/tall", tmp_path / "tall")
    with Image.open(result.directory / SCREENSHOT) as shot:
        assert shot.height == 20_000
    assert any("screenshot keeps the first 20000px" in problem for problem in result.problems)
    env = json.loads((result.directory / ENVIRONMENT).read_text(encoding="utf-8"))
    assert env["problems"] == result.problems
    assert verify_directory(result.directory).passed


def test_removed_page_is_captured_with_its_status(listing_site, tmp_path):
    """A 404 "已下架" page is itself evidence that the listing was taken down."""
    result = capture_page_sync(f"{listing_site}/gone", tmp_path / "gone")
    assert result.http_status == 404
    assert "商品已下架" in (result.directory / DOM).read_text(encoding="utf-8")
    assert verify_directory(result.directory).passed


def test_evidence_capture_cli(listing_site, tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'cases.sqlite'}"
    migrate(url)
    Session = session_factory(url)
    listing = make_listing("8812734", title=TITLE)
    listing = type(listing).from_record({**listing.to_record(), "url": f"{listing_site}/item/8812734"})
    with Session.begin() as session:
        [case_id] = record_batch(
            session, [(listing, make_finding(listing, ("GI_FALSE_ORIGIN", "FJQC")))]
        ).opened_case_ids
    out_dir = tmp_path / "evidence"
    assert (
        main(["evidence", "--db", url, "capture", str(case_id), "--out", str(out_dir), "--by", "李四"]) == 0
    )
    out = capsys.readouterr().out
    assert "取证完成" in out and "HTTP 状态: 200" in out
    [folder] = (out_dir / f"case-{case_id}").iterdir()
    assert main(["evidence", "verify", str(folder)]) == 0
    assert main(["cases", "--db", url, "show", str(case_id)]) == 0
    shown = capsys.readouterr().out
    assert "证据 (evidence)" in shown and "李四  取证" in shown
    assert main(["evidence", "--db", url, "capture", "999"]) == 2
    assert main(["evidence", "verify", "no-such-thing"]) == 2
    assert main(["evidence", "--db", url, "capture"]) == 2
    capsys.readouterr()
    # A page an officer found by hand, outside any case, is captured and recorded too.
    page = f"{listing_site}/item/8812734"
    assert (
        main(["evidence", "--db", url, "capture", "--url", page, "--out", str(out_dir), "--by", "李四"]) == 0
    )
    [manual] = (out_dir / "manual").iterdir()
    assert main(["evidence", "verify", str(manual)]) == 0
    with Session() as session:
        unfiled = session.query(EvidenceCapture).filter(EvidenceCapture.case_id.is_(None)).one()
        assert unfiled.url == page and unfiled.directory == str(manual)


def test_case_with_a_dead_and_a_bad_listing_still_captures_the_good_one(listing_site, tmp_path, caplog):
    url = f"sqlite:///{tmp_path / 'cases.sqlite'}"
    migrate(url)
    Session = session_factory(url)

    def listing_at(listing_id, page_url):
        base = make_listing(listing_id, title=TITLE)
        return type(base).from_record({**base.to_record(), "url": page_url})

    listings = [
        listing_at("good", f"{listing_site}/item/8812734"),
        listing_at("ftp", "ftp://127.0.0.1/item"),
        listing_at("dead", "http://127.0.0.1:9/item"),  # discard port: nothing listens
    ]
    with Session.begin() as session:
        [case_id] = record_batch(
            session, [(x, make_finding(x, ("GI_FALSE_ORIGIN", "FJQC"))) for x in listings]
        ).opened_case_ids
    results = capture_case(Session, case_id, root=tmp_path / "evidence", timeout_ms=10_000)
    by_url = {result.url: result for result in results}
    assert set(by_url) == {f"{listing_site}/item/8812734", "http://127.0.0.1:9/item"}
    assert by_url[f"{listing_site}/item/8812734"].complete
    dead = by_url["http://127.0.0.1:9/item"]
    assert not dead.complete and any("could not load" in problem for problem in dead.problems)
    assert verify_directory(dead.directory).passed  # what little there is, is sealed too
    assert "ftp://127.0.0.1/item" in caplog.text
    with Session() as session:
        assert {capture.complete for capture in session.query(EvidenceCapture)} == {True, False}


@pytest.mark.slow
def test_page_that_never_finishes_loading_is_still_captured(listing_site, tmp_path):
    result = capture_page_sync(f"{listing_site}/stalls", tmp_path / "stalls", timeout_ms=3_000)
    assert result.http_status == 200
    assert any("did not finish loading" in problem for problem in result.problems)
    assert (result.directory / SCREENSHOT).is_file()
    assert TITLE in (result.directory / DOM).read_text(encoding="utf-8")


def test_a_moved_data_folder_still_verifies_by_case(listing_site, tmp_path, monkeypatch, capsys):
    data = tmp_path / "data"
    monkeypatch.setenv("HAOPIN_DATA_DIR", str(data))
    url = f"sqlite:///{data / 'cases.sqlite'}"
    migrate(url)
    Session = session_factory(url)
    listing = make_listing("8812734", title=TITLE)
    listing = type(listing).from_record({**listing.to_record(), "url": f"{listing_site}/item/8812734"})
    with Session.begin() as session:
        summary = record_batch(session, [(listing, make_finding(listing, ("GI_FALSE_ORIGIN", "FJQC")))])
    [case_id] = summary.opened_case_ids
    [result] = capture_case(Session, case_id)
    with Session() as session:
        assert not Path(session.query(EvidenceCapture).one().directory).is_absolute()

    moved = tmp_path / "restored-elsewhere"
    data.rename(moved)
    monkeypatch.setenv("HAOPIN_DATA_DIR", str(moved))
    assert main(["evidence", "--db", f"sqlite:///{moved / 'cases.sqlite'}", "verify", str(case_id)]) == 0
    assert str(moved) in capsys.readouterr().out
    assert not result.directory.exists()
