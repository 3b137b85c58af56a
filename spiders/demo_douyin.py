"""demo-douyin: a cursor-paginated JSON feed -> product pages (images only in data-src)."""

from __future__ import annotations

from urllib.parse import quote

from spiders.base import PlatformSpider
from spiders.pages.demo_douyin import DemoDouyinFeedPage, DemoDouyinListingPage

PAGE_SIZE = 30


class DemoDouyinSpider(PlatformSpider):
    name = "demo-douyin"

    def feed_url(self, keyword: str, cursor: str | None) -> str:
        url = self.url(f"/api/search?keyword={quote(keyword)}&count={PAGE_SIZE}")
        return url if cursor is None else f"{url}&cursor={quote(cursor)}"

    async def start(self):
        for keyword in self.keywords:
            yield self.request(self.feed_url(keyword, None), self.parse_feed,
                               cb_kwargs={"keyword": keyword, "page": 1})

    def parse_feed(self, response, keyword: str, page: int):
        feed = DemoDouyinFeedPage(response.url, response.text)
        for result in feed.results():
            if self.claim(result.listing_id):
                yield self.request(result.url, self.parse_product)
        cursor = feed.next_cursor()
        if cursor is not None and page < self.max_pages:
            yield self.request(self.feed_url(keyword, cursor), self.parse_feed,
                               cb_kwargs={"keyword": keyword, "page": page + 1})

    def parse_product(self, response):
        yield DemoDouyinListingPage(response.url, response.text, captured_at=self.captured_at()).to_listing()
