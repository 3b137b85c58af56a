"""The demo marketplace's catalogue: listings generated from a seed and a brand pack.

Every listing is written for a reason — a genuine licensee, an infringer of one
violation code of CONTRACT §3, a hard negative that a careless matcher would
flag, or unrelated goods — and carries the codes a correct scan must report,
labelled by the precedence rules of CONTRACT §4. `ground_truth` exposes those
labels; the web app (demo/app.py) only renders what is built here.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from demo import search
from matchers.keywords import search_keywords
from matchers.pack import BrandPack, Licensee, Mark, load_pack

PLATFORMS = ("demo-taobao", "demo-jd", "demo-pdd", "demo-douyin", "demo-xianyu")
PREFIXES = {platform: platform.removeprefix("demo-") for platform in PLATFORMS}
DEFAULT_SIZE = 80
DEFAULT_PACK = Path(__file__).resolve().parent.parent / "brandpacks" / "fengjie"

# Per platform: how its listing ids and shop ids look, and where an item lives.
_LISTING_ID_SHAPES = {
    "demo-taobao": ("6", 12),
    "demo-jd": ("100", 12),
    "demo-pdd": ("5", 12),
    "demo-douyin": ("36", 19),
    "demo-xianyu": ("7", 12),
}
_SHOP_ID_PREFIXES = {
    "demo-taobao": "tb_s",
    "demo-jd": "jd_",
    "demo-pdd": "pdd_m",
    "demo-douyin": "dy_",
    "demo-xianyu": "xy_u",
}
_ITEM_PATHS = {
    "demo-taobao": "/taobao/item/{id}",
    "demo-jd": "/jd/item/{id}.html",
    "demo-pdd": "/pdd/goods/{id}",
    "demo-douyin": "/douyin/product/{id}",
    "demo-xianyu": "/xianyu/item?id={id}",
}

GI_HOME = "重庆 奉节"
ELSEWHERE = (
    "江西 赣州", "江西 寻乌", "湖北 宜昌", "湖北 秭归", "湖南 永州", "广西 南宁", "广西 桂林",
    "四川 成都", "四川 眉山", "广东 广州", "广东 揭阳", "浙江 杭州", "浙江 义乌", "福建 漳州",
    "云南 昆明", "重庆 万州", "重庆 渝北", "山东 临沂", "河南 郑州", "江苏 苏州", "上海", "北京",
)
_SHOP_WORDS = ("鲜果", "果园", "山里", "农家", "优选", "好物", "甄选", "乡味", "源头", "老乡", "小院", "臻品")
_SHOP_SUFFIXES = ("直发店", "小铺", "特产店", "专营店", "生鲜馆", "百货", "旗舰店", "工厂店", "优品店")
_COMPANY_WORDS = ("鑫果", "丰收", "绿源", "恒达", "佳禾", "润田", "金穗", "宏发", "万家", "瑞丰", "优农", "天成")
_COMPANY_KINDS = ("农业开发有限公司", "商贸有限公司", "电子商务有限公司", "食品有限公司", "农产品专业合作社")
_PERSON_NAMES = ("小李的闲置", "阿强水果", "果农老王", "橙子妹妹", "山城小哥", "陈阿姨家", "吃货小张", "周末淘淘")


@dataclass(frozen=True, slots=True)
class Goods:
    """How one kind of goods is sold: specifications with prices, words that make a title look real."""

    word: str
    unit: str
    specs: tuple[tuple[str, float], ...]
    adjectives: tuple[str, ...]
    printed: str


GOODS = {
    "脐橙": Goods("脐橙", "箱", (("5斤装", 29.9), ("10斤装", 49.9), ("净重9斤", 45.8), ("3斤尝鲜装", 19.9)),
                ("当季现摘", "新鲜水果", "果园直发", "大果", "甜橙", "手剥橙"), "脐橙"),
    "橙子": Goods("橙子", "箱", (("5斤装", 26.8), ("10斤装", 45.0)), ("新鲜", "当季", "孕妇水果"), "鲜橙"),
    "腊肉": Goods("腊肉", "袋", (("500g", 48.0), ("1000g", 88.0), ("2斤装", 92.0)),
                ("农家烟熏", "柴火土猪", "手工腊味", "年货礼盒", "五花"), "腊肉"),
    "眼镜": Goods("眼镜", "副", (("近视眼镜框", 168.0), ("防蓝光眼镜", 129.0), ("钛架眼镜", 299.0)),
                ("超轻", "男女款", "商务", "复古"), "眼镜"),
    "大米": Goods("大米", "袋", (("5kg", 39.9), ("10斤", 36.8), ("25kg", 168.0)),
                ("新米", "长粒香", "农家自种", "高山"), "大米"),
    "香肠": Goods("香肠", "袋", (("500g", 45.0), ("1000g", 85.0)), ("麻辣", "广味", "农家手工", "川味"), "香肠"),
    "蜂蜜": Goods("蜂蜜", "瓶", (("500g", 58.0), ("1000g", 98.0)), ("土蜂蜜", "百花蜜", "深山", "农家自产"), "蜂蜜"),
    "核桃": Goods("核桃", "袋", (("2斤装", 39.9), ("5斤装", 89.0)), ("薄壳", "原味", "新货", "山核桃"), "核桃"),
    "粉条": Goods("粉条", "袋", (("2斤装", 25.8), ("5斤装", 56.0)), ("红薯粉条", "手工", "火锅", "农家"), "粉条"),
    "茶叶": Goods("茶叶", "盒", (("250g", 128.0), ("500g", 198.0)), ("高山云雾", "明前", "绿茶", "新茶"), "茶叶"),
}


def _goods(word: str) -> Goods:
    return GOODS.get(word) or Goods(word, "件", (("1件", 59.0), ("2件装", 99.0)), ("正品", "新款"), word)


@dataclass(frozen=True, slots=True)
class Shop:
    platform: str
    shop_id: str
    name: str
    company: str | None
    location: str
    licensee_id: str | None = None


@dataclass(frozen=True, slots=True)
class ProductImage:
    """What one product photo shows: `plain`, the pack `logo` pasted on, or `printed` text on the packaging."""

    kind: str
    goods: str
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Product:
    platform: str
    listing_id: str
    title: str
    description: str
    price: float
    unit: str
    shop: Shop
    ship_from: str
    attributes: tuple[tuple[str, str], ...]
    images: tuple[ProductImage, ...]
    expected: frozenset[str]
    category: str
    week_listed: int = 0

    @property
    def key(self) -> tuple[str, str]:
        return (self.platform, self.listing_id)

    @property
    def path(self) -> str:
        return _ITEM_PATHS[self.platform].format(id=self.listing_id)

    def image_path(self, index: int) -> str:
        return f"/{PREFIXES[self.platform]}/img/{self.listing_id}-{index}.jpg"

    @property
    def original_price(self) -> float:
        return round(self.price * 1.3 + 5, 1)


@dataclass(frozen=True, slots=True)
class Catalogue:
    seed: int
    size: int
    week: int
    as_of: date
    products: tuple[Product, ...]
    removed: tuple[Product, ...] = ()
    _index: dict[tuple[str, str], Product] = field(default_factory=dict, compare=False, repr=False)
    _shops: dict[tuple[str, str], Shop] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for product in self.products:
            self._index[product.key] = product
            self._shops[(product.platform, product.shop.shop_id)] = product.shop

    def listings(self, platform: str) -> list[Product]:
        return sorted((p for p in self.products if p.platform == platform), key=lambda p: p.listing_id)

    def get(self, platform: str, listing_id: str) -> Product | None:
        return self._index.get((platform, listing_id))

    def was_removed(self, platform: str, listing_id: str) -> bool:
        return any(p.key == (platform, listing_id) for p in self.removed)

    def shop(self, platform: str, shop_id: str) -> Shop | None:
        return self._shops.get((platform, shop_id))

    def shop_listings(self, shop: Shop) -> list[Product]:
        return [p for p in self.listings(shop.platform) if p.shop.shop_id == shop.shop_id]

    def search(self, platform: str, keyword: str) -> list[Product]:
        """What a keyword search on `platform` returns, in a stable order (see demo.search)."""
        return [p for p in self.listings(platform) if search.matches(keyword, p.title, p.shop.name)]


# ---------------------------------------------------------------------------
# What the brand pack offers the generator
# ---------------------------------------------------------------------------


def licence_state(licensee: Licensee, as_of: date) -> str:
    """`active`, `disposal` (former licensee still selling stock), `lapsed` or `unauthorised`."""
    if licensee.status == "suspended" or as_of < licensee.valid_from:
        return "unauthorised"
    ended = licensee.status in ("revoked", "withdrawn", "eliminated") or (
        licensee.valid_to is not None and as_of > licensee.valid_to
    )
    if not ended:
        return "active"
    if licensee.disposal_deadline is not None and as_of <= licensee.disposal_deadline:
        return "disposal"
    return "lapsed"


@dataclass(frozen=True, slots=True)
class _PackView:
    word: Mark | None
    words: tuple[Mark, ...]
    gi: Mark | None
    logo: Mark | None
    pack: BrandPack
    as_of: date

    @classmethod
    def of(cls, pack: BrandPack, as_of: date) -> _PackView:
        # Only word marks for goods the demo knows how to sell can appear in listings.
        words = tuple(m for m in pack.word_marks if m.text and any(g in GOODS for g in m.goods))
        word = words[0] if words else None
        gi = next((m for m in pack.gi_marks if m.text and m.origin), None)
        logos = pack.logo_marks
        logo = next((m for m in logos if word is not None and m.of == word.id), logos[0] if logos else None)
        return cls(word, words, gi, logo, pack, as_of)

    def goods_of(self, mark: Mark) -> list[str]:
        return [g for g in mark.goods if g in GOODS]

    @property
    def gi_goods(self) -> str:
        if self.gi is None:
            return "脐橙"
        return next((g for g in self.gi.goods if g in GOODS), self.gi.goods[0] if self.gi.goods else "脐橙")

    @property
    def word_goods(self) -> tuple[str, ...]:
        return tuple(self.goods_of(self.word)) if self.word is not None else ("脐橙", "腊肉")

    def licensees(self, state: str) -> list[Licensee]:
        return [lic for lic in self.pack.licensees if licence_state(lic, self.as_of) == state]

    def claims(self, kind: str, fallback: str) -> tuple[str, ...]:
        return getattr(self.pack.claims, kind) or (fallback,)

    def may_use(self, licensee: Licensee, mark: Mark | None, goods: str) -> bool:
        if mark is None or mark.id not in licensee.marks:
            return False
        return not licensee.goods or goods in licensee.goods


# ---------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------


def _digits(rng: random.Random, prefix: str, length: int) -> str:
    return prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix)))


def _looks_like_shop_id(ref: str) -> bool:
    return ref.isascii() and all(ch.isalnum() or ch in "_-." for ch in ref)


def _brand_core(company: str) -> str:
    core = re.sub(r"[（(][^）)]*[）)]", "", company)
    for prefix in ("重庆市奉节县", "重庆奉节", "奉节县", "重庆市", "重庆"):
        core = core.removeprefix(prefix)
    for suffix in ("有限责任公司", "有限公司", "专业合作社", "合作社"):
        core = core.removesuffix(suffix)
    return core[:6] or "奉节"


@dataclass
class _Merchant:
    """An unlicensed seller who may open a shop on several platforms (same company everywhere)."""

    company: str | None
    location: str
    shop_name: str
    shops: dict[str, Shop] = field(default_factory=dict)


class _Generator:
    def __init__(self, view: _PackView, seed: int, stream: str, used_ids: set[str]):
        self.view = view
        self.rng = random.Random(f"haopin-demo:{seed}:{stream}")
        self.used_ids = used_ids
        self.merchants: list[_Merchant] = []
        self.licensee_shops: dict[tuple[str, str], Shop] = {}

    # -- identities ------------------------------------------------------------

    def listing_id(self, platform: str) -> str:
        prefix, length = _LISTING_ID_SHAPES[platform]
        while True:
            candidate = _digits(self.rng, prefix, length)
            if candidate not in self.used_ids:
                self.used_ids.add(candidate)
                return candidate

    def merchant(self, *, location: str | None = None, individual: bool = False) -> _Merchant:
        """A fresh unlicensed merchant, or (one time in four) an existing one: sellers work several platforms."""
        # Without a location the merchant sells from outside the GI area: a reused 奉节 merchant would
        # silently turn a false-origin listing into a true-origin one.
        pool = [m for m in self.merchants if m.location == (location or m.location) and
                (location is not None or m.location != GI_HOME)]
        if pool and self.rng.random() < 0.25:
            return self.rng.choice(pool)
        place = location or self.rng.choice(ELSEWHERE)
        city = place.split()[-1]
        company = None
        if not individual:
            company = f"{city}{self.rng.choice(_COMPANY_WORDS)}{self.rng.choice(_COMPANY_KINDS)}"
        name = f"{self.rng.choice(_SHOP_WORDS)}{self.rng.choice(_SHOP_WORDS)}{self.rng.choice(_SHOP_SUFFIXES)}"
        merchant = _Merchant(company, place, name)
        self.merchants.append(merchant)
        return merchant

    def merchant_shop(self, merchant: _Merchant, platform: str) -> Shop:
        if platform not in merchant.shops:
            name = merchant.shop_name
            if platform == "demo-xianyu" and merchant.company is None:
                name = self.rng.choice(_PERSON_NAMES)
            shop_id = _digits(self.rng, _SHOP_ID_PREFIXES[platform], len(_SHOP_ID_PREFIXES[platform]) + 6)
            merchant.shops[platform] = Shop(platform, shop_id, name, merchant.company, merchant.location)
        return merchant.shops[platform]

    def licensee_shop(self, licensee: Licensee, platform: str) -> Shop | None:
        refs = [shop.ref for shop in licensee.shops if shop.platform == platform]
        if not refs:
            return None
        key = (licensee.licensee_id, platform)
        if key not in self.licensee_shops:
            ref = refs[0]
            core = _brand_core(licensee.name)
            if _looks_like_shop_id(ref):
                # Not 官方旗舰店: that is an authorisation claim, false once a licence has ended.
                shop_id, name = ref, f"{core}旗舰店"
            else:
                digest = hashlib.sha256(f"{licensee.licensee_id}:{platform}".encode()).hexdigest()
                shop_id, name = f"{_SHOP_ID_PREFIXES[platform]}{int(digest[:8], 16) % 10**6:06d}", ref
            self.licensee_shops[key] = Shop(platform, shop_id, name, licensee.name, GI_HOME, licensee.licensee_id)
        return self.licensee_shops[key]

    def licensee_with_shop(self, state: str, platform: str, accept: Callable[[Licensee], bool] = lambda _: True):
        candidates = [lic for lic in self.view.licensees(state) if accept(lic)]
        self.rng.shuffle(candidates)
        for licensee in candidates:
            shop = self.licensee_shop(licensee, platform)
            if shop is not None:
                return licensee, shop
        return None, None

    # -- listing text ----------------------------------------------------------

    def spec(self, goods: Goods, *, discount: float = 1.0) -> tuple[str, float]:
        spec, price = self.rng.choice(goods.specs)
        jitter = self.rng.uniform(0.9, 1.15) * discount
        return spec, round(max(price * jitter, 1.0), 1)

    def attributes(self, goods: Goods, spec: str, brand: str, origin: str) -> tuple[tuple[str, str], ...]:
        rows = [("品牌", brand), ("产地", origin.replace(" ", "")), ("净含量", spec), ("售卖方式", "单品")]
        if goods.word in ("脐橙", "橙子"):
            rows += [("生鲜储存温度", "0-8℃"), ("包装方式", "箱装")]
        elif goods.word == "腊肉":
            rows += [("保质期", "180天"), ("包装方式", "真空包装")]
        return tuple(rows)

    def product(
        self,
        platform: str,
        category: str,
        expected: Iterable[str],
        *,
        shop: Shop,
        goods: Goods,
        title: str,
        spec: str,
        price: float,
        brand: str,
        ship_from: str,
        origin: str | None = None,
        description: str = "",
        images: Sequence[ProductImage] = (),
    ) -> Product:
        extra = [ProductImage("plain", goods.word) for _ in range(self.rng.randint(0, 2))]
        photos = tuple(images) + tuple(extra) if images else (ProductImage("plain", goods.word), *extra)
        return Product(
            platform=platform,
            listing_id=self.listing_id(platform),
            title=title,
            description=description or f"{goods.word}{spec}，{self.rng.choice(goods.adjectives)}，下单48小时内发货。",
            price=price,
            unit=goods.unit,
            shop=shop,
            ship_from=ship_from,
            attributes=self.attributes(goods, spec, brand, origin or ship_from),
            images=photos,
            expected=frozenset(expected),
            category=category,
        )

    def adjectives(self, goods: Goods, count: int = 2) -> str:
        return " ".join(self.rng.sample(goods.adjectives, k=min(count, len(goods.adjectives))))


_Recipe = Callable[[_Generator, str], Product | None]


# -- genuine licensees --------------------------------------------------------------


def _licensed_use(view: _PackView, licensee: Licensee) -> list[tuple[Mark, str]]:
    """Every (word mark, goods) pair the licence covers, for goods the demo sells."""
    return [(mark, goods) for mark in view.words for goods in view.goods_of(mark)
            if view.may_use(licensee, mark, goods)]


def _genuine(gen: _Generator, platform: str) -> Product | None:
    view = gen.view
    licensee, shop = gen.licensee_with_shop("active", platform, lambda lic: bool(_licensed_use(view, lic)))
    if licensee is None:
        return None
    mark, word = gen.rng.choice(_licensed_use(view, licensee))
    goods = _goods(word)
    spec, price = gen.spec(goods, discount=1.1)
    parts = [mark.text]
    if goods.word == view.gi_goods and view.may_use(licensee, view.gi, goods.word):
        parts.append(view.gi.text)
        parts.append(gen.rng.choice(view.claims("traceability", "一码溯源")))
    else:
        parts.append(goods.word)
    parts += [spec, gen.adjectives(goods)]
    images = [ProductImage("printed", goods.word, mark.text)]
    if view.logo is not None and view.logo.id in licensee.marks and gen.rng.random() < 0.6:
        images = [ProductImage("logo", goods.word)]
    return gen.product(
        platform, "genuine", (), shop=shop, goods=goods, title=" ".join(parts), spec=spec, price=price,
        brand=mark.text, ship_from=GI_HOME, images=images,
        description=f"{mark.text}授权企业出品，{goods.word}产自奉节，{gen.rng.choice(goods.adjectives)}。",
    )


def _genuine_own_variant(gen: _Generator, platform: str) -> Product | None:
    """CONTRACT §4.7: a licensee writing its own mark split or romanised is clean."""
    view = gen.view
    licensee, shop = gen.licensee_with_shop("active", platform, lambda lic: bool(_licensed_use(view, lic)))
    if licensee is None:
        return None
    mark, word = gen.rng.choice(_licensed_use(view, licensee))
    goods = _goods(word)
    spec, price = gen.spec(goods, discount=1.1)
    variant = gen.rng.choice((" ".join(mark.text), _pinyin_spaced(mark.text)))
    return gen.product(
        platform, "genuine_variant", (), shop=shop, goods=goods,
        title=f"{variant} {goods.word} {spec} {gen.adjectives(goods, 1)}", spec=spec, price=price,
        brand=mark.text, ship_from=GI_HOME,
    )


def _former_in_disposal(gen: _Generator, platform: str) -> Product | None:
    """A former licensee still selling labelled stock within its disposal period: clean."""
    return _former(gen, platform, "disposal", "former_in_disposal", ())


def _licence_lapsed(gen: _Generator, platform: str) -> Product | None:
    return _former(gen, platform, "lapsed", "licence_lapsed", ("LICENCE_LAPSED",))


def _held_marks(view: _PackView, licensee: Licensee) -> list[tuple[Mark, str]]:
    """(word mark, goods) pairs of the licence, whatever its state: what a former licensee goes on using."""
    return [(mark, goods) for mark in view.words if mark.id in licensee.marks for goods in view.goods_of(mark)
            if (not licensee.goods or goods in licensee.goods) and goods != view.gi_goods]


def _former(gen: _Generator, platform: str, state: str, category: str, expected: tuple[str, ...]):
    # The GI name is left out: written by a seller inside the origin it is no licence use (CONTRACT §4.2).
    view = gen.view
    licensee, shop = gen.licensee_with_shop(state, platform, lambda lic: bool(_held_marks(view, lic)))
    if licensee is None:
        return None
    mark, word = gen.rng.choice(_held_marks(view, licensee))
    goods = _goods(word)
    spec, price = gen.spec(goods, discount=0.9)
    images: list[ProductImage] = []
    if view.logo is not None and view.logo.id in licensee.marks and gen.rng.random() < 0.5:
        images = [ProductImage("logo", goods.word)]
    return gen.product(
        platform, category, expected, shop=shop, goods=goods,
        title=f"{mark.text} {goods.word} {spec} 库存清仓 {gen.adjectives(goods, 1)}", spec=spec,
        price=price, brand=mark.text, ship_from=GI_HOME, images=images,
    )


def _uncovered(view: _PackView, licensee: Licensee) -> list[tuple[Mark, str]]:
    # Other words for the GI's goods (橙子 for a 脐橙 licence) are left out: whether they are covered
    # is a matter of reading the licence, not a clear case for a test.
    near = set(view.gi.goods) if view.gi is not None else {view.gi_goods}
    return [(mark, goods) for mark in view.words if mark.id in licensee.marks for goods in view.goods_of(mark)
            if licensee.goods and goods not in licensee.goods and goods not in near]


def _out_of_scope(gen: _Generator, platform: str) -> Product | None:
    view = gen.view
    licensee, shop = gen.licensee_with_shop("active", platform, lambda lic: bool(_uncovered(view, lic)))
    if licensee is None:
        return None
    mark, word = gen.rng.choice(_uncovered(view, licensee))
    goods = _goods(word)
    spec, price = gen.spec(goods)
    return gen.product(
        platform, "out_of_scope", ("OUT_OF_SCOPE",), shop=shop, goods=goods,
        title=f"{mark.text} {goods.word} {spec} {gen.adjectives(goods)}", spec=spec, price=price,
        brand=mark.text, ship_from=GI_HOME,
    )


def _suspended(gen: _Generator, platform: str) -> Product | None:
    """CONTRACT §4.5: a suspended or not yet valid licence authorises nothing."""
    view = gen.view
    licensee, shop = gen.licensee_with_shop("unauthorised", platform, lambda lic: bool(_held_marks(view, lic)))
    if licensee is None:
        return None
    mark, word = gen.rng.choice(_held_marks(view, licensee))
    goods = _goods(word)
    spec, price = gen.spec(goods)
    expected = {"MARK_UNAUTHORISED"}
    images: list[ProductImage] = []
    if view.logo is not None and gen.rng.random() < 0.4:
        images = [ProductImage("logo", goods.word)]
        expected.add("LOGO_UNAUTHORISED")
    return gen.product(
        platform, "unauthorised_licensee", expected, shop=shop, goods=goods,
        title=f"{mark.text} {goods.word} {spec} {gen.adjectives(goods)}", spec=spec, price=price,
        brand=mark.text, ship_from=GI_HOME, images=images,
    )


# -- infringers -----------------------------------------------------------------------


def _any_mark(gen: _Generator) -> tuple[Mark, Goods]:
    """A word mark (mostly the main one) with goods it is registered for, never the GI's goods."""
    view = gen.view
    mark = view.word if gen.rng.random() < 0.6 else gen.rng.choice(view.words)
    choices = [g for g in view.goods_of(mark) if g not in (view.gi_goods, "橙子")] or view.goods_of(mark)
    return mark, _goods(gen.rng.choice(choices))


