"""demo-pdd: a single-page app; every page is rendered in Chromium (scrapy-playwright) before parsing."""

from __future__ import annotations

from urllib.parse import quote

from scrapy_playwright.page import PageMethod

from spiders.base import PlatformSpider
from spiders.pages.demo_pdd import READY_SELECTOR, DemoPddListingPage, DemoPddSearchPage

RENDER_TIMEOUT_MS = 20_000


class DemoPddSpider(PlatformSpider):
    name = "demo-pdd"

    def rendered(self, url: str, callback, **kwargs):
        """A request Chromium renders; the app marks #app data-ready once its API answers arrived."""
        meta = {
            "playwright": True,
            "playwright_page_methods": [
                PageMethod("wait_for_selector", READY_SELECTOR, timeout=RENDER_TIMEOUT_MS),
            ],
        }
        return self.request(url, callback, meta=meta, **kwargs)

    def search_url(self, keyword: str, page: int) -> str:
        return self.url(f"/search?q={quote(keyword)}&page={page}")

    async def start(self):
        for keyword in self.keywords:
            yield self.rendered(self.search_url(keyword, 1), self.parse_search, cb_kwargs={"page": 1})

    def parse_search(self, response, page: int):
        search = DemoPddSearchPage(response.url, response.text)
        for result in search.results():
            if self.claim(result.listing_id):
                yield self.rendered(result.url, self.parse_goods)
        next_url = search.next_page_url()
        if next_url and page < self.max_pages:
            yield self.rendered(next_url, self.parse_search, cb_kwargs={"page": page + 1})

    def parse_goods(self, response):
        yield DemoPddListingPage(response.url, response.text, captured_at=self.captured_at()).to_listing()
