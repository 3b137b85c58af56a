"""The spider for platforms defined in YAML (crawler/platforms/<slug>.yaml): no Python per platform."""

from __future__ import annotations

from urllib.parse import quote

from spiders.base import PlatformSpider
from spiders.pages.generic import (
    GenericListingPage,
    GenericSearchPage,
    PlatformDefinition,
    listing_from_fields,
)


class GenericSpider(PlatformSpider):
    name = "generic"

    def __init__(self, *, definition: PlatformDefinition, **kwargs):
        super().__init__(**kwargs)
        self.definition = definition

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        data = crawler.settings.get("HAOPIN_PLATFORM_DEFINITION")
        if not data:
            raise RuntimeError("setting HAOPIN_PLATFORM_DEFINITION (the YAML platform) is required by the generic spider")
        kwargs.setdefault("definition", PlatformDefinition.parse(data, crawler.settings.get("HAOPIN_PLATFORM")))
        return super().from_crawler(crawler, *args, **kwargs)

    def search_url(self, keyword: str, page: int, cursor: str = "") -> str:
        template = self.definition.search_url
        url = template.format(keyword=quote(keyword), page=page, cursor=quote(cursor), base_url=self.base_url)
        return url if "://" in url else self.url(url)

    def page_request(self, url: str, callback, *, ready: str | None, **kwargs):
        if not self.definition.render:
            return self.request(url, callback, **kwargs)
        from scrapy_playwright.page import PageMethod

        methods = [PageMethod("wait_for_selector", ready)] if ready else []
        return self.request(url, callback, meta={"playwright": True, "playwright_page_methods": methods}, **kwargs)

    def text(self, response) -> str:
        if self.definition.encoding:
            return response.body.decode(self.definition.encoding, errors="replace")
        return response.text

    async def start(self):
        first = self.definition.pagination.first
        for keyword in self.keywords:
            yield self.page_request(self.search_url(keyword, first), self.parse_search,
                                    ready=self.definition.search_ready,
                                    cb_kwargs={"keyword": keyword, "page": first, "count": 1})

    def parse_search(self, response, keyword: str, page: int, count: int):
        search = GenericSearchPage(self.definition, response.url, self.text(response))
        results = search.results()
        for result in results:
            if result.listing_id is not None and not self.claim(result.listing_id):
                continue
            if result.url is not None:
                yield self.page_request(result.url, self.parse_item, ready=self.definition.item_ready,
                                        cb_kwargs={"search_fields": dict(result.fields)})
            else:
                yield listing_from_fields(self.definition, response.url, result.fields, None, self.captured_at())
        if count >= self.max_pages or not results:
            return
        pagination = self.definition.pagination
        next_url = None
        if pagination.kind == "page_number":
            next_url = self.search_url(keyword, page + 1)
        elif pagination.kind == "next_link":
            next_url = search.next_page_url()
        else:
            cursor = search.next_cursor()
            next_url = self.search_url(keyword, page, cursor) if cursor else None
        if next_url:
            yield self.page_request(next_url, self.parse_search, ready=self.definition.search_ready,
                                    cb_kwargs={"keyword": keyword, "page": page + 1, "count": count + 1})

    def parse_item(self, response, search_fields):
        page = GenericListingPage(self.definition, response.url, self.text(response), captured_at=self.captured_at())
        listing = page.to_listing(search_fields)
        if search_fields.get("listing_id") is None and not self.claim(listing.listing_id):
            return
        yield listing
