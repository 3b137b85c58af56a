"""Downloader and spider middlewares: stay on the platform, back off when told, notice walls.

Counters go to the crawl stats under `haopin/…`; `haopin crawl` builds its
closing summary from them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request, Response, TextResponse
from scrapy.utils.response import response_status_message

from crawler.config import netloc
from crawler.items import ExtractionError

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

BACKOFF_STATUSES = (429, 503)


def _required_setting(crawler: Crawler, name: str):
    value = crawler.settings.get(name)
    if value is None:
        raise RuntimeError(f"setting {name} is required by the haopin crawl components but is not set")
    return value


class PlatformHostsMiddleware:
    """Refuse every request outside the platform's own hosts (HAOPIN_ALLOWED_HOSTS, host:port) and non-http(s).

    Scrapy's offsite filter matches domains, not ports, and lets redirects and
    image URLs through the engine's direct downloads; this one sees them all.
    """

    def __init__(self, hosts: frozenset[str], stats):
        self.hosts = hosts
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PlatformHostsMiddleware:
        hosts = frozenset(netloc(h if "://" in h else f"http://{h}") for h in _required_setting(
            crawler, "HAOPIN_ALLOWED_HOSTS"))
        return cls(hosts, crawler.stats)

    def process_request(self, request: Request) -> None:
        scheme = request.url.split(":", 1)[0].lower()
        if scheme not in ("http", "https"):
            self.stats.inc_value("haopin/offsite_refused")
            raise IgnoreRequest(f"refused {request.url}: only http and https are crawled")
        if netloc(request.url) not in self.hosts:
            self.stats.inc_value("haopin/offsite_refused")
            logger.warning("refused %s: host is not one of the platform's (%s)", request.url,
                           ", ".join(sorted(self.hosts)))
            raise IgnoreRequest(f"refused {request.url}: outside the platform's hosts")


def retry_after_seconds(value: bytes | str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date; None if absent or garbled."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if not text:
        return None
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment is None:
        return None
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's retry, plus: a 429/503 with Retry-After pauses the whole host for that long.

    The pause applies to every request to the host, not only the retried one,
    because rate limits are per client; waits are capped by HAOPIN_MAX_RETRY_AFTER.
    Each 429/503 also doubles the host's download delay and each success shrinks it
    a little, so the crawl settles just under the platform's rate instead of
    bursting into the limit again after every pause.
    """

    MIN_BACKOFF_DELAY = 0.25
    RECOVERY = 0.95

    def __init__(self, settings, stats):
        super().__init__(settings)
        self.max_wait = settings.getfloat("HAOPIN_MAX_RETRY_AFTER", 60.0)
        # A server that says when to come back has not failed: such answers get extra attempts.
        self.max_backoff_retries = self.max_retry_times + settings.getint("HAOPIN_BACKOFF_RETRIES", 8)
        self.base_delay = settings.getfloat("DOWNLOAD_DELAY", 0.0)
        self.stats = stats
        self._resume_at: dict[str, float] = {}
        self._slowed_at: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        if not crawler.settings.getbool("RETRY_ENABLED"):
            raise NotConfigured
        middleware = cls(crawler.settings, crawler.stats)
        middleware.crawler = crawler
        return middleware

    async def process_request(self, request: Request) -> None:
        wait = self._resume_at.get(netloc(request.url), 0.0) - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)

    def _slot(self, request: Request):
        downloader = self.crawler.engine.downloader
        return downloader.slots.get(downloader.get_slot_key(request))

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        wait = retry_after_seconds(response.headers.get(b"Retry-After"))
        told_to_wait = response.status == 429 or (response.status in BACKOFF_STATUSES and wait is not None)
        self._adapt_delay(request, slowed=told_to_wait, ok=response.status < 400)
        if not told_to_wait:
            return super().process_response(request, response)
        self.stats.inc_value(f"haopin/backoff/{response.status}")
        if wait is None or request.meta.get("dont_retry", False):
            return super().process_response(request, response)
        host = netloc(request.url)
        self._resume_at[host] = max(self._resume_at.get(host, 0.0), time.monotonic() + min(wait, self.max_wait))
        retry = request.replace(meta={"max_retry_times": self.max_backoff_retries, **request.meta})
        return self._retry(retry, response_status_message(response.status)) or response

    def _adapt_delay(self, request: Request, *, slowed: bool, ok: bool) -> None:
        slot = self._slot(request)
        if slot is None:
            return
        if slowed:
            # The answers to one burst arrive together: slow down once per burst, not once per answer.
            host, now = netloc(request.url), time.monotonic()
            if now - self._slowed_at.get(host, 0.0) > max(slot.delay, 1.0):
                self._slowed_at[host] = now
                slot.delay = min(self.max_wait, max(slot.delay * 2, self.MIN_BACKOFF_DELAY))
                self.stats.max_value("haopin/backoff/max_delay", slot.delay)
        elif ok and slot.delay > self.base_delay:
            recovered = slot.delay * self.RECOVERY
            slot.delay = self.base_delay if recovered - self.base_delay < 0.01 else recovered


class BlockedPageMiddleware:
    """A verification wall or login gate served instead of the page is counted and dropped, never parsed.

    Parsing it would yield a layout error at best and an empty "clean" result at worst.
    """

    def __init__(self, markers: tuple[str, ...], stats):
        self.markers = tuple(m.lower() for m in markers)
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BlockedPageMiddleware:
        return cls(tuple(_required_setting(crawler, "HAOPIN_BLOCKED_MARKERS")), crawler.stats)

    def process_response(self, request: Request, response: Response) -> Response:
        if request.meta.get("haopin_image"):
            return response
        marker = None
        if response.status == 403:
            marker = "HTTP 403"
        elif isinstance(response, TextResponse) and response.status == 200:
            head = response.text[:65536].lower()
            marker = next((m for m in self.markers if m in head), None)
        if marker is None:
            return response
        self.stats.inc_value("haopin/blocked_pages")
        logger.warning("blocked page at %s (%s): the platform refused us; not parsed", response.url, marker)
        raise IgnoreRequest(f"blocked page at {response.url} ({marker})")


def skip_browser_media(request) -> bool:
    """Playwright abort predicate: a rendering browser loads no images, media or fonts."""
    return request.resource_type in ("image", "media", "font")


class CrawlAccountingMiddleware:
    """Spider middleware: counts pages reaching the spider and turns layout errors into one clear log line."""

    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlAccountingMiddleware:
        return cls(crawler.stats)

    def process_spider_input(self, response: Response) -> None:
        self.stats.inc_value("haopin/pages")

    def process_spider_exception(self, response: Response, exception: Exception):
        if isinstance(exception, ExtractionError):
            self.stats.inc_value("haopin/errors/extraction")
            self.stats.inc_value(f"haopin/extraction_errors/{exception.field}")
            logger.error("layout changed? %s", exception)
            return []
        self.stats.inc_value("haopin/errors/spider")
        return None