def _mark_unauthorised(gen: _Generator, platform: str) -> Product | None:
    view = gen.view
    if view.word is None:
        return None
    mark, goods = _any_mark(gen)
    merchant = gen.merchant()
    shop = gen.merchant_shop(merchant, platform)
    spec, price = gen.spec(goods, discount=0.8)
    forms = [mark.text, *mark.aliases, *(_fullwidth(alias).upper() for alias in mark.aliases)]
    written = gen.rng.choice(forms)
    expected = {"MARK_UNAUTHORISED"}
    images: list[ProductImage] = []
    if view.logo is not None and gen.rng.random() < 0.3:
        images = [ProductImage("logo", goods.word)]
        expected.add("LOGO_UNAUTHORISED")
    return gen.product(
        platform, "mark_unauthorised", expected, shop=shop, goods=goods,
        title=f"{written} {goods.word} {spec} {gen.adjectives(goods)}", spec=spec, price=price,
        brand=written, ship_from=merchant.location, images=images,
    )


def _mark_similar(gen: _Generator, platform: str) -> Product | None:
    view = gen.view
    if view.word is None:
        return None
    mark, goods = _any_mark(gen)
    variant, how = gen.rng.choice(_similar_forms(mark.text, view))
    merchant = gen.merchant()
    shop = gen.merchant_shop(merchant, platform)
    spec, price = gen.spec(goods, discount=0.75)
    return gen.product(
        platform, f"mark_similar_{how}", ("MARK_SIMILAR",), shop=shop, goods=goods,
        title=f"{variant} {goods.word} {spec} {gen.adjectives(goods)}", spec=spec, price=price,
        brand="其他", ship_from=merchant.location,
    )


