"""The demo marketplace web app: five platform flavours over one catalogue (docs/demo-marketplace.md).

Behaviour shared by every flavour lives in two middlewares: a per-client rate
limit answering 429 with Retry-After, and seeded failure injection (5xx or slow
answers) that lets a retried request through. The handlers only render what
demo.catalogue built.
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
import json
import math
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

import jinja2
from aiohttp import web

from demo import images
from demo.catalogue import DEFAULT_PACK, DEFAULT_SIZE, PREFIXES, Catalogue, Product, build_catalogue
from matchers.pack import BrandPack, load_pack

TAOBAO_PAGE_SIZE = 20
JD_PAGE_SIZE, JD_MAX_PAGE_SIZE = 20, 60
PDD_PAGE_SIZE = 20
DOUYIN_COUNT, DOUYIN_MAX_COUNT = 10, 30
XIANYU_PAGE_SIZE = 15
FAILURE_STATUSES = (500, 502, 503, 504)
# Real platforms cut long queries; so does the demo, which keeps a hostile query from costing much.
MAX_KEYWORD_CHARS = 60
# Requests that never fail or count against the rate limit: a crawler must be able to read
# robots.txt, and the SPA's own script stands for a CDN asset.
EXEMPT_PATHS = ("/", "/robots.txt", "/pdd/static/app.js", "/douyin/static/blank.gif")
BLANK_GIF = bytes.fromhex("47494638396101000100800000ffffff00000021f90401000000002c00000000010001000002024401003b")

_templates = jinja2.Environment(
    loader=jinja2.PackageLoader("demo", "templates"),
    autoescape=jinja2.select_autoescape(("html",)),
    undefined=jinja2.StrictUndefined,
)


@dataclass
class MarketStats:
    """What the market did, for tests and the `make demo` summary."""

    requests: int = 0
    throttled: int = 0
    failed: int = 0
    slow: int = 0
    by_platform: collections.Counter = field(default_factory=collections.Counter)

    def snapshot(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "throttled": self.throttled,
            "failed": self.failed,
            "slow": self.slow,
            "by_platform": dict(self.by_platform),
        }


@dataclass
class Market:
    """The state behind one app: catalogue, behaviour settings and counters."""

    catalogue: Catalogue
    pack: BrandPack
    failure_rate: float
    slow_rate: float
    slow_delay: float
    rate_limit: int | None
    stats: MarketStats = field(default_factory=MarketStats)
    attempts: collections.Counter = field(default_factory=collections.Counter)
    windows: dict[tuple[str, str], collections.deque] = field(default_factory=dict)

    @property
    def seed(self) -> int:
        return self.catalogue.seed

    def fault(self, target: str) -> tuple[str, int]:
        """How `target` (path and query) misbehaves: ("fail", n) fails n times, ("slow", 1), or ("ok", 0)."""
        digest = hashlib.sha256(f"{self.seed}|{target}".encode()).digest()
        draw = int.from_bytes(digest[:8], "big") / 2**64
        if draw < self.failure_rate:
            return ("fail", 1 + digest[8] % 2)
        if draw < self.failure_rate + self.slow_rate:
            return ("slow", 1)
        return ("ok", 0)

    def failure_status(self, target: str) -> int:
        digest = hashlib.sha256(f"{self.seed}|status|{target}".encode()).digest()
        return FAILURE_STATUSES[digest[0] % len(FAILURE_STATUSES)]

    def admit(self, client: str, platform: str, now: float) -> bool:
        """Sliding one-second window per client and flavour; only admitted requests count."""
        if not self.rate_limit:
            return True
        window = self.windows.setdefault((client, platform), collections.deque())
        while window and now - window[0] >= 1.0:
            window.popleft()
        if len(window) >= self.rate_limit:
            return False
        window.append(now)
        return True

    def reset(self) -> None:
        """Forget attempts and rate windows, as if the server had just started."""
        self.attempts.clear()
        self.windows.clear()


MARKET = web.AppKey("market", Market)


def _platform_of(path: str) -> str | None:
    first = path.lstrip("/").split("/", 1)[0]
    return next((platform for platform, prefix in PREFIXES.items() if prefix == first), None)


@web.middleware
async def misbehave(request: web.Request, handler):
    market = request.app[MARKET]
    platform = _platform_of(request.path)
    if request.path in EXEMPT_PATHS or platform is None:
        return await handler(request)
    market.stats.requests += 1
    market.stats.by_platform[platform] += 1
    # Images stand for a CDN: real CDNs do not throttle, so a page full of thumbnails does not
    # use up the platform's request budget (they still fail now and then).
    is_image = "/img/" in request.path
    if not is_image and not market.admit(request.remote or "?", platform, time.monotonic()):
        market.stats.throttled += 1
        return web.Response(status=429, text="请求过于频繁，请稍后再试", headers={"Retry-After": "1"})
    target = request.path_qs
    kind, times = market.fault(target)
    market.attempts[target] += 1
    if kind == "fail" and market.attempts[target] <= times:
        market.stats.failed += 1
        return web.Response(status=market.failure_status(target), text="服务暂时不可用")
    if kind == "slow" and market.attempts[target] <= times:
        market.stats.slow += 1
        await asyncio.sleep(market.slow_delay)
    return await handler(request)


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def _keyword(request: web.Request, name: str) -> str:
    return request.query.get(name, "").strip()[:MAX_KEYWORD_CHARS]


def _page(request: web.Request, name: str = "page") -> int:
    try:
        return max(1, int(request.query.get(name, "1")))
    except ValueError:
        return 1


def _bounded(request: web.Request, name: str, default: int, maximum: int) -> int:
    try:
        return min(maximum, max(1, int(request.query.get(name, str(default)))))
    except ValueError:
        return default


def _html(template: str, *, charset: str = "utf-8", status: int = 200, **context: Any) -> web.Response:
    text = _templates.get_template(template).render(charset=charset, **context)
    # GBK cannot encode emoji or zero-width characters; real GBK sites send them as character references.
    body = text.encode(charset, errors="xmlcharrefreplace")
    return web.Response(body=body, status=status, content_type="text/html", charset=charset)


def _not_found(market: Market, platform: str, listing_id: str, *, charset: str = "utf-8") -> web.Response:
    removed = market.catalogue.was_removed(platform, listing_id)
    return _html("not_found.html", charset=charset, status=404, removed=removed)


def _product(request: web.Request, platform: str, listing_id: str, *, charset: str = "utf-8") -> Product:
    market = request.app[MARKET]
    product = market.catalogue.get(platform, listing_id)
    if product is None:
        raise _NotFound(_not_found(market, platform, listing_id, charset=charset))
    return product


class _NotFound(Exception):
    def __init__(self, response: web.Response):
        self.response = response


@web.middleware
async def not_found_pages(request: web.Request, handler):
    try:
        return await handler(request)
    except _NotFound as missing:
        return missing.response


def _slice(items: list, page: int, per_page: int) -> tuple[list, int]:
    pages = max(1, math.ceil(len(items) / per_page))
    return items[(page - 1) * per_page : page * per_page], pages


def _page_url(path: str, params: dict[str, str]):
    def url(page: int) -> str:
        return f"{path}?{urlencode({**params, 'page': page})}"

    return url


# ---------------------------------------------------------------------------
# shared routes
# ---------------------------------------------------------------------------


async def index(request: web.Request) -> web.Response:
    rows = "".join(f'<li><a href="/{prefix}/">{platform}</a></li>' for platform, prefix in PREFIXES.items())
    return web.Response(
        text=f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>haopin 演示市场</title></head>"
        f"<body><h1>haopin 演示市场（非真实平台）</h1><ul>{rows}</ul></body></html>",
        content_type="text/html",
    )


async def robots(request: web.Request) -> web.Response:
    return web.Response(text="User-agent: *\nAllow: /\n", content_type="text/plain")


async def image(request: web.Request) -> web.Response:
    market = request.app[MARKET]
    platform = _platform_of(request.path)
    listing_id, _, index = request.match_info["name"].rpartition("-")
    product = market.catalogue.get(platform, listing_id)
    if product is None or not index.isdigit() or int(index) >= len(product.images):
        raise web.HTTPNotFound(text="图片不存在")
    body = await asyncio.get_running_loop().run_in_executor(
        None, images.product_jpeg, market.pack, market.seed, product, int(index)
    )
    return web.Response(body=body, content_type="image/jpeg", headers={"Cache-Control": "max-age=86400"})


async def flavour_home(request: web.Request) -> web.Response:
    platform = _platform_of(request.path)
    return web.Response(
        text=f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{platform}</title></head>"
        f"<body><h1>{platform}（演示）</h1></body></html>",
        content_type="text/html",
    )


# ---------------------------------------------------------------------------
# demo-taobao: GBK HTML
# ---------------------------------------------------------------------------


async def taobao_search(request: web.Request) -> web.Response:
    market = request.app[MARKET]
    keyword = _keyword(request, "q")
    page = _page(request)
    found = market.catalogue.search("demo-taobao", keyword) if keyword else []
    results, pages = _slice(found, page, TAOBAO_PAGE_SIZE)
    return _html(
        "taobao_search.html", charset="gbk", keyword=keyword, results=results, total=len(found), page=page,
        pages=pages, page_url=_page_url("/taobao/search", {"q": keyword}),
    )


async def taobao_item(request: web.Request) -> web.Response:
    product = _product(request, "demo-taobao", request.match_info["listing_id"], charset="gbk")
    return _html("taobao_item.html", charset="gbk", p=product)


async def taobao_shop(request: web.Request) -> web.Response:
    market = request.app[MARKET]
    shop = market.catalogue.shop("demo-taobao", request.match_info["shop_id"])
    if shop is None:
        return _html("not_found.html", charset="gbk", status=404, removed=False)
    return _html("taobao_shop.html", charset="gbk", shop=shop, listings=market.catalogue.shop_listings(shop))


# ---------------------------------------------------------------------------
# demo-jd: JSON search, HTML item, JSON price
# ---------------------------------------------------------------------------


async def jd_search(request: web.Request) -> web.Response:
    market = request.app[MARKET]
    keyword = _keyword(request, "keyword")
    page = _page(request)
    page_size = _bounded(request, "pagesize", JD_PAGE_SIZE, JD_MAX_PAGE_SIZE)
    found = market.catalogue.search("demo-jd", keyword) if keyword else []
    results, pages = _slice(found, page, page_size)
    return web.json_response(
        {
            "keyword": keyword,
            "page": page,
            "pagesize": page_size,
            "total": len(found),
            "total_pages": pages if found else 0,
            "wareList": [
                {
                    "wareId": p.listing_id,
                    "wname": p.title,
                    "imageurl": p.image_path(0),
                    "shopId": p.shop.shop_id,
                    "shopName": p.shop.name,
                    "url": p.path,
                }
                for p in results
            ],
        },
        dumps=_dumps,
    )


async def jd_item(request: web.Request) -> web.Response:
    product = _product(request, "demo-jd", request.match_info["sku"])
    return _html("jd_item.html", p=product)


async def jd_price(request: web.Request) -> web.Response:
    market = request.app[MARKET]
    prices = []
    for sku_ref in request.query.get("skuIds", "").split(",")[:60]:
        product = market.catalogue.get("demo-jd", sku_ref.strip().removeprefix("J_"))
        if product is not None:
            prices.append(
                {"id": f"J_{product.listing_id}", "p": f"{product.price:.2f}", "op": f"{product.original_price:.2f}"}
            )
    return web.json_response(prices, dumps=_dumps)


async def jd_shop(request: web.Request) -> web.Response:
    market = request.app[MARKET]
    shop = market.catalogue.shop("demo-jd", request.match_info["shop_id"])
    if shop is None:
        return _html("not_found.html", status=404, removed=False)
    return _html("jd_shop.html", shop=shop, listings=market.catalogue.shop_listings(shop))


# ---------------------------------------------------------------------------
# demo-pdd: single-page app
# ---------------------------------------------------------------------------


def _pdd_nonce(seed: int) -> str:
    return hashlib.sha256(f"pdd-nonce:{seed}".encode()).hexdigest()[:16]


def pdd_sign(nonce: str, path_qs: str) -> str:
    """The app's anti_content: djb2 over nonce + request path, as pdd_app.js computes it."""
    value = 5381
    for char in nonce + path_qs:
        value = (value * 33 + ord(char)) & 0xFFFFFFFF
    return format(value, "x")


