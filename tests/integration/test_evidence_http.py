"""The bounded plain-HTTP client behind exchange.warc.gz, against hostile servers on 127.0.0.1."""

from __future__ import annotations

import asyncio
import threading

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.evidence import WarcRecorder

BODY = "奉节脐橙 当季现摘".encode() * 200


@pytest.fixture(scope="module")
def server():
    from aiohttp import web

    async def chunked(request):
        response = web.StreamResponse(headers={"Content-Type": "text/plain; charset=utf-8"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        for start in range(0, len(BODY), 1000):
            await response.write(BODY[start : start + 1000])
        await response.write_eof()
        return response

    async def drip(request):
        response = web.StreamResponse(headers={"Content-Type": "text/plain", "Content-Length": "100000"})
        await response.prepare(request)
        for _ in range(100):
            await response.write(b"x")
            await asyncio.sleep(0.1)
        return response

    async def big(request):
        return web.Response(body=b"y" * 50_000, content_type="application/octet-stream")

    async def loop_redirect(request):
        raise web.HTTPFound("/loop")

    app = web.Application()
    app.router.add_get("/chunked", chunked)
    app.router.add_get("/drip", drip)
    app.router.add_get("/big", big)
    app.router.add_get("/loop", loop_redirect)
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)
    loop.run_until_complete(runner.setup())
    site = web.TCPSite(runner, "127.0.0.1", 0)
    loop.run_until_complete(site.start())
    port = runner.addresses[0][1]
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.run_until_complete(runner.cleanup())
    loop.close()


def records(path):
    with open(path, "rb") as stream:
        return [
            (record.rec_type, record.rec_headers, record.http_headers, record.content_stream().read())
            for record in ArchiveIterator(stream)
        ]


def fetch(tmp_path, url, **options):
    recorder = WarcRecorder(tmp_path / "x.warc.gz", timeout=options.pop("timeout", 5.0))
    try:
        fetched = recorder.fetch(url, **options)
    finally:
        recorder.close()
    return fetched, records(tmp_path / "x.warc.gz")


def test_chunked_response_is_archived_readably(server, tmp_path):
    fetched, archived = fetch(tmp_path, f"{server}/chunked", max_bytes=1 << 20)
    assert fetched.body == BODY and fetched.problem is None
    [(_, _, headers, payload)] = [r for r in archived if r[0] == "response"]
    assert payload == BODY
    assert headers.get_header("Transfer-Encoding") is None
    assert headers.get_header("X-Archive-Orig-Transfer-Encoding") == "chunked"
    [(_, request_headers, http_request, _)] = [r for r in archived if r[0] == "request"]
    assert http_request.get_header("Accept-Encoding") == "identity"
    assert request_headers.get_header("WARC-Concurrent-To")


def test_oversized_body_is_cut_and_marked(server, tmp_path):
    fetched, archived = fetch(tmp_path, f"{server}/big", max_bytes=10_000)
    assert len(fetched.body) == 10_000 and "truncated" in fetched.problem
    [(_, warc_headers, _, payload)] = [r for r in archived if r[0] == "response"]
    assert warc_headers.get_header("WARC-Truncated") == "length" and len(payload) == 10_000


@pytest.mark.slow
def test_dripping_server_is_cut_off_in_time(server, tmp_path):
    fetched, archived = fetch(tmp_path, f"{server}/drip", max_bytes=1 << 20, timeout=0.5)
    assert "still sending" in fetched.problem and 0 < len(fetched.body) < 100
    [(_, warc_headers, _, _)] = [r for r in archived if r[0] == "response"]
    assert warc_headers.get_header("WARC-Truncated") == "time"


def test_redirect_loop_stops(server, tmp_path):
    fetched, archived = fetch(tmp_path, f"{server}/loop", max_bytes=1000)
    assert "redirects" in fetched.problem
    assert sum(1 for r in archived if r[0] == "response") == 6  # every hop is on record


def test_non_http_url_is_refused_without_a_connection(tmp_path):
    fetched, archived = fetch(tmp_path, "file:///etc/passwd", max_bytes=1000)
    assert "not an http(s) URL" in fetched.problem and fetched.body == b""
    assert [r[0] for r in archived] == ["warcinfo"]
