"""Middlewares and pipelines on their own: hosts, Retry-After, blocked pages, validation, images, JSONL."""

from __future__ import annotations

import hashlib
import json
from email.utils import formatdate

import pytest
from scrapy.exceptions import DropItem, IgnoreRequest
from scrapy.http import HtmlResponse, Request

from crawler.commands.crawl import repair_torn_tail
from crawler.items import ExtractionError, build_listing, parse_price
from crawler.middlewares import BlockedPageMiddleware, PlatformHostsMiddleware, retry_after_seconds
from crawler.pipelines import (
    DedupeListingPipeline,
    ImageStore,
    JsonLinesWriterPipeline,
    ValidateListingPipeline,
    image_extension,
    read_listing_keys,
)


class Stats:
    def __init__(self):
        self.values = {}

    def inc_value(self, key, count=1):
        self.values[key] = self.values.get(key, 0) + count


RECORD = {"platform": "demo-jd", "listing_id": "1", "url": "http://127.0.0.1:1/jd/item/1.html",
          "title": "奉节脐橙", "captured_at": "2026-11-28T10:00:00+08:00"}


@pytest.mark.parametrize(
    ("header", "expected"),
    [("3", 3.0), (b"0", 0.0), ("2.5", 2.5), ("", None), (None, None), ("soon", None), ("-4", 0.0)],
)
def test_retry_after_delta_seconds(header, expected):
    assert retry_after_seconds(header) == expected


def test_retry_after_http_date_counts_from_now():
    now = 1_800_000_000.0
    assert retry_after_seconds(formatdate(now + 30, usegmt=True), now=now) == pytest.approx(30, abs=1)
    assert retry_after_seconds(formatdate(now - 30, usegmt=True), now=now) == 0.0


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9999/taobao/item/1",  # same host, other port: another service
        "http://evil.example/taobao/item/1",
        "file:///etc/passwd",
        "ftp://127.0.0.1:8765/x",
    ],
)
def test_requests_outside_the_platform_are_refused(url):
    stats = Stats()
    middleware = PlatformHostsMiddleware(frozenset({"127.0.0.1:8765"}), stats)
    with pytest.raises(IgnoreRequest):
        middleware.process_request(Request(url))
    assert stats.values["haopin/offsite_refused"] == 1


def test_requests_on_the_platform_pass():
    middleware = PlatformHostsMiddleware(frozenset({"127.0.0.1:8765"}), Stats())
    assert middleware.process_request(Request("http://127.0.0.1:8765/jd/item/1.html")) is None


def test_verification_wall_is_counted_and_not_parsed():
    stats = Stats()
    middleware = BlockedPageMiddleware(("滑动验证",), stats)
    request = Request("http://127.0.0.1:8765/taobao/search?q=x")
    wall = HtmlResponse(request.url, body="<html><body>请滑动验证后继续</body></html>".encode(), encoding="utf-8")
    with pytest.raises(IgnoreRequest):
        middleware.process_response(request, wall)
    page = HtmlResponse(request.url, body="<div class=item>奉节脐橙</div>".encode(), encoding="utf-8")
    assert middleware.process_response(request, page) is page
    assert stats.values == {"haopin/blocked_pages": 1}


def test_parse_price_reads_platform_formats():
    assert parse_price("¥39.90") == 39.9
    assert parse_price("1,299.00元") == 1299.0
    assert parse_price(3990) == 3990.0
    assert parse_price("面议") is None


def test_build_listing_names_the_bad_field():
    with pytest.raises(ExtractionError) as error:
        build_listing("demo-jd", RECORD["url"], {"listing_id": "1", "title": "x", "captured_at": "yesterday"})
    assert error.value.field == "captured_at"
    assert "demo-jd" in str(error.value) and RECORD["url"] in str(error.value)


def test_validation_drops_a_record_that_breaks_the_contract_naming_the_field():
    stats = Stats()
    pipeline = ValidateListingPipeline(stats)
    assert pipeline.process_item(dict(RECORD)).listing_id == "1"
    with pytest.raises(DropItem) as error:
        pipeline.process_item({**RECORD, "price": "39.9"})
    assert "price" in str(error.value) and RECORD["url"] in str(error.value)
    assert stats.values["haopin/errors/invalid_listing"] == 1


def test_dedupe_drops_repeats_and_listings_already_saved():
    pipeline = DedupeListingPipeline({("demo-jd", "2")}, Stats())
    validate = ValidateListingPipeline(Stats())
    first = validate.process_item(dict(RECORD))
    assert pipeline.process_item(first) is first
    with pytest.raises(DropItem):
        pipeline.process_item(first)
    with pytest.raises(DropItem):
        pipeline.process_item(validate.process_item({**RECORD, "listing_id": "2"}))