def _pdd_signed(request: web.Request) -> bool:
    raw = request.raw_path
    unsigned, marker, signature = raw.rpartition("&anti_content=")
    return bool(marker) and signature == pdd_sign(_pdd_nonce(request.app[MARKET].seed), unsigned)


async def pdd_shell(request: web.Request) -> web.Response:
    if "goods_id" in request.match_info:
        _product(request, "demo-pdd", request.match_info["goods_id"])
    return _html("pdd_shell.html")


async def pdd_script(request: web.Request) -> web.Response:
    script = _templates.get_template("pdd_app.js.j2").render(nonce=_pdd_nonce(request.app[MARKET].seed))
    return web.Response(text=script, content_type="application/javascript")


async def pdd_api_search(request: web.Request) -> web.Response:
    if not _pdd_signed(request):
        return web.json_response({"error_code": 40001, "error_msg": "anti_content 校验失败"}, status=403)
    market = request.app[MARKET]
    keyword = _keyword(request, "q")
    page = _page(request)
    found = market.catalogue.search("demo-pdd", keyword) if keyword else []
    results, pages = _slice(found, page, PDD_PAGE_SIZE)
    next_url = f"/pdd/search?{urlencode({'q': keyword, 'page': page + 1})}" if page < pages and found else None
    return web.json_response(
        {
            "total": len(found),
            "page": page,
            "next_url": next_url,
            "goods_list": [
                {
                    "goods_id": p.listing_id,
                    "goods_name": p.title,
                    "price": f"{p.price:g}",
                    "thumb_url": p.image_path(0),
                    "mall_name": p.shop.name,
                    "link_url": p.path,
                }
                for p in results
            ],
        },
        dumps=_dumps,
    )