def _logo_unauthorised(gen: _Generator, platform: str) -> Product | None:
    """The logo in the images is the only sign: the title is clean text a keyword search still finds."""
    view = gen.view
    if view.logo is None:
        return None
    title, goods = _clean_reachable_title(gen)
    merchant = gen.merchant(location=GI_HOME)
    shop = gen.merchant_shop(merchant, platform)
    spec, price = gen.spec(goods, discount=0.8)
    return gen.product(
        platform, "logo_unauthorised", ("LOGO_UNAUTHORISED",), shop=shop, goods=goods,
        title=title.format(spec=spec), spec=spec, price=price, brand="其他", ship_from=GI_HOME,
        images=[ProductImage("logo", goods.word)],
    )


def _mark_printed(gen: _Generator, platform: str) -> Product | None:
    """The word mark is printed on the packaging in the photo only (found by OCR)."""
    view = gen.view
    if view.word is None:
        return None
    title, goods = _clean_reachable_title(gen)
    merchant = gen.merchant(location=GI_HOME)
    shop = gen.merchant_shop(merchant, platform)
    spec, price = gen.spec(goods, discount=0.8)
    return gen.product(
        platform, "mark_in_image", ("MARK_UNAUTHORISED",), shop=shop, goods=goods,
        title=title.format(spec=spec), spec=spec, price=price, brand="其他", ship_from=GI_HOME,
        images=[ProductImage("printed", goods.word, view.word.text)],
    )


