"""demo-taobao: numbered GBK search pages -> item pages -> the shop page for the company."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import quote

from crawler.items import Listing
from spiders.base import PlatformSpider
from spiders.pages.demo_taobao import DemoTaobaoListingPage, DemoTaobaoSearchPage, DemoTaobaoShopPage


class DemoTaobaoSpider(PlatformSpider):
    name = "demo-taobao"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # shop id -> (company, location): many listings share a shop, fetch each shop once when possible
        self.shops: dict[str, tuple[str | None, str | None]] = {}

    def search_url(self, keyword: str, page: int) -> str:
        return self.url(f"/search?q={quote(keyword)}&page={page}")

    async def start(self):
        for keyword in self.keywords:
            yield self.request(self.search_url(keyword, 1), self.parse_search, cb_kwargs={"page": 1})

    def parse_search(self, response, page: int):
        search = DemoTaobaoSearchPage(response.url, response.text)
        for result in search.results():
            if self.claim(result.listing_id):
                yield self.request(result.url, self.parse_item)
        next_url = search.next_page_url()
        if next_url and page < self.max_pages:
            yield self.request(next_url, self.parse_search, cb_kwargs={"page": page + 1})

    def parse_item(self, response):
        page = DemoTaobaoListingPage(response.url, response.text, captured_at=self.captured_at())
        listing = page.to_listing()
        shop_id = page.shop_id()
        if shop_id in self.shops:
            yield self.with_shop(listing, *self.shops[shop_id])
            return
        yield self.request(page.shop_url(), self.parse_shop, cb_kwargs={"listing": listing},
                           errback=self.shop_failed, dont_filter=True)

    def parse_shop(self, response, listing: Listing):
        shop = DemoTaobaoShopPage(response.url, response.text)
        self.shops[shop.shop_id()] = (shop.company(), shop.location())
        yield self.with_shop(listing, *self.shops[shop.shop_id()])

    def shop_failed(self, failure):
        """Without its shop page a listing still goes out, only without the company."""
        self.on_error(failure)
        yield failure.request.cb_kwargs["listing"]

    @staticmethod
    def with_shop(listing: Listing, company: str | None, location: str | None) -> Listing:
        seller = replace(listing.seller, company=company, location=location)
        return replace(listing, seller=seller)
