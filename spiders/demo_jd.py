"""demo-jd: JSON search API -> HTML item page -> JSON price endpoint."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import quote

from spiders.base import PlatformSpider
from spiders.pages.demo_jd import DemoJdListingPage, DemoJdSearchPage, parse_jd_price

PAGE_SIZE = 60


class DemoJdSpider(PlatformSpider):
    name = "demo-jd"

    def search_url(self, keyword: str, page: int) -> str:
        return self.url(f"/api/search?keyword={quote(keyword)}&page={page}&pagesize={PAGE_SIZE}")

    async def start(self):
        for keyword in self.keywords:
            yield self.request(self.search_url(keyword, 1), self.parse_search,
                               cb_kwargs={"keyword": keyword, "page": 1})

    def parse_search(self, response, keyword: str, page: int):
        search = DemoJdSearchPage(response.url, response.text)
        for result in search.results():
            if self.claim(result.listing_id):
                yield self.request(result.url, self.parse_item)
        if search.has_next_page() and page < self.max_pages:
            yield self.request(self.search_url(keyword, page + 1), self.parse_search,
                               cb_kwargs={"keyword": keyword, "page": page + 1})

    def parse_item(self, response):
        page = DemoJdListingPage(response.url, response.text, captured_at=self.captured_at())
        listing = page.to_listing(price=None)
        yield self.request(page.price_url(), self.parse_price, cb_kwargs={"listing": listing},
                           errback=self.price_failed, dont_filter=True)

    def parse_price(self, response, listing):
        yield replace(listing, price=parse_jd_price(response.url, response.text, listing.listing_id))

    def price_failed(self, failure):
        """The listing is still evidence without its price; the failure is counted."""
        self.on_error(failure)
        yield failure.request.cb_kwargs["listing"]