def _clean_reachable_title(gen: _Generator) -> tuple[str, Goods]:
    """A title with no violation for a seller inside the GI area that the pack's keywords still find:
    the GI name written truthfully, or an exception phrase."""
    view = gen.view
    options: list[tuple[str, Goods]] = []
    if view.gi is not None:
        goods = _goods(view.gi_goods)
        options.append((f"{view.gi.text} {{spec}} {gen.adjectives(goods)}", goods))
    for phrase in view.pack.exceptions:
        if "味道" in phrase:
            options.append((f"{phrase} 农家腊肉 {{spec}}", _goods("腊肉")))
        elif "品质" in phrase:
            options.append((f"{phrase} 高山核桃 {{spec}}", _goods("核桃")))
    return gen.rng.choice(options) if options else (f"农家{view.gi_goods} {{spec}}", _goods(view.gi_goods))


def _gi_false_origin(gen: _Generator, platform: str) -> Product | None:
    view = gen.view
    if view.gi is None:
        return None
    goods = _goods(view.gi_goods)
    merchant = gen.merchant()
    shop = gen.merchant_shop(merchant, platform)
    spec, price = gen.spec(goods, discount=0.7)
    written, how = gen.rng.choice(
        ((view.gi.text, "plain"), (_traditional(view.gi.text), "traditional"), (" ".join(view.gi.text), "split"))
    )
    origin_claim = gen.rng.choice(view.claims("origin", "产地直发"))
    title = f"{written} {spec} {gen.adjectives(goods)}"
    if gen.rng.random() < 0.4:
        title = f"{origin_claim} {title}"
    return gen.product(
        platform, f"gi_false_origin_{how}", ("GI_FALSE_ORIGIN",), shop=shop, goods=goods, title=title,
        spec=spec, price=price, brand="其他", ship_from=merchant.location,
        origin=gen.rng.choice((merchant.location, GI_HOME)),
    )


