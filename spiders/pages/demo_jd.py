"""demo-jd: a JSON search API, HTML item pages, and the price from a separate JSON endpoint."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

from crawler.items import ExtractionError, Listing, build_listing, parse_price
from spiders.pages.common import PageObject, load_json, strip_unit

PLATFORM = "demo-jd"


@dataclass(frozen=True)
class SearchResult:
    listing_id: str
    url: str


class DemoJdSearchPage:
    """One page of /jd/api/search."""

    def __init__(self, url: str, text: str):
        self.url = url
        self.data = load_json(PLATFORM, url, text)
        if not isinstance(self.data, dict) or not isinstance(self.data.get("wareList"), list):
            raise ExtractionError(PLATFORM, url, "wareList", "the search answer has no wareList array")

    def results(self) -> list[SearchResult]:
        results = []
        for index, ware in enumerate(self.data["wareList"]):
            sku, path = ware.get("wareId"), ware.get("url")
            if not sku or not path:
                raise ExtractionError(PLATFORM, self.url, f"wareList[{index}]", "lacks wareId or url")
            results.append(SearchResult(str(sku), urljoin(self.url, path)))
        return results

    def has_next_page(self) -> bool:
        page, total_pages = self.data.get("page"), self.data.get("total_pages")
        if isinstance(page, int) and isinstance(total_pages, int):
            return page < total_pages
        return bool(self.data["wareList"])


class DemoJdListingPage(PageObject):
    platform = PLATFORM

    def listing_id(self) -> str:
        return self.required("listing_id", "div.itemInfo-wrap::attr(data-sku)")

    def title(self) -> str:
        return self.required("title", "div.itemInfo-wrap div.sku-name")

    def unit(self) -> str | None:
        return strip_unit(self.optional("div.itemInfo-wrap .summary-price .p-unit"))

    def images(self) -> list[str]:
        return self.absolute_all(self.sel.css("div.itemInfo-wrap ul.lh img::attr(src)").getall())

    def shop_id(self) -> str:
        return self.required("seller.id", "div.J-hove-wrap div.name a::attr(data-shopid)")

    def shop_name(self) -> str:
        return self.required("seller.name", "div.J-hove-wrap div.name a")

    def shop_url(self) -> str:
        return self.absolute(self.required("seller.shop_url", "div.J-hove-wrap div.name a::attr(href)"))

    def company(self) -> str | None:
        return self.optional("div.J-hove-wrap div.company")

    def ship_from(self) -> str | None:
        return self.optional("#summary-service span.ship-from")

    def attributes(self) -> dict[str, str]:
        attributes: dict[str, str] = {}
        for text in self.sel.css("ul.parameter2 li"):
            line = self.optional("::text", root=text) or ""
            key, sep, value = line.partition("：")
            if sep and key.strip():
                attributes[key.strip()] = value.strip()
        return attributes

    def description(self) -> str | None:
        return self.optional("#J-detail-content")

    def price_url(self) -> str:
        return self.absolute(f"/jd/api/price?skuIds=J_{self.listing_id()}")

    def to_listing(self, price: float | None) -> Listing:
        """The listing; `price` comes from DemoJdPrice because the page itself carries none."""
        return build_listing(PLATFORM, self.url, {
            "listing_id": self.listing_id(),
            "title": self.title(),
            "description": self.description(),
            "price": price,
            "currency": "CNY",
            "unit": self.unit(),
            "seller": {"id": self.shop_id(), "name": self.shop_name(), "company": self.company(),
                       "shop_url": self.shop_url()},
            "ship_from": self.ship_from(),
            "images": self.images(),
            "attributes": self.attributes(),
            "captured_at": self.captured_at,
        })


def parse_jd_price(url: str, text: str, sku: str) -> float:
    """The current price (`p`) of `sku` from /jd/api/price."""
    data = load_json(PLATFORM, url, text, "price")
    if isinstance(data, list):
        for entry in data:
            if isinstance(entry, dict) and entry.get("id") == f"J_{sku}":
                price = parse_price(entry.get("p"))
                if price is not None:
                    return price
    raise ExtractionError(PLATFORM, url, "price", f"no price for J_{sku} in the price answer")

