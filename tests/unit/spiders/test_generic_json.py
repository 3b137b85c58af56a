"""The generic spider's JSON side: a feed platform written only in YAML, read from a saved demo-douyin feed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from crawler.items import ExtractionError
from spiders.pages.generic import DefinitionError, GenericSearchPage, PlatformDefinition, listing_from_fields

FEED = Path(__file__).resolve().parents[2] / "fixtures" / "demo-douyin"

DEFINITION = yaml.safe_load("""
platform: feed-shop
base_url: http://127.0.0.1:8765/douyin
search:
  url: "/api/search?keyword={keyword}&count=10&cursor={cursor}"
  format: json
  results: "json: data.products"
  fields:
    listing_id: {json: product_id, required: true}
    title: {json: title, required: true}
    price: {json: price, scale: 0.01}
    images: {json: cover, all: true}
    seller.id: "json: shop_id"
    seller.name: "json: shop_name"
  pagination:
    kind: cursor
    cursor: "json: data.cursor"
    has_more: "json: data.has_more"
""")


def page(case: str) -> GenericSearchPage:
    folder = FEED / case
    return GenericSearchPage(PlatformDefinition.parse(DEFINITION, "feed-shop.yaml"),
                             (folder / "url.txt").read_text(encoding="utf-8").strip(),
                             (folder / "page.json").read_text(encoding="utf-8"))


def test_json_feed_results_become_listings_without_an_item_page():
    feed = page("feed-first-page")
    raw = json.loads((FEED / "feed-first-page" / "page.json").read_text(encoding="utf-8"))["data"]["products"]
    results = feed.results()
    assert [r.listing_id for r in results] == [p["product_id"] for p in raw]
    listing = listing_from_fields(feed.definition, feed.url, results[0].fields, None, "2026-11-28T10:00:00+08:00")
    assert listing.platform == "feed-shop"
    assert listing.price == pytest.approx(raw[0]["price"] / 100)  # fen -> yuan by `scale`
    assert listing.images == ("http://127.0.0.1:8765" + raw[0]["cover"],)
    assert listing.seller.id == raw[0]["shop_id"] and listing.title == raw[0]["title"]


def test_cursor_pagination_follows_has_more():
    assert page("feed-first-page").next_cursor() == json.loads(
        (FEED / "feed-first-page" / "page.json").read_text(encoding="utf-8"))["data"]["cursor"]
    assert page("feed-last-page").next_cursor() is None


def test_a_feed_whose_shape_changed_names_the_missing_field():
    definition = PlatformDefinition.parse({**DEFINITION, "search": {
        **DEFINITION["search"], "fields": {**DEFINITION["search"]["fields"],
                                           "title": {"json": "product_title", "required": True}}}})
    folder = FEED / "feed-first-page"
    feed = GenericSearchPage(definition, "http://x/feed", (folder / "page.json").read_text(encoding="utf-8"))
    with pytest.raises(ExtractionError) as error:
        feed.results()
    assert error.value.field == "title" and "product_title" in str(error.value)


def test_cursor_pagination_needs_the_cursor_in_the_url():
    broken = {**DEFINITION, "search": {**DEFINITION["search"], "url": "/api/search?keyword={keyword}"}}
    with pytest.raises(DefinitionError, match="cursor"):
        PlatformDefinition.parse(broken, "feed-shop.yaml")