def _false_claim(gen: _Generator, platform: str, kind: str, code: str, fallback: str) -> Product | None:
    """An unlicensed seller truly in the GI area, clean but for the claim (CONTRACT §4.2)."""
    view = gen.view
    if view.gi is None:
        return None
    goods = _goods(view.gi_goods)
    merchant = gen.merchant(location=GI_HOME)
    shop = gen.merchant_shop(merchant, platform)
    spec, price = gen.spec(goods)
    claim = gen.rng.choice(view.claims(kind, fallback))
    return gen.product(
        platform, code.lower(), (code,), shop=shop, goods=goods,
        title=f"{view.gi.text} {claim} {spec} {gen.adjectives(goods)}", spec=spec, price=price, brand="其他",
        ship_from=GI_HOME,
    )


def _false_auth_claim(gen: _Generator, platform: str) -> Product | None:
    return _false_claim(gen, platform, "authorisation", "FALSE_AUTH_CLAIM", "官方授权")


def _false_trace_claim(gen: _Generator, platform: str) -> Product | None:
    return _false_claim(gen, platform, "traceability", "FALSE_TRACE_CLAIM", "一码溯源")


def _mark_with_auth_claim(gen: _Generator, platform: str) -> Product | None:
    view = gen.view
    if view.word is None:
        return None
    mark, goods = _any_mark(gen)
    merchant = gen.merchant()
    shop = gen.merchant_shop(merchant, platform)
    spec, price = gen.spec(goods, discount=0.85)
    claim = gen.rng.choice(view.claims("authorisation", "官方授权"))
    return gen.product(
        platform, "mark_and_auth_claim", ("MARK_UNAUTHORISED", "FALSE_AUTH_CLAIM"), shop=shop, goods=goods,
        title=f"{mark.text}{claim} {goods.word} {spec}", spec=spec, price=price, brand=mark.text,
        ship_from=merchant.location,
    )


