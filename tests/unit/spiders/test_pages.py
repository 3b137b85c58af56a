"""Every page object on saved pages of every demo flavour (tests/fixtures/<platform>/<kind>-<case>/).

A case folder holds page.html (or page.json) exactly as served — demo-taobao's in GBK —,
url.txt, and expected.json: what the page object must extract, or {"error": {"field": …}}
for a page whose layout changed, which must fail naming the missing field.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from w3lib.encoding import html_to_unicode

from crawler.items import ExtractionError
from spiders.pages.demo_douyin import DemoDouyinFeedPage, DemoDouyinListingPage
from spiders.pages.demo_jd import DemoJdListingPage, DemoJdSearchPage, parse_jd_price
from spiders.pages.demo_pdd import DemoPddListingPage, DemoPddSearchPage
from spiders.pages.demo_taobao import DemoTaobaoListingPage, DemoTaobaoSearchPage, DemoTaobaoShopPage
from spiders.pages.generic import GenericListingPage, GenericSearchPage, PlatformDefinition

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
REPO = Path(__file__).resolve().parents[3]
CAPTURED_AT = "2026-11-28T10:00:00+08:00"


def _results(results) -> list[list[str]]:
    return [[r.listing_id, r.url] for r in results]


def _xianyu() -> PlatformDefinition:
    data = yaml.safe_load((REPO / "crawler" / "platforms" / "demo-xianyu.yaml").read_text(encoding="utf-8"))
    return PlatformDefinition.parse(data, "demo-xianyu.yaml")


def _extract(platform: str, kind: str, url: str, text: str):
    """What the page object of `platform` reads from a page of `kind`, as plain JSON values."""
    if platform == "demo-taobao":
        if kind == "search":
            page = DemoTaobaoSearchPage(url, text)
            return {"results": _results(page.results()), "next": page.next_page_url()}
        if kind == "item":
            return DemoTaobaoListingPage(url, text, captured_at=CAPTURED_AT).to_listing().to_record()
        if kind == "shop":
            shop = DemoTaobaoShopPage(url, text)
            return {"id": shop.shop_id(), "name": shop.name(), "company": shop.company(), "location": shop.location()}
    if platform == "demo-jd":
        if kind == "search":
            page = DemoJdSearchPage(url, text)
            return {"results": _results(page.results()), "has_next_page": page.has_next_page()}
        if kind == "item":
            page = DemoJdListingPage(url, text, captured_at=CAPTURED_AT)
            return {"listing": page.to_listing(price=None).to_record(), "price_url": page.price_url()}
        if kind == "price":
            sku = parse_qs(urlsplit(url).query)["skuIds"][0].removeprefix("J_")
            return {"price": parse_jd_price(url, text, sku)}
    if platform == "demo-douyin":
        if kind == "feed":
            page = DemoDouyinFeedPage(url, text)
            return {"results": _results(page.results()), "next_cursor": page.next_cursor()}
        if kind == "item":
            return DemoDouyinListingPage(url, text, captured_at=CAPTURED_AT).to_listing().to_record()
    if platform == "demo-pdd":
        if kind == "search":
            page = DemoPddSearchPage(url, text)
            return {"results": _results(page.results()), "next": page.next_page_url()}
        if kind == "item":
            return DemoPddListingPage(url, text, captured_at=CAPTURED_AT).to_listing().to_record()
    if platform == "demo-xianyu":
        if kind == "search":
            page = GenericSearchPage(_xianyu(), url, text)
            return {"results": _results(page.results()), "next": page.next_page_url()}
        if kind == "item":
            return GenericListingPage(_xianyu(), url, text, captured_at=CAPTURED_AT).to_listing().to_record()
    raise AssertionError(f"no page object for {platform} {kind} pages")


def _decode(page: Path) -> str:
    body = page.read_bytes()
    if page.suffix == ".json":
        return body.decode("utf-8")
    # As Scrapy does without a Content-Type header: the <meta charset> decides (GBK for demo-taobao).
    _, text = html_to_unicode(None, body)
    return text


CASES = sorted(path.parent for path in FIXTURES.glob("demo-*/*/expected.json"))


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.name}" for c in CASES])
def test_page_object_on_saved_page(case: Path):
    platform, kind = case.parent.name, case.name.split("-", 1)[0]
    url = (case / "url.txt").read_text(encoding="utf-8").strip()
    page = next(case.glob("page.*"))
    text = _decode(page)
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    if "error" in expected:
        with pytest.raises(ExtractionError) as error:
            _extract(platform, kind, url, text)
        assert error.value.field == expected["error"]["field"]
        assert expected["error"]["field"] in str(error.value) and url in str(error.value)
        return
    assert _extract(platform, kind, url, text) == expected


def test_every_flavour_has_saved_pages_and_a_changed_layout_case():
    platforms = {case.parent.name for case in CASES}
    assert platforms == {"demo-taobao", "demo-jd", "demo-pdd", "demo-douyin", "demo-xianyu"}
    for platform in platforms:
        cases = [c for c in CASES if c.parent.name == platform]
        assert any("error" in json.loads((c / "expected.json").read_text(encoding="utf-8")) for c in cases), platform


def test_taobao_fixture_is_really_gbk():
    page = FIXTURES / "demo-taobao" / "item-traditional-gi" / "page.html"
    body = page.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert "奉節臍橙" in _decode(page)
