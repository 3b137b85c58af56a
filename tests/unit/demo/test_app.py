"""The demo marketplace over HTTP: every flavour serves its documented routes and markup."""

import io
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, replace

import pytest
from parsel import Selector
from PIL import Image

from demo.app import pdd_sign
from demo.catalogue import Catalogue
from demo.testing import running_market

KEYWORD = "奉上好品"


@dataclass
class Reply:
    status: int
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


def fetch(url: str) -> Reply:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return Reply(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as error:
        return Reply(error.code, dict(error.headers), error.read())


def quote(text: str) -> str:
    return urllib.parse.quote(text)


def _expected_ids(market, platform, keyword=KEYWORD):
    return [p.listing_id for p in market.catalogue.search(platform, keyword)]


def test_robots_txt_allows_crawling(market):
    reply = fetch(f"{market.url}/robots.txt")
    assert reply.status == 200 and b"Allow: /" in reply.body


def test_taobao_pages_are_gbk_and_declare_it(market):
    reply = fetch(f"{market.base_url('demo-taobao')}/search?q={quote(KEYWORD)}")
    assert reply.status == 200
    assert "charset=gbk" in reply.headers["Content-Type"].lower()
    assert b'<meta charset="gbk">' in reply.body
    with pytest.raises(UnicodeDecodeError):
        reply.body.decode("utf-8")
    assert KEYWORD in reply.body.decode("gbk")


def test_taobao_encodes_characters_gbk_lacks_as_references(market):
    products = list(market.catalogue.products)
    index = next(i for i, p in enumerate(products) if p.platform == "demo-taobao")
    products[index] = replace(products[index], title="奉上🍊好\u200b品 腊肉 500g")
    catalogue = Catalogue(seed=1, size=80, week=0, as_of=market.catalogue.as_of, products=tuple(products))
    with running_market(seed=1, catalogue=catalogue) as padded:
        body = fetch(f"{padded.url}{products[index].path}").body
    assert b"&#127818;" in body and b"&#8203;" in body
    assert Selector(text=body.decode("gbk")).css("h1.tb-main-title::text").get() == products[index].title


def test_taobao_search_pages_through_every_match_once(market):
    seen, url = [], f"{market.base_url('demo-taobao')}/search?q={quote(KEYWORD)}"
    while url:
        page = Selector(text=fetch(url).body.decode("gbk"))
        seen += page.css("div.item::attr(data-nid)").getall()
        next_href = page.css("a.next::attr(href)").get()
        url = f"{market.url}{next_href}" if next_href else None
    assert seen == _expected_ids(market, "demo-taobao") and len(seen) > 20


def test_taobao_item_and_shop_pages_carry_every_field(market):
    product = next(p for p in market.catalogue.listings("demo-taobao") if p.shop.company)
    page = Selector(text=fetch(f"{market.url}{product.path}").body.decode("gbk"))
    assert page.css("h1.tb-main-title::text").get() == product.title
    assert float(page.css("em.tb-rmb-num::text").get()) == pytest.approx(product.price)
    assert page.css("span.tb-unit::text").get() == f"/{product.unit}"
    assert page.css("#J_deliveryAdd::text").get() == product.ship_from
    spec = dict(zip(page.css("table.attributes-list th::text").getall(), page.css("table.attributes-list td::text").getall(), strict=True))
    assert spec == dict(product.attributes)
    assert len(page.css("#J_UlThumb img")) == len(product.images)
    shop_href = page.css("a.shop-name::attr(href)").get()
    shop = Selector(text=fetch(f"{market.url}{shop_href}").body.decode("gbk"))
    assert shop.css("dd.shop-id::text").get() == product.shop.shop_id
    assert shop.css("dd.company::text").get() == product.shop.company


def test_jd_search_json_item_html_and_separate_price(market):
    base = market.base_url("demo-jd")
    data = fetch(f"{base}/api/search?keyword={quote(KEYWORD)}&pagesize=60").json()
    assert [w["wareId"] for w in data["wareList"]] == _expected_ids(market, "demo-jd")[:60]
    ware = data["wareList"][0]
    product = market.catalogue.get("demo-jd", ware["wareId"])
    page = Selector(text=fetch(f"{market.url}{ware['url']}").body.decode("utf-8"))
    assert page.css("div.sku-name::text").get() == product.title
    assert page.css(f"span.J-p-{product.listing_id}::text").get() is None, "the price is not in the HTML"
    prices = fetch(f"{base}/api/price?skuIds=J_{product.listing_id}").json()
    assert prices[0]["id"] == f"J_{product.listing_id}" and float(prices[0]["p"]) == pytest.approx(product.price)


def test_pdd_html_has_no_listings_and_api_needs_the_script_signature(market):
    base = market.base_url("demo-pdd")
    shell = fetch(f"{base}/search?q={quote(KEYWORD)}").body.decode("utf-8")
    assert "goods-item" not in shell and "/pdd/static/app.js" in shell
    path = f"/pdd/api/search?q={quote(KEYWORD)}&page=1"
    assert fetch(f"{market.url}{path}").status == 403
    assert fetch(f"{market.url}{path}&anti_content=deadbeef").status == 403
    script = fetch(f"{base}/static/app.js").body.decode("utf-8")
    nonce = re.search(r'var NONCE = "([0-9a-f]+)"', script).group(1)
    data = fetch(f"{market.url}{path}&anti_content={pdd_sign(nonce, path)}").json()
    assert [g["goods_id"] for g in data["goods_list"]] == _expected_ids(market, "demo-pdd")[:20]


def test_douyin_cursor_feed_walks_every_match_and_images_are_lazy(market):
    base = market.base_url("demo-douyin")
    seen, cursor = [], "0"
    while True:
        data = fetch(f"{base}/api/search?keyword={quote(KEYWORD)}&cursor={cursor}&count=7").json()["data"]
        seen += [p["product_id"] for p in data["products"]]
        if not data["has_more"]:
            break
        cursor = data["cursor"]
    assert seen == _expected_ids(market, "demo-douyin")
    product = market.catalogue.get("demo-douyin", seen[0])
    page = Selector(text=fetch(f"{market.url}{product.path}").body.decode("utf-8"))
    assert page.css("img.lazy::attr(data-src)").getall() == [product.image_path(i) for i in range(len(product.images))]
    assert set(page.css("img.lazy::attr(src)").getall()) == {"/douyin/static/blank.gif"}
    assert int(page.css("div.product-price::attr(data-price-fen)").get()) == round(product.price * 100)


def test_xianyu_search_and_item_markup(market):
    seen, url = [], f"{market.base_url('demo-xianyu')}/search?keyword={quote(KEYWORD)}"
    while url:
        page = Selector(text=fetch(url).body.decode("utf-8"))
        seen += [href.split("=")[-1] for href in page.css("a.feed-link::attr(href)").getall()]
        next_href = page.css("a[rel=next]::attr(href)").get()
        url = f"{market.url}{next_href}" if next_href else None
    assert seen == _expected_ids(market, "demo-xianyu")
    product = market.catalogue.get("demo-xianyu", seen[0])
    item = Selector(text=fetch(f"{market.url}{product.path}").body.decode("utf-8"))
    assert item.css("div.item-title h2::text").get() == product.title
    assert item.css("div.item-loc span::text").get() == product.ship_from


def test_unknown_listing_is_404_and_empty_search_is_not_an_error(market):
    assert fetch(f"{market.base_url('demo-taobao')}/item/1").status == 404
    assert fetch(f"{market.base_url('demo-xianyu')}/item?id=1").status == 404
    empty = fetch(f"{market.base_url('demo-jd')}/api/search?keyword={quote('不存在的东西')}")
    assert empty.status == 200 and empty.json()["wareList"] == []


def test_images_are_jpeg_deterministic_and_show_the_logo_where_labelled(market):
    with_logo = next(p for p in market.catalogue.listings("demo-jd") if p.images[0].kind == "logo")
    plain = next(p for p in market.catalogue.listings("demo-jd") if p.images[0].kind == "plain")
    first = fetch(f"{market.url}{with_logo.image_path(0)}")
    assert first.status == 200 and first.headers["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(first.body)).format == "JPEG"
    assert fetch(f"{market.url}{with_logo.image_path(0)}").body == first.body
    assert fetch(f"{market.url}{plain.image_path(0)}").body != first.body
    assert fetch(f"{market.url}{plain.image_path(len(plain.images))}").status == 404


def test_rate_limit_answers_429_with_retry_after_then_recovers():
    with running_market(seed=1, rate_limit=3) as market:
        url = f"{market.base_url('demo-xianyu')}/search?keyword=x"
        replies = [fetch(url) for _ in range(6)]
        throttled = [r for r in replies if r.status == 429]
        assert throttled and all(r.headers["Retry-After"] == "1" for r in throttled)
        assert fetch(f"{market.base_url('demo-jd')}/api/search?keyword=x").status == 200, "limits are per flavour"
        assert fetch(f"{market.url}/robots.txt").status == 200
        image = market.catalogue.listings("demo-xianyu")[0].image_path(0)
        assert fetch(f"{market.url}{image}").status == 200, "images stand for a CDN and are not throttled"
        time.sleep(1.1)
        assert fetch(url).status == 200
        assert market.stats["throttled"] == len(throttled)


def test_rate_limit_off_by_default(market):
    assert all(fetch(f"{market.base_url('demo-jd')}/api/search?keyword=x").status == 200 for _ in range(30))


def _failing_targets(seed):
    with running_market(seed=seed, failure_rate=0.4) as market:
        paths = [p.path for p in market.catalogue.listings("demo-taobao")[:30]]
        return {path: fetch(f"{market.url}{path}").status for path in paths}, market


def test_injected_failures_are_deterministic_and_retries_succeed():
    first, _ = _failing_targets(5)
    second, _ = _failing_targets(5)
    assert first == second
    failing = [path for path, status in first.items() if status >= 500]
    assert 3 <= len(failing) <= 27
    assert {status for status in first.values() if status >= 500} <= {500, 502, 503, 504}
    with running_market(seed=5, failure_rate=0.4) as market:
        for path in failing:
            statuses = [fetch(f"{market.url}{path}").status for _ in range(3)]
            assert statuses[0] >= 500 and statuses[-1] == 200, statuses
        market.reset()
        assert fetch(f"{market.url}{failing[0]}").status >= 500, "reset replays the same faults"


def test_slow_targets_answer_late_once():
    with running_market(seed=1, slow_rate=1.0, slow_delay=0.4) as market:
        url = f"{market.base_url('demo-jd')}/api/search?keyword=x"
        started = time.monotonic()
        assert fetch(url).status == 200
        slow = time.monotonic() - started
        started = time.monotonic()
        fetch(url)
        assert slow >= 0.4 > time.monotonic() - started
        assert market.stats["slow"] == 1


def test_week_takedowns_answer_removed(repo_root):
    with running_market(seed=1, week=3) as market:
        gone = market.catalogue.removed[0]
        reply = fetch(f"{market.url}{gone.path}")
        assert reply.status == 404 and "已下架" in reply.body.decode(reply.headers["Content-Type"].split("=")[-1])