# -- hard negatives and unrelated goods ---------------------------------------------


def _clean_fruit(gen: _Generator, platform: str, category: str, title: str, *, location: str | None = None,
                 printed: str | None = None) -> Product:
    goods = _goods("脐橙")
    merchant = gen.merchant(location=location)
    shop = gen.merchant_shop(merchant, platform)
    spec, price = gen.spec(goods)
    images = [ProductImage("printed", goods.word, printed)] if printed else []
    return gen.product(
        platform, category, (), shop=shop, goods=goods, title=title.format(spec=spec), spec=spec, price=price,
        brand="其他", ship_from=merchant.location, images=images,
    )


def _shangpinzhong(gen: _Generator, platform: str) -> Product:
    titles = ["赣南脐橙苗 上好品种 嫁接苗 {spec}", "纽荷尔脐橙 上好品种 {spec} 现摘"]
    titles += [f"{phrase} 脐橙苗 上好品种 嫁接苗 {{spec}}" for phrase in gen.view.pack.exceptions if "品种" in phrase]
    title = gen.rng.choice(titles)
    return _clean_fruit(gen, platform, "negative_shangpinzhong", title, location=GI_HOME if "奉节" in title else None)


def _praise_phrase(gen: _Generator, platform: str) -> Product:
    """Ordinary language containing a mark's text, listed in the pack's exceptions."""
    exceptions = list(gen.view.pack.exceptions)
    phrase = gen.rng.choice(exceptions) if exceptions else "奉上好评"
    if phrase.endswith("评"):
        title = f"赣南脐橙 {{spec}} 好吃请{phrase}"
    else:
        title = gen.rng.choice((f"为您{phrase} 赣南脐橙 {{spec}}", f"秭归脐橙 {{spec}} 用心{phrase}"))
    return _clean_fruit(gen, platform, "negative_exception", title)


def _true_origin(gen: _Generator, platform: str) -> Product | None:
    view = gen.view
    if view.gi is None:
        return None
    return _clean_fruit(gen, platform, "negative_true_origin",
                        gen.rng.choice((f"{view.gi.text} {{spec}} 自家果园 现摘现发", f"重庆{view.gi.text} {{spec}} 农户自产")),
                        location=GI_HOME)


def _other_brand_claims(gen: _Generator, platform: str) -> Product:
    """Claims about another brand's own GI, truly from there (CONTRACT §4.3)."""
    return _clean_fruit(gen, platform, "negative_other_brand",
                        "赣南脐橙 国家地理标志产品 官方授权 {spec} 一码溯源", location="江西 赣州",
                        printed="赣南脐橙")


def _place_for_other_goods(gen: _Generator, platform: str) -> Product:
    goods = _goods("腊肉")
    merchant = gen.merchant(location=GI_HOME)
    shop = gen.merchant_shop(merchant, platform)
    spec, price = gen.spec(goods)
    return gen.product(
        platform, "negative_place_name", (), shop=shop, goods=goods,
        title=f"重庆奉节特产 农家腊肉 {spec} {gen.adjectives(goods, 1)}", spec=spec, price=price, brand="其他",
        ship_from=GI_HOME,
    )