async def pdd_api_goods(request: web.Request) -> web.Response:
    if not _pdd_signed(request):
        return web.json_response({"error_code": 40001, "error_msg": "anti_content 校验失败"}, status=403)
    market = request.app[MARKET]
    product = market.catalogue.get("demo-pdd", request.query.get("goods_id", ""))
    if product is None:
        return web.json_response({"error_code": 40004, "error_msg": "商品不存在"}, status=404)
    return web.json_response(
        {
            "goods_id": product.listing_id,
            "goods_name": product.title,
            "price": f"{product.price:g}",
            "unit": product.unit,
            "images": [product.image_path(i) for i in range(len(product.images))],
            "mall_id": product.shop.shop_id,
            "mall_name": product.shop.name,
            "mall_company": product.shop.company,
            "ship_from": product.ship_from,
            "props": [list(pair) for pair in product.attributes],
            "description": product.description,
        },
        dumps=_dumps,
    )


# ---------------------------------------------------------------------------
# demo-douyin: cursor feed, lazy images
# ---------------------------------------------------------------------------


async def douyin_search(request: web.Request) -> web.Response:
    market = request.app[MARKET]
    keyword = _keyword(request, "keyword")
    count = _bounded(request, "count", DOUYIN_COUNT, DOUYIN_MAX_COUNT)
    try:
        offset = max(0, int(request.query.get("cursor", "0") or "0"))
    except ValueError:
        return web.json_response({"status_code": 2154, "status_msg": "cursor 无效", "data": None}, status=400)
    found = market.catalogue.search("demo-douyin", keyword) if keyword else []
    chunk = found[offset : offset + count]
    has_more = offset + count < len(found)
    return web.json_response(
        {
            "status_code": 0,
            "data": {
                "products": [
                    {
                        "product_id": p.listing_id,
                        "title": p.title,
                        "price": round(p.price * 100),
                        "cover": p.image_path(0),
                        "shop_id": p.shop.shop_id,
                        "shop_name": p.shop.name,
                        "detail_url": p.path,
                    }
                    for p in chunk
                ],
                "cursor": str(offset + len(chunk)),
                "has_more": has_more,
            },
        },
        dumps=_dumps,
    )


