"""demo-pdd: pages exist only after JavaScript rendered them; these read the rendered HTML."""

from __future__ import annotations

from dataclasses import dataclass

from crawler.items import Listing, build_listing
from spiders.pages.common import PageObject, strip_label, strip_unit

PLATFORM = "demo-pdd"
READY_SELECTOR = '#app[data-ready="1"]'


@dataclass(frozen=True)
class SearchResult:
    listing_id: str
    url: str


class RenderedPage(PageObject):
    platform = PLATFORM

    def failed_to_load(self) -> bool:
        """The app rendered its own error page, data-ready="error" (its API calls kept failing): worth another attempt."""
        return bool(self.sel.css('#app[data-ready="error"]'))

    def ensure_rendered(self) -> None:
        if self.sel.css("#app") and not self.sel.css(READY_SELECTOR):
            raise self.fail("app", "the page was not rendered: #app is still empty; fetch it through the browser")
        self.container("app", READY_SELECTOR)


class DemoPddSearchPage(RenderedPage):
    def results(self) -> list[SearchResult]:
        self.ensure_rendered()
        if self.sel.css("#app div.empty"):
            return []
        results = []
        for item in self.container("results", "#app div.goods-list div.goods-item"):
            listing_id = item.attrib.get("data-goods-id")
            href = item.css("a.goods-link::attr(href)").get()
            if not listing_id or not href:
                raise self.fail("results", "a goods item lacks data-goods-id or its link")
            results.append(SearchResult(listing_id, self.absolute(href)))
        return results

    def next_page_url(self) -> str | None:
        href = self.sel.css("#app div.pager a.next-page::attr(href)").get()
        return self.absolute(href) if href else None


class DemoPddListingPage(RenderedPage):
    def listing_id(self) -> str:
        self.ensure_rendered()
        return self.required("listing_id", "#app div.goods-detail::attr(data-goods-id)")

    def title(self) -> str:
        return self.required("title", "div.goods-detail h1.goods-title")

    def price(self) -> float:
        return self.required_price("price", "div.goods-detail div.goods-price b::text")

    def unit(self) -> str | None:
        return strip_unit(self.optional("div.goods-detail .goods-unit"))

    def images(self) -> list[str]:
        return self.absolute_all(self.sel.css("div.goods-detail div.goods-gallery img::attr(src)").getall())

    def mall_id(self) -> str:
        return self.required("seller.id", "div.goods-detail div.mall::attr(data-mall-id)")

    def mall_name(self) -> str:
        return self.required("seller.name", "div.goods-detail div.mall span.mall-name")

    def company(self) -> str | None:
        return self.optional("div.goods-detail div.mall span.mall-company")

    def ship_from(self) -> str | None:
        return strip_label(self.optional("div.goods-detail div.ship-from span"), "发货地")

    def attributes(self) -> dict[str, str]:
        return self.table("table.goods-props tr", "th", "td")

    def description(self) -> str | None:
        return self.optional("div.goods-detail div.goods-desc")

    def to_listing(self) -> Listing:
        return build_listing(PLATFORM, self.url, {
            "listing_id": self.listing_id(),
            "title": self.title(),
            "description": self.description(),
            "price": self.price(),
            "currency": "CNY",
            "unit": self.unit(),
            "seller": {"id": self.mall_id(), "name": self.mall_name(), "company": self.company()},
            "ship_from": self.ship_from(),
            "images": self.images(),
            "attributes": self.attributes(),
            "captured_at": self.captured_at,
        })