_UNRELATED = (
    ("脐橙", "赣南脐橙 {spec} 当季新鲜水果"), ("脐橙", "秭归脐橙 {spec} 现摘"), ("腊肉", "湖南腊肉 {spec} 烟熏"),
    ("眼镜", "{spec} 超轻近视眼镜"), ("大米", "五常大米 {spec} 新米"), ("橙子", "四川眉山 爱媛果冻橙 {spec}"),
)


def _unrelated(gen: _Generator, platform: str) -> Product:
    word, template = gen.rng.choice(_UNRELATED)
    goods = _goods(word)
    merchant = gen.merchant()
    shop = gen.merchant_shop(merchant, platform)
    spec, price = gen.spec(goods)
    return gen.product(platform, "unrelated", (), shop=shop, goods=goods, title=template.format(spec=spec),
                       spec=spec, price=price, brand="其他", ship_from=merchant.location)


# Relative weights per 100 listings; every recipe runs at least once per platform when it can.
RECIPES: tuple[tuple[_Recipe, int], ...] = (
    (_genuine, 16), (_genuine_own_variant, 3), (_former_in_disposal, 2), (_licence_lapsed, 3),
    (_out_of_scope, 3), (_suspended, 2),
    (_mark_unauthorised, 6), (_mark_similar, 10), (_logo_unauthorised, 4), (_mark_printed, 2),
    (_gi_false_origin, 8), (_false_auth_claim, 4), (_false_trace_claim, 4), (_mark_with_auth_claim, 2),
    (_shangpinzhong, 3), (_praise_phrase, 4), (_true_origin, 5), (_other_brand_claims, 3),
    (_place_for_other_goods, 2), (_unrelated, 14),
)


# -- spelling variants ---------------------------------------------------------------

_HOMOPHONES = {"奉": "凤丰俸", "上": "尚", "好": "郝", "品": "聘", "节": "杰", "脐": "齐", "橙": "成"}
_LOOKALIKES = {"奉": "俸捧", "上": "止", "好": "妤", "品": "晶", "脐": "济", "橙": "澄"}
_TRADITIONAL = {"节": "節", "脐": "臍", "发": "發", "个": "個", "产": "產", "优": "優"}