async def douyin_product(request: web.Request) -> web.Response:
    product = _product(request, "demo-douyin", request.match_info["product_id"])
    return _html("douyin_product.html", p=product)


async def blank_gif(request: web.Request) -> web.Response:
    return web.Response(body=BLANK_GIF, content_type="image/gif")


# ---------------------------------------------------------------------------
# demo-xianyu: plain HTML for the generic YAML spider
# ---------------------------------------------------------------------------


async def xianyu_search(request: web.Request) -> web.Response:
    market = request.app[MARKET]
    keyword = _keyword(request, "keyword")
    page = _page(request)
    found = market.catalogue.search("demo-xianyu", keyword) if keyword else []
    results, pages = _slice(found, page, XIANYU_PAGE_SIZE)
    return _html(
        "xianyu_search.html", keyword=keyword, results=results, page=page, pages=pages,
        page_url=_page_url("/xianyu/search", {"keyword": keyword}),
    )


async def xianyu_item(request: web.Request) -> web.Response:
    product = _product(request, "demo-xianyu", request.query.get("id", ""))
    return _html("xianyu_item.html", p=product)


# ---------------------------------------------------------------------------
# the application
# ---------------------------------------------------------------------------


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def create_app(
    seed: int = 1,
    *,
    size: int = DEFAULT_SIZE,
    week: int = 0,
    failure_rate: float = 0.0,
    slow_rate: float = 0.0,
    slow_delay: float = 3.0,
    rate_limit: int | None = None,
    pack: BrandPack | None = None,
    as_of: date | None = None,
    catalogue: Catalogue | None = None,
) -> web.Application:
    """The marketplace for `seed`. Failure injection and rate limiting are off unless asked for."""
    for name, rate in (("failure_rate", failure_rate), ("slow_rate", slow_rate)):
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"{name} must be between 0 and 1, not {rate}")
    if failure_rate + slow_rate > 1.0:
        raise ValueError("failure_rate + slow_rate must not exceed 1")
    if rate_limit is not None and rate_limit < 0:
        raise ValueError(f"rate_limit must be positive (or 0/None for no limit), not {rate_limit}")
    pack = pack or load_pack(DEFAULT_PACK)
    catalogue = catalogue or build_catalogue(seed, size=size, week=week, pack=pack, as_of=as_of)
    app = web.Application(middlewares=[not_found_pages, misbehave])
    app[MARKET] = Market(
        catalogue=catalogue,
        pack=pack,
        failure_rate=failure_rate,
        slow_rate=slow_rate,
        slow_delay=slow_delay,
        rate_limit=rate_limit or None,
    )
    add = app.router.add_get
    add("/", index)
    add("/robots.txt", robots)
    for prefix in PREFIXES.values():
        add(f"/{prefix}/", flavour_home)
        add(f"/{prefix}/img/{{name}}.jpg", image)
    add("/taobao/search", taobao_search)
    add("/taobao/item/{listing_id}", taobao_item)
    add("/taobao/shop/{shop_id}", taobao_shop)
    add("/jd/api/search", jd_search)
    add("/jd/api/price", jd_price)
    add("/jd/item/{sku}.html", jd_item)
    add("/jd/shop/{shop_id}.html", jd_shop)
    add("/pdd/search", pdd_shell)
    add("/pdd/goods/{goods_id}", pdd_shell)
    add("/pdd/static/app.js", pdd_script)
    add("/pdd/api/search", pdd_api_search)
    add("/pdd/api/goods", pdd_api_goods)
    add("/douyin/api/search", douyin_search)
    add("/douyin/product/{product_id}", douyin_product)
    add("/douyin/static/blank.gif", blank_gif)
    add("/xianyu/search", xianyu_search)
    add("/xianyu/item", xianyu_item)
    return app
