"""demo-douyin: a cursor-paginated JSON search feed and product pages whose images load lazily."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

from crawler.items import ExtractionError, Listing, build_listing
from spiders.pages.common import PageObject, load_json, strip_label, strip_unit

PLATFORM = "demo-douyin"


@dataclass(frozen=True)
class SearchResult:
    listing_id: str
    url: str


class DemoDouyinFeedPage:
    """One page of /douyin/api/search."""

    def __init__(self, url: str, text: str):
        self.url = url
        data = load_json(PLATFORM, url, text)
        feed = data.get("data") if isinstance(data, dict) else None
        if not isinstance(feed, dict) or not isinstance(feed.get("products"), list):
            raise ExtractionError(PLATFORM, url, "data.products", "the feed answer has no products array")
        self.feed = feed

    def results(self) -> list[SearchResult]:
        results = []
        for index, product in enumerate(self.feed["products"]):
            product_id, path = product.get("product_id"), product.get("detail_url")
            if not product_id or not path:
                raise ExtractionError(PLATFORM, self.url, f"data.products[{index}]",
                                      "lacks product_id or detail_url")
            results.append(SearchResult(str(product_id), urljoin(self.url, path)))
        return results

    def next_cursor(self) -> str | None:
        """The opaque cursor of the next page, or None at the end of the feed."""
        if not self.feed.get("has_more"):
            return None
        cursor = self.feed.get("cursor")
        if cursor in (None, ""):
            raise ExtractionError(PLATFORM, self.url, "data.cursor", "has_more is true but there is no cursor")
        return str(cursor)


class DemoDouyinListingPage(PageObject):
    platform = PLATFORM

    def listing_id(self) -> str:
        return self.required("listing_id", "div.product::attr(data-product-id)")

    def title(self) -> str:
        return self.required("title", "div.product h1.product-title")

    def price(self) -> float:
        fen = self.required("price", "div.product div.product-price::attr(data-price-fen)")
        if not fen.isdigit():
            raise self.fail("price", f"data-price-fen {fen!r} is not a whole number of fen")
        return int(fen) / 100

    def unit(self) -> str | None:
        return strip_unit(self.optional("div.product div.product-price span.unit"))

    def images(self) -> list[str]:
        """The real URLs sit in data-src; src is a 1×1 placeholder until the page scrolls."""
        gallery = self.sel.css("div.product div.gallery img")
        urls = []
        for img in gallery:
            lazy = "lazy" in img.attrib.get("class", "").split()
            urls.append(img.attrib.get("data-src") or ("" if lazy else img.attrib.get("src", "")))
        return self.absolute_all(urls)

    def shop_id(self) -> str:
        return self.required("seller.id", "div.product div.shop-card::attr(data-shop-id)")

    def shop_name(self) -> str:
        return self.required("seller.name", "div.product div.shop-card span.shop-name")

    def company(self) -> str | None:
        return self.optional("div.product div.shop-card span.company")

    def ship_from(self) -> str | None:
        return strip_label(self.optional("div.product div.ship-from span"), "发货地")

    def attributes(self) -> dict[str, str]:
        return self.table("div.product ul.specs li", "span.k", "span.v")

    def description(self) -> str | None:
        return self.optional("div.product div.product-desc")

    def to_listing(self) -> Listing:
        return build_listing(PLATFORM, self.url, {
            "listing_id": self.listing_id(),
            "title": self.title(),
            "description": self.description(),
            "price": self.price(),
            "currency": "CNY",
            "unit": self.unit(),
            "seller": {"id": self.shop_id(), "name": self.shop_name(), "company": self.company()},
            "ship_from": self.ship_from(),
            "images": self.images(),
            "attributes": self.attributes(),
            "captured_at": self.captured_at,
        })