def _similar_forms(text: str, view: _PackView) -> list[tuple[str, str]]:
    """Altered forms of a mark (CONTRACT §4.1 MARK_SIMILAR), never another registered sign or an exception."""
    forms: list[tuple[str, str]] = []
    for index, char in enumerate(text):
        for swap in _HOMOPHONES.get(char, ""):
            forms.append((text[:index] + swap + text[index + 1:], "homophone"))
        for swap in _LOOKALIKES.get(char, ""):
            forms.append((text[:index] + swap + text[index + 1:], "lookalike"))
    forms += [
        ("·".join(text), "split"),
        ("\u200b".join(text), "zero_width"),
        (text[: len(text) // 2] + "🍊" + text[len(text) // 2:], "padded"),
        (_pinyin_spaced(text), "pinyin"),
    ]
    registered = {search.normalise(word) for mark in view.pack.marks for word in (mark.text, *mark.aliases) if word}
    return [(form, how) for form, how in forms
            if search.normalise(form) not in registered
            and not any(exception in form for exception in view.pack.exceptions)]


def _pinyin_spaced(text: str) -> str:
    from pypinyin import Style, lazy_pinyin

    return " ".join(syllable.capitalize() for syllable in lazy_pinyin(text, style=Style.NORMAL))


def _traditional(text: str) -> str:
    return "".join(_TRADITIONAL.get(char, char) for char in text)


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in text)


# ---------------------------------------------------------------------------
# Building a catalogue
# ---------------------------------------------------------------------------


def today(pack: BrandPack) -> date:
    return datetime.now(ZoneInfo(pack.timezone)).date()


def build_catalogue(
    seed: int = 1,
    *,
    size: int = DEFAULT_SIZE,
    week: int = 0,
    pack: BrandPack | None = None,
    as_of: date | None = None,
) -> Catalogue:
    """The listings of every flavour for `seed`, as they stand in `week` (0 = the first crawl)."""
    if size < 1:
        raise ValueError(f"size must be at least 1, not {size}")
    if week < 0:
        raise ValueError(f"week must be 0 or later, not {week}")
    pack = pack or load_pack(DEFAULT_PACK)
    as_of = as_of or today(pack)
    view = _PackView.of(pack, as_of)
    used_ids: set[str] = set()
    base_gen = _Generator(view, seed, "base", used_ids)
    base: list[Product] = []
    for platform in PLATFORMS:
        base += _fill(base_gen, platform, size)
    base += _cross_list(base_gen, base, share=0.06)

    live: list[Product] = []
    removed: list[Product] = []
    for product in base:
        taken_down = _takedown_week(seed, product, week)
        if taken_down is None:
            live.append(product)
            continue
        removed.append(product)
        if _unit(seed, "relist", *product.key) < 0.5:
            live.append(replace(product, listing_id=base_gen.listing_id(product.platform), week_listed=taken_down))
    for later in range(1, week + 1):
        weekly = _Generator(view, seed, f"week-{later}", used_ids)
        weekly.merchants = base_gen.merchants
        weekly.licensee_shops = base_gen.licensee_shops
        for platform in PLATFORMS:
            live += [replace(p, week_listed=later) for p in _fill(weekly, platform, max(1, size // 20), cover=False)]
    return Catalogue(seed=seed, size=size, week=week, as_of=as_of, products=tuple(live), removed=tuple(removed))


def _fill(gen: _Generator, platform: str, size: int, *, cover: bool = True) -> list[Product]:
    products: list[Product] = []
    if cover:
        for recipe, _weight in RECIPES:
            if len(products) >= size:
                break
            product = recipe(gen, platform)
            if product is not None:
                products.append(product)
    recipes = [recipe for recipe, _ in RECIPES]
    weights = [weight for _, weight in RECIPES]
    attempts = 0
    while len(products) < size and attempts < size * 20:
        attempts += 1
        product = gen.rng.choices(recipes, weights)[0](gen, platform)
        if product is not None:
            products.append(product)
    return products


def _cross_list(gen: _Generator, products: list[Product], *, share: float) -> list[Product]:
    """The same company listing the same goods on a second platform (for cross-platform linking)."""
    copies: list[Product] = []
    candidates = [p for p in products if p.expected and p.shop.licensee_id is None and p.shop.company]
    for product in gen.rng.sample(candidates, k=int(len(candidates) * share * 2)):
        target = gen.rng.choice([p for p in PLATFORMS if p != product.platform])
        merchant = next((m for m in gen.merchants if product.platform in m.shops
                         and m.shops[product.platform] == product.shop), None)
        if merchant is None:
            continue
        shop = gen.merchant_shop(merchant, target)
        copies.append(replace(product, platform=target, listing_id=gen.listing_id(target), shop=shop,
                              category=f"{product.category}"))
    return copies


def _unit(seed: int, *parts: Any) -> float:
    digest = hashlib.sha256(":".join(map(str, (seed, *parts))).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _takedown_week(seed: int, product: Product, week: int) -> int | None:
    for later in range(1, week + 1):
        if _unit(seed, "takedown", later, *product.key) < 0.08:
            return later
    return None


def listing_record(product: Product, server: str, captured_at: str) -> dict[str, Any]:
    """The CONTRACT §2 listing record a faithful spider extracts from `product` served at `server`.

    For tests that need listings without crawling; image entries are absolute URLs.
    """
    seller = {"id": product.shop.shop_id, "name": product.shop.name, "location": product.shop.location}
    if product.shop.company:
        seller["company"] = product.shop.company
    return {
        "platform": product.platform,
        "listing_id": product.listing_id,
        "url": server + product.path,
        "title": product.title,
        "description": product.description,
        "price": product.price,
        "currency": "CNY",
        "unit": product.unit,
        "seller": seller,
        "ship_from": product.ship_from,
        "images": [server + product.image_path(index) for index in range(len(product.images))],
        "attributes": dict(product.attributes),
        "captured_at": captured_at,
    }


# ---------------------------------------------------------------------------
# Ground truth
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExpectedListing:
    platform: str
    listing_id: str
    path: str
    expected: frozenset[str]
    reachable: bool
    category: str
    company: str | None
    licensee_id: str | None
    week_listed: int

    def to_record(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "listing_id": self.listing_id,
            "path": self.path,
            "expected": sorted(self.expected),
            "reachable": self.reachable,
            "category": self.category,
            "company": self.company,
            "licensee_id": self.licensee_id,
            "week_listed": self.week_listed,
        }


@dataclass(frozen=True, slots=True)
class GroundTruth:
    seed: int
    size: int
    week: int
    as_of: date
    keywords: tuple[str, ...]
    listings: tuple[ExpectedListing, ...]
    removed: tuple[tuple[str, str], ...] = ()

    def get(self, platform: str, listing_id: str) -> ExpectedListing | None:
        return next((e for e in self.listings if (e.platform, e.listing_id) == (platform, listing_id)), None)

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(code for entry in self.listings for code in entry.expected)

    def to_record(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "size": self.size,
            "week": self.week,
            "as_of": self.as_of.isoformat(),
            "keywords": list(self.keywords),
            "listings": [entry.to_record() for entry in self.listings],
            "removed": [{"platform": p, "listing_id": i} for p, i in self.removed],
        }

    def write(self, path: Path | str) -> None:
        Path(path).write_text(json.dumps(self.to_record(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def pack_keywords(pack: BrandPack) -> tuple[str, ...]:
    """The keywords the spiders search with by default (matchers.keywords): reachability is measured by them."""
    return tuple(search_keywords(pack))


def truth_of(catalogue: Catalogue, pack: BrandPack, keywords: Sequence[str] | None = None) -> GroundTruth:
    keywords = tuple(keywords) if keywords is not None else pack_keywords(pack)
    entries = []
    for platform in PLATFORMS:
        reachable = {p.key for keyword in keywords for p in catalogue.search(platform, keyword)}
        for product in catalogue.listings(platform):
            entries.append(
                ExpectedListing(
                    platform=product.platform,
                    listing_id=product.listing_id,
                    path=product.path,
                    expected=product.expected,
                    reachable=product.key in reachable,
                    category=product.category,
                    company=product.shop.company,
                    licensee_id=product.shop.licensee_id,
                    week_listed=product.week_listed,
                )
            )
    return GroundTruth(
        seed=catalogue.seed, size=catalogue.size, week=catalogue.week, as_of=catalogue.as_of, keywords=keywords,
        listings=tuple(entries), removed=tuple(p.key for p in catalogue.removed),
    )


def ground_truth(
    seed: int = 1,
    *,
    size: int = DEFAULT_SIZE,
    week: int = 0,
    pack: BrandPack | None = None,
    as_of: date | None = None,
    keywords: Sequence[str] | None = None,
) -> GroundTruth:
    """Per listing, the violation codes a correct scan reports and whether the pack's keywords reach it."""
    pack = pack or load_pack(DEFAULT_PACK)
    catalogue = build_catalogue(seed, size=size, week=week, pack=pack, as_of=as_of)
    return truth_of(catalogue, pack, keywords)
