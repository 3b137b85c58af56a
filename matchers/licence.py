"""The licence register: who a listing's seller is, and what it may use at the time of the listing.

CONTRACT §1 (licensees.csv) and §4.4/§4.5:
* the seller is resolved by shop id first (`platform:shop_id`), then by a
  normalised shop name, then by the registered company name;
* authorisation is decided on the listing's capture date in the pack's time zone;
* `suspended` and not-yet-valid licences authorise nothing;
* after `exit_date` (or past `valid_to`) a former licensee may sell labelled
  stock until `disposal_deadline` inclusive, after which any use is lapsed;
* a licence covers the goods in its `goods` column, or, when that is empty,
  the goods of the mark (all goods when the mark lists none).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

from matchers.normalise import normalise_text
from matchers.pack import BrandPack, Licensee, Mark
from matchers.records import Listing, Seller

FORMER_STATUSES = ("revoked", "withdrawn", "eliminated")
STATUS_NAMES = {
    "active": "有效",
    "suspended": "暂停",
    "revoked": "授权取消",
    "withdrawn": "主动退出",
    "eliminated": "末位淘汰",
}

# Standings of a seller for one mark on one day.
AUTHORISED = "authorised"
DISPOSAL = "disposal"  # a former licensee still inside its disposal period
LAPSED = "lapsed"
SUSPENDED = "suspended"
NOT_YET_VALID = "not_yet_valid"
MARK_NOT_LICENSED = "mark_not_licensed"
UNLICENSED = "unlicensed"


# Which standing wins when a seller holds several licence rows for one mark.
STANDING_ORDER = {
    UNLICENSED: 0,
    MARK_NOT_LICENSED: 1,
    NOT_YET_VALID: 2,
    SUSPENDED: 3,
    LAPSED: 4,
    DISPOSAL: 5,
    AUTHORISED: 6,
}


@dataclass(frozen=True, slots=True)
class Standing:
    """What `licensee` may do with `mark_id` on `day`, and the dates that decided it."""

    mark_id: str
    licensee: Licensee | None
    state: str
    day: date
    ended: date | None = None  # when the licence ended, for former licensees
    deadline: date | None = None  # disposal deadline, for former licensees

    @property
    def permits(self) -> bool:
        return self.state in (AUTHORISED, DISPOSAL)

    @property
    def lapsed(self) -> bool:
        return self.state == LAPSED


K = TypeVar("K")
V = TypeVar("V")


# Distinct shops remembered by the per-shop caches; a weekly crawl sees a few thousand shops.
SHOP_CACHE_SIZE = 10_000


class BoundedCache(Generic[K, V]):
    """A dict that forgets everything when full: bounded memory on endless streams, O(1) lookups."""

    def __init__(self, size: int):
        self._size = size
        self._data: dict[K, V] = {}

    def get(self, key: K) -> V | None:
        return self._data.get(key)

    def put(self, key: K, value: V) -> None:
        if len(self._data) >= self._size:
            self._data.clear()
        self._data[key] = value


_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_shop_keys: BoundedCache[str, str] = BoundedCache(SHOP_CACHE_SIZE)


def shop_key(text: str) -> str:
    """Shop ids and names compare ignoring case, width, spacing, punctuation and traditional forms."""
    if text.isascii():
        return _NOT_ALNUM.sub("", text.lower()) or text.strip()
    found = _shop_keys.get(text)
    if found is None:
        found = normalise_text(text) or re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()
        _shop_keys.put(text, found)
    return found


# Goods words seen in titles beyond a pack's own lists, so a licensee's use on clearly other goods
# (a 脐橙 licence on 苹果 or 手机壳) is noticed. Concrete goods only: category words such as 水果,
# 特产 or 礼盒 say nothing about which goods a licence must cover.
COMMON_GOODS = (
    "苹果", "香梨", "雪梨", "葡萄", "草莓", "蓝莓", "芒果", "香蕉", "荔枝", "龙眼", "桂圆", "水蜜桃", "西瓜",
    "哈密瓜", "柿子", "石榴", "榴莲", "菠萝", "椰子", "车厘子", "枇杷", "杨梅", "山竹", "火龙果", "沃柑",
    "砂糖橘", "耙耙柑", "丑橘", "柠檬", "百香果", "红枣", "枸杞", "牛肉干", "火腿", "鸭蛋", "大闸蟹", "小龙虾",
    "挂面", "米粉", "酱油", "白酒", "啤酒", "葡萄酒", "红酒", "咖啡", "奶粉", "牛奶", "酸奶", "饼干", "月饼",
    "粽子", "辣条", "花生", "瓜子", "橄榄油", "眼镜", "手机", "手机壳", "耳机", "衣服", "T恤", "外套",
    "鞋子", "帽子", "背包", "保温杯", "茶具", "雨伞", "毛巾", "床单", "面膜", "口红", "洗发水", "牙膏",
    "玩具", "充电器", "数据线",
)  # fmt: skip
# Last characters shared by unrelated goods (苹果/芒果, 腊肉/牛肉): not evidence of the same goods.
_GENERIC_HEADS = frozenset("果子儿品货类干酱粉油酒茶米面肉蛋菜汁")


def _head(word: str) -> str:
    word = word.removesuffix("子").removesuffix("儿") if len(word) > 1 else word
    return word[-1:] if word else word


def goods_related(word: str, covered: str) -> bool:
    """Do two goods words name the same goods? 脐橙/红肉脐橙/橙子/鲜橙 do; 腊肉/香肠 and 苹果/芒果 do not."""
    if word == covered or covered in word or word in covered:
        return True
    head = _head(word)
    return head == _head(covered) and head not in _GENERIC_HEADS


class LicenceRegister:
    """Resolves sellers to licensees and decides their standing per mark and day."""

    def __init__(self, pack: BrandPack):
        self._pack = pack
        self._zone = ZoneInfo(pack.timezone)
        # A shop or company may hold several licence rows (an ended licence for one mark and a
        # current one for another): every row is kept and the best standing per mark wins.
        self._by_shop: dict[tuple[str, str], tuple[Licensee, ...]] = {}
        self._by_name: dict[str, tuple[Licensee, ...]] = {}
        for licensee in pack.licensees:
            for shop in licensee.shops:
                key = (shop.platform, shop_key(shop.ref))
                if licensee not in self._by_shop.get(key, ()):
                    self._by_shop[key] = (*self._by_shop.get(key, ()), licensee)
            name = shop_key(licensee.name)
            self._by_name[name] = (*self._by_name.get(name, ()), licensee)
        self._marks = {mark.id: mark for mark in pack.marks}
        vocabulary: set[str] = set(pack.reference_prices) | set(COMMON_GOODS)
        for mark in pack.marks:
            vocabulary.update(mark.goods)
        for licensee in pack.licensees:
            vocabulary.update(licensee.goods)
        # One pass over a folded title (traditional forms, width, case and padding folded as for
        # marks) finds every goods word; longer words first, so 红肉脐橙 wins over 脐橙.
        self._goods_by_folded = {normalise_text(word): word for word in vocabulary if normalise_text(word)}
        self._goods_pattern = re.compile(
            "|".join(re.escape(w) for w in sorted(self._goods_by_folded, key=len, reverse=True))
        )
        # Sellers list many goods: resolve each shop once (bounded memory on endless streams).
        self._resolved: BoundedCache[tuple, tuple[Licensee, ...]] = BoundedCache(SHOP_CACHE_SIZE)

    def local_day(self, listing: Listing) -> date:
        moment: datetime = listing.captured_datetime
        return moment.astimezone(self._zone).date()

    def resolve(self, listing: Listing) -> Licensee | None:
        """The seller's licence row (the first, when it holds several), or None."""
        rows = self.resolve_all(listing)
        return rows[0] if rows else None

    def resolve_all(self, listing: Listing) -> tuple[Licensee, ...]:
        """Every licence row of the listing's seller: by shop id, else shop name, else company name."""
        seller = listing.seller
        if seller is None:
            return ()
        key = (listing.platform, seller.id, seller.name, seller.company)
        found = self._resolved.get(key)
        if found is None:
            found = self._resolve(listing.platform, seller)
            self._resolved.put(key, found)
        return found

    def _resolve(self, platform: str, seller: Seller) -> tuple[Licensee, ...]:
        if seller.id:
            found = self._by_shop.get((platform, shop_key(seller.id)))
            if found:
                return found
        if seller.name:
            name = shop_key(seller.name)
            found = self._by_shop.get((platform, name)) or self._by_name.get(name)
            if found:
                return found
        if seller.company:
            return self._by_name.get(shop_key(seller.company), ())
        return ()

    def best_standing(self, licensees: Sequence[Licensee], mark_id: str, day: date) -> Standing:
        """The most favourable standing for `mark_id` over a seller's licence rows."""
        if not licensees:
            return Standing(mark_id, None, UNLICENSED, day)
        standings = [self.standing(licensee, mark_id, day) for licensee in licensees]
        return max(standings, key=lambda standing: STANDING_ORDER[standing.state])

    def standing(self, licensee: Licensee | None, mark_id: str, day: date) -> Standing:
        if licensee is None:
            return Standing(mark_id, None, UNLICENSED, day)
        if mark_id not in licensee.marks:
            return Standing(mark_id, licensee, MARK_NOT_LICENSED, day)
        if licensee.status == "suspended":
            return Standing(mark_id, licensee, SUSPENDED, day)
        if day < licensee.valid_from:
            return Standing(mark_id, licensee, NOT_YET_VALID, day)
        ended = self._end_before(licensee, day)
        if ended is None:
            return Standing(mark_id, licensee, AUTHORISED, day)
        deadline = licensee.disposal_deadline
        state = DISPOSAL if deadline is not None and day <= deadline else LAPSED
        return Standing(mark_id, licensee, state, day, ended=ended, deadline=deadline)

    @staticmethod
    def _end_before(licensee: Licensee, day: date) -> date | None:
        """The day the licence ended if that is before `day`, else None (still in force on `day`)."""
        ends: list[date] = []
        if licensee.valid_to is not None:
            ends.append(licensee.valid_to)
        if licensee.status in FORMER_STATUSES:
            # Without an exit date the licence is known to have ended, but not when:
            # it counts as ended from its first day, so only the disposal period can excuse a use.
            ends.append(licensee.exit_date or licensee.valid_from)
        ended = min(ends) if ends else None
        if ended is not None and day > ended:
            return ended
        if licensee.status in FORMER_STATUSES and licensee.exit_date is None:
            return licensee.valid_from
        return None

    # -- goods ----------------------------------------------------------------

    def goods_in(self, texts: Iterable[str | None]) -> list[str]:
        """The goods words found in `texts`, in order of appearance, without words inside longer ones."""
        found: list[str] = []
        for text in texts:
            if text:
                for match in self._goods_pattern.finditer(normalise_text(text)):
                    word = self._goods_by_folded[match.group()]
                    if word not in found:
                        found.append(word)
        return found

    def covered_goods(self, licensee: Licensee, mark: Mark) -> tuple[str, ...]:
        """Goods words the licence covers for `mark`; empty means all goods."""
        if licensee.goods:
            return tuple(sorted(licensee.goods))
        goods = mark.goods
        if not goods and mark.is_logo and mark.of in self._marks:
            goods = self._marks[mark.of].goods
        return tuple(goods)

    def uncovered_goods(self, licensee: Licensee, mark: Mark, listing_goods: Sequence[str]) -> list[str]:
        covered = self.covered_goods(licensee, mark)
        if not covered:
            return []
        return [word for word in listing_goods if not any(goods_related(word, c) for c in covered)]
