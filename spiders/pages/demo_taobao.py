"""demo-taobao: GBK HTML search pages, item pages with a spec table, shop pages with the company."""

from __future__ import annotations

from dataclasses import dataclass

from crawler.items import Listing, build_listing
from spiders.pages.common import PageObject, strip_unit

PLATFORM = "demo-taobao"


@dataclass(frozen=True)
class SearchResult:
    listing_id: str
    url: str


class DemoTaobaoSearchPage(PageObject):
    platform = PLATFORM

    def results(self) -> list[SearchResult]:
        if self.sel.css("div.empty"):
            return []
        items = self.container("results", "#mainsrp-itemlist div.item")
        results = []
        for item in items:
            listing_id = item.attrib.get("data-nid")
            href = item.css("div.title a::attr(href)").get()
            if not listing_id or not href:
                raise self.fail("results", "a result lacks data-nid or its title link")
            results.append(SearchResult(listing_id, self.absolute(href)))
        return results

    def next_page_url(self) -> str | None:
        href = self.sel.css("div.pager a.next::attr(href)").get()
        return self.absolute(href) if href else None


class DemoTaobaoListingPage(PageObject):
    platform = PLATFORM

    def listing_id(self) -> str:
        return self.required("listing_id", "#detail::attr(data-item-id)")

    def title(self) -> str:
        return self.required("title", "#detail h1.tb-main-title")

    def price(self) -> float:
        return self.required_price("price", "#detail .tb-price .tb-rmb-num::text")

    def unit(self) -> str | None:
        return strip_unit(self.optional("#detail .tb-price .tb-unit"))

    def images(self) -> list[str]:
        return self.absolute_all(self.sel.css("#J_UlThumb img::attr(src)").getall())

    def shop_id(self) -> str:
        return self.required("seller.id", "#detail .tb-shop a.shop-name::attr(data-shopid)")

    def shop_name(self) -> str:
        return self.required("seller.name", "#detail .tb-shop a.shop-name")

    def shop_url(self) -> str:
        return self.absolute(self.required("seller.shop_url", "#detail .tb-shop a.shop-name::attr(href)"))

    def ship_from(self) -> str | None:
        return self.optional("#J_deliveryAdd")

    def attributes(self) -> dict[str, str]:
        return self.table("table.attributes-list tr", "th", "td")

    def description(self) -> str | None:
        return self.optional("#J_DivItemDesc")

    def to_listing(self, *, company: str | None = None, seller_location: str | None = None) -> Listing:
        """The listing; company and seller location are only on the shop page (DemoTaobaoShopPage)."""
        seller = {
            "id": self.shop_id(),
            "name": self.shop_name(),
            "shop_url": self.shop_url(),
            "company": company,
            "location": seller_location,
        }
        return build_listing(PLATFORM, self.url, {
            "listing_id": self.listing_id(),
            "title": self.title(),
            "description": self.description(),
            "price": self.price(),
            "currency": "CNY",
            "unit": self.unit(),
            "seller": seller,
            "ship_from": self.ship_from(),
            "images": self.images(),
            "attributes": self.attributes(),
            "captured_at": self.captured_at,
        })


class DemoTaobaoShopPage(PageObject):
    platform = PLATFORM

    def shop_id(self) -> str:
        return self.required("seller.id", "div.shop-info dd.shop-id")

    def name(self) -> str:
        return self.required("seller.name", "div.shop-info h1.shop-name")

    def company(self) -> str | None:
        """Absent for individual sellers, so not required."""
        self.container("seller", "div.shop-info")
        return self.optional("div.shop-info dd.company")

    def location(self) -> str | None:
        return self.optional("div.shop-info dd.location")

