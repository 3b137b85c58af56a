"""RetryAfterMiddleware: 429/Retry-After pauses the host, slows it once per burst, and recovers on success."""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace

import pytest
from scrapy import Spider
from scrapy.http import Request, Response
from scrapy.utils.test import get_crawler

from crawler.middlewares import RetryAfterMiddleware

URL = "http://127.0.0.1:8765/jd/item/1.html"


@pytest.fixture
def setup():
    crawler = get_crawler(Spider, {"RETRY_TIMES": 2, "HAOPIN_BACKOFF_RETRIES": 3, "DOWNLOAD_DELAY": 0.0})
    crawler.spider = crawler._create_spider("test")
    slot = SimpleNamespace(delay=0.0)
    downloader = SimpleNamespace(slots={"127.0.0.1": slot}, get_slot_key=lambda request: "127.0.0.1")
    crawler.engine = SimpleNamespace(downloader=downloader)
    return RetryAfterMiddleware.from_crawler(crawler), slot, crawler.stats


def answer(status: int, retry_after: str | None = None) -> Response:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return Response(URL, status=status, headers=headers)


def run(coroutine):
    return asyncio.run(coroutine)


def test_429_is_retried_with_extra_attempts_and_pauses_the_whole_host(setup):
    middleware, slot, stats = setup
    retry = run(middleware.process_response(Request(URL), answer(429, "0.3")))
    assert isinstance(retry, Request) and retry.meta["max_retry_times"] == 5
    assert slot.delay == RetryAfterMiddleware.MIN_BACKOFF_DELAY
    assert stats.get_value("haopin/backoff/429") == 1
    started = time.monotonic()
    run(middleware.process_request(Request("http://127.0.0.1:8765/jd/item/2.html")))  # another page, same host
    assert time.monotonic() - started >= 0.25


def test_a_burst_of_429s_slows_the_host_once(setup):
    middleware, slot, _ = setup
    for _ in range(4):
        run(middleware.process_response(Request(URL), answer(429, "1")))
    assert slot.delay == RetryAfterMiddleware.MIN_BACKOFF_DELAY


def test_successes_bring_the_delay_back_down_to_the_configured_one(setup):
    middleware, slot, _ = setup
    slot.delay = 1.0
    for _ in range(200):
        run(middleware.process_response(Request(URL), answer(200)))
    assert slot.delay == 0.0


def test_a_plain_5xx_is_a_failure_not_a_rate_limit(setup):
    middleware, slot, stats = setup
    retry = run(middleware.process_response(Request(URL), answer(503)))
    assert isinstance(retry, Request) and "max_retry_times" not in retry.meta
    assert slot.delay == 0.0
    assert stats.get_value("haopin/backoff/503") is None


def test_retries_run_out_and_the_answer_goes_to_the_spider(setup):
    middleware, _, stats = setup
    request = Request(URL, meta={"retry_times": 5, "max_retry_times": 5})
    response = answer(429, "0")
    assert run(middleware.process_response(request, response)) is response
    assert stats.get_value("retry/max_reached") == 1
