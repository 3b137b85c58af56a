"""demo-pdd: a single-page app; every page is rendered in Chromium (scrapy-playwright) before parsing."""

from __future__ import annotations

from urllib.parse import quote

from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy_playwright.page import PageMethod

from spiders.base import PlatformSpider
from spiders.pages.demo_pdd import DemoPddListingPage, DemoPddSearchPage

RENDER_TIMEOUT_MS = 30_000
SETTLED_SCRIPT = "() => { const app = document.getElementById('app'); return !app || app.hasAttribute('data-ready'); }"


class DemoPddSpider(PlatformSpider):
    name = "demo-pdd"

    def rendered(self, url: str, callback, **kwargs):
        """A request Chromium renders, waiting until the app has settled.

        The app marks #app data-ready once its API answered (or gave up); a document without
        #app (a 5xx error page) has nothing to wait for and goes straight to the retry middleware.
        """
        meta = {
            "playwright": True,
            "playwright_page_methods": [
                PageMethod("wait_for_function", SETTLED_SCRIPT, timeout=RENDER_TIMEOUT_MS),
            ],
        }
        return self.request(url, callback, meta=meta, **kwargs)

    def search_url(self, keyword: str, page: int) -> str:
        return self.url(f"/search?q={quote(keyword)}&page={page}")

    async def start(self):
        for keyword in self.keywords:
            yield self.rendered(self.search_url(keyword, 1), self.parse_search, cb_kwargs={"page": 1})

    def retry_unloaded(self, response):
        """The app's error page is a failed download in disguise: retry it within the retry budget."""
        self.crawler.stats.inc_value("haopin/render_failed")
        retry = get_retry_request(response.request, spider=self, reason="app_error_page")
        if retry is None:
            self.crawler.stats.inc_value("haopin/errors/download")
            self.logger.error("giving up on %s: the app kept showing its error page", response.url)
            return []
        return [retry]

    def parse_search(self, response, page: int):
        search = DemoPddSearchPage(response.url, response.text)
        if search.failed_to_load():
            yield from self.retry_unloaded(response)
            return
        for result in search.results():
            if self.claim(result.listing_id):
                yield self.rendered(result.url, self.parse_goods)
        next_url = search.next_page_url()
        if next_url and page < self.max_pages:
            yield self.rendered(next_url, self.parse_search, cb_kwargs={"page": page + 1})

    def parse_goods(self, response):
        goods = DemoPddListingPage(response.url, response.text, captured_at=self.captured_at())
        if goods.failed_to_load():
            yield from self.retry_unloaded(response)
            return
        yield goods.to_listing()
