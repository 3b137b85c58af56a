"""What every platform spider shares: its platform settings, keyword searches, dedupe and error accounting.

A spider learns where its platform lives from the crawler settings that
`haopin crawl` sets per platform (HAOPIN_PLATFORM, HAOPIN_BASE_URL,
HAOPIN_KEYWORDS, HAOPIN_MAX_PAGES, HAOPIN_SEEN_LISTINGS), so it imports no
configuration code and runs unchanged against the demo marketplace or a real host.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.items import captured_now


class PlatformSpider(scrapy.Spider):
    """Base of the per-platform spiders; subclasses define `start` and their callbacks."""

    def __init__(
        self,
        *,
        platform: str,
        base_url: str,
        keywords: Iterable[str],
        max_pages: int,
        seen_listings: Iterable[tuple[str, str]] = (),
        **kwargs: Any,
    ):
        super().__init__(name=platform, **kwargs)
        self.platform = platform
        self.base_url = base_url.rstrip("/")
        self.keywords = list(dict.fromkeys(k.strip() for k in keywords if k and k.strip()))
        if not self.keywords:
            raise ValueError(f"{platform}: no search keywords")
        self.max_pages = max_pages
        self.known = {listing_id for slug, listing_id in seen_listings if slug == platform}
        self.claimed: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        settings = crawler.settings
        for name in ("HAOPIN_PLATFORM", "HAOPIN_BASE_URL", "HAOPIN_KEYWORDS"):
            if not settings.get(name):
                raise RuntimeError(f"setting {name} is required to run a platform spider")
        kwargs.setdefault("platform", settings.get("HAOPIN_PLATFORM"))
        kwargs.setdefault("base_url", settings.get("HAOPIN_BASE_URL"))
        kwargs.setdefault("keywords", settings.getlist("HAOPIN_KEYWORDS"))
        kwargs.setdefault("max_pages", settings.getint("HAOPIN_MAX_PAGES", 20))
        kwargs.setdefault("seen_listings", settings.get("HAOPIN_SEEN_LISTINGS") or ())
        return super().from_crawler(crawler, *args, **kwargs)

    def url(self, path: str) -> str:
        return self.base_url + "/" + path.lstrip("/")

    def claim(self, listing_id: str) -> bool:
        """True the first time a listing comes up in this crawl and it is not already in the output."""
        if listing_id in self.claimed:
            return False
        self.claimed.add(listing_id)
        if listing_id in self.known:
            self.crawler.stats.inc_value("haopin/skipped_known")
            return False
        return True

    def request(self, url: str, callback: Callable, **kwargs: Any) -> scrapy.Request:
        """A request whose final failure (after retries) is counted and logged, not lost quietly."""
        kwargs.setdefault("errback", self.on_error)
        return scrapy.Request(url, callback=callback, **kwargs)

    def on_error(self, failure: Failure) -> None:
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            return  # refused off-site or blocked: counted where it was refused
        if failure.check(HttpError):
            reason = f"http_{failure.value.response.status}"
        else:
            reason = failure.type.__name__
        self.crawler.stats.inc_value("haopin/errors/download")
        self.crawler.stats.inc_value(f"haopin/errors/{reason}")
        self.logger.error("giving up on %s: %s", failure.request.url, reason)

    @staticmethod
    def captured_at() -> str:
        return captured_now()