def test_image_type_comes_from_the_bytes_not_the_name():
    assert image_extension(b"\xff\xd8\xff\xe0rest") == "jpg"
    assert image_extension(b"\x89PNG\r\n\x1a\nrest") == "png"
    assert image_extension(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "webp"
    assert image_extension(b"<html>not found</html>") is None


def test_image_store_is_content_addressed(tmp_path):
    store = ImageStore(tmp_path / "images")
    body = b"\xff\xd8\xff" + b"x" * 100
    first = store.put(body, "jpg")
    again = store.put(body, "jpg")
    digest = hashlib.sha256(body).hexdigest()
    assert first == again == tmp_path / "images" / digest[:2] / f"{digest}.jpg"
    assert first.read_bytes() == body
    assert list((tmp_path / "images").rglob("*.part")) == []


def test_jsonl_writer_appends_whole_lines_that_resume_reads_back(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text(json.dumps(RECORD) + "\n" + '{"platform": "demo-jd", "listing_id": "torn', encoding="utf-8")
    repair_torn_tail(out)
    assert read_listing_keys(out) == {("demo-jd", "1")}
    writer = JsonLinesWriterPipeline(out, Stats())
    writer.open_spider()
    writer.process_item(ValidateListingPipeline(Stats()).process_item({**RECORD, "listing_id": "3"}))
    writer.close_spider()
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["listing_id"] for line in lines] == ["1", "3"]
    assert "奉节脐橙" in lines[1]  # written as UTF-8 text, not \\u escapes


def test_pipelines_added_for_a_run_slot_in_between_not_instead(tmp_path, monkeypatch):
    from crawler.commands.crawl import platform_settings
    from crawler.config import load_config

    monkeypatch.setenv("HAOPIN_DATA_DIR", str(tmp_path))
    config = load_config()
    settings = platform_settings(
        config, config.platform("demo-jd"), keywords=["奉节脐橙"], out=tmp_path / "o.jsonl", seen=set(), job=None,
        overrides={"ITEM_PIPELINES": {"crawler.pipelines.ScanPipeline": 500}, "DOWNLOAD_DELAY": 2},
        max_pages=None, images=True, verbose=False)
    order = [name.rsplit(".", 1)[1] for name, _ in sorted(settings.getwithbase("ITEM_PIPELINES").items(),
                                                          key=lambda item: item[1])]
    assert order == ["ValidateListingPipeline", "DedupeListingPipeline", "ImageStorePipeline", "ScanPipeline",
                     "JsonLinesWriterPipeline"]
    assert settings.getfloat("DOWNLOAD_DELAY") == 2
    assert settings.getlist("HAOPIN_ALLOWED_HOSTS") == ["127.0.0.1:8765"]


@pytest.mark.parametrize(
    ("stats", "reason", "problem"),
    [
        ({"haopin/pages": 10, "haopin/listings": 5}, "finished", None),
        ({"haopin/pages": 10, "haopin/skipped_known": 5}, "finished", None),  # a resume with nothing left to do
        ({"haopin/pages": 10}, "finished", "no listings"),
        ({"haopin/pages": 3, "haopin/blocked_pages": 3}, "finished", "blocked"),
        ({"haopin/pages": 10, "haopin/listings": 2, "haopin/errors/extraction": 6}, "finished", "mostly errors"),
        ({"haopin/pages": 4, "haopin/listings": 2, "haopin/errors/download": 5}, "finished", "mostly errors"),
        ({"haopin/pages": 10, "haopin/listings": 8, "haopin/errors/download": 2}, "finished", None),
        ({"haopin/pages": 1, "haopin/listings": 1}, "shutdown", None),
        ({}, None, "not started"),
    ],
)
def test_when_a_platform_crawl_counts_as_failed(stats, reason, problem):
    from types import SimpleNamespace

    from crawler.commands.crawl import PlatformRun

    crawler = SimpleNamespace(stats=SimpleNamespace(get_value=lambda key, default=None: stats.get(key, default)))
    run = PlatformRun("demo-jd", crawler, reason)
    if problem is None:
        assert run.problem() is None
    else:
        assert problem in run.problem()


def test_clean_text_collapses_html_whitespace_but_keeps_what_the_seller_typed():
    from crawler.items import clean_text

    assert clean_text("\n   奉节脐橙\t 5斤装  \n") == "奉节脐橙 5斤装"
    assert clean_text("ＦＥＮＧＳＨＡＮＧ\u3000ＨＡＯＰＩＮ") == "ＦＥＮＧＳＨＡＮＧ\u3000ＨＡＯＰＩＮ"
    assert clean_text("奉\u00a0上\u200b好品") == "奉\u00a0上\u200b好品"
    assert clean_text(" \n ") is None
