"""Is a ship-from or seller location inside a GI's origin area?

Platforms write locations many ways: "重庆 奉节", "重庆市奉节县", "奉节县草堂镇",
"重庆奉节", "Chongqing". The answer has three values because an officer must be
able to prove a false origin: `True` (inside), `False` (a place we can name that
is outside) and `None` (empty, only the province, or uninformative text such as
"国内": nothing can be proved either way).

Rules, and why:
* County-level origin names (奉节, 奉节县, 重庆市奉节县) match with or without
  their 省/市/县/区 suffix and across separators; they decide "inside" unless
  the location also names another province ("江西 奉节路" is in 江西).
* Town-level names (草堂镇, 永安街道, 太和土家族乡) match only with their suffix,
  because the bare names (平安, 兴隆, 公平) are common words and other counties
  have towns of the same name; a town also needs no other county or city
  in the location ("广东 海丰县 公平镇" is not in 奉节).
* The province/municipality an origin name sits in (重庆) is a parent: alone it
  proves nothing ("重庆" may be 万州), beside an origin name it is consistent.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from matchers.normalise import normalise_text

# Province-level divisions, full and short forms; any of them not a parent of the
# origin area places a location outside it.
PROVINCES = (
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽",
    "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西",
    "甘肃", "青海", "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港", "澳门",
)  # fmt: skip
# Well-known producing areas written before an origin claim ("赣南原产地直发"): the claim is
# about that area, not about the pack's GI.
KNOWN_REGIONS = (
    "赣南", "赣州", "信丰", "寻乌", "安远", "秭归", "宜昌", "新会", "会理", "攀枝花", "阿克苏", "烟台",
    "褚橙", "麻阳", "石门", "崀山", "湘西", "广西", "云南", "四川", "湖北", "湖南", "江西", "广东",
    "福建", "浙江", "海南", "新疆", "台湾", "南丰", "黄岩", "丹江口", "眉山", "蒲江", "资中",
)  # fmt: skip
_PROVINCE_SUFFIXES = ("省", "市", "自治区", "壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区")
_COUNTY_SUFFIXES = ("自治县", "县", "市", "区", "自治州", "州", "盟", "旗")
_TOWN_SUFFIXES = ("街道办事处", "街道", "土家族乡", "民族乡", "镇", "乡")
# Text that says nothing about where goods are.
UNINFORMATIVE = ("中国", "中华人民共和国", "国内", "全国", "大陆", "中国大陆", "内地", "未知", "不详", "其他", "其它",
                 "保密", "无", "暂无", "china", "mainland", "unknown", "na", "none")  # fmt: skip
_COUNTY_PREFIX = re.compile(r"([\u4e00-\u9fff]{2,6}?)(?:自治县|县|区|市)")
_PLACE_WITH_SUFFIX = re.compile(r"[\u4e00-\u9fff]{2,8}?(?:自治县|自治州|县|市|区|州|盟|旗)")


@dataclass(frozen=True, slots=True)
class OriginCheck:
    """`inside` is True, False or None (cannot tell); `matched` is the origin name found."""

    inside: bool | None
    location: str
    matched: str | None = None


def _strip_suffix(name: str, suffixes: Sequence[str]) -> str:
    for suffix in sorted(suffixes, key=len, reverse=True):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def _split_components(name: str) -> list[str]:
    """ "重庆市奉节县" -> ["重庆市", "奉节县"]; the suffixes mark the boundaries."""
    parts = re.findall(r".+?(?:省|市|自治区|自治州|自治县|县|区|州|街道|镇|乡|$)", name)
    return [part for part in parts if part]


def _romanise(name: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(name))


def _province_of(text: str) -> str | None:
    for province in PROVINCES:
        if text.startswith(province):
            return province
    return None


class OriginMatcher:
    """Decides whether locations lie inside the origin area named by `origin` (a GI's place names)."""

    def __init__(self, origin: Sequence[str]):
        county_forms: set[str] = set()
        town_forms: set[str] = set()
        parents: set[str] = set()
        whole_provinces: set[str] = set()
        for raw in origin:
            name = normalise_text(raw)
            if not name:
                continue
            province = _province_of(name)
            if province is not None:
                rest = name[len(province) :]
                for suffix in _PROVINCE_SUFFIXES:
                    if rest.startswith(suffix):
                        rest = rest[len(suffix) :]
                        break
                if not rest:
                    whole_provinces.add(province)  # the GI covers the whole province
                    continue
                parents.add(province)
                name = rest
            if name.endswith(_TOWN_SUFFIXES):
                if name.endswith("街道办事处"):
                    name = name[: -len("办事处")]
                town_forms.add(name)
                # "奉节县草堂镇" also matches "奉节草堂镇" and, with nothing contradicting it, "草堂镇".
                county = _COUNTY_PREFIX.match(name)
                if county and len(name) > county.end():
                    town_forms.add(county.group(1) + name[county.end() :])
                    town_forms.add(name[county.end() :])
                continue
            county_forms.add(name)
            county_forms.add(_strip_suffix(name, _COUNTY_SUFFIXES))
        county_forms |= whole_provinces
        parents -= whole_provinces
        # Romanised locations ("Fengjie, Chongqing") appear on export-oriented shops.
        county_forms |= {_romanise(form) for form in county_forms if len(form) >= 2}
        parents |= {_romanise(parent) for parent in parents}
        self._county_forms = tuple(sorted(county_forms, key=len, reverse=True))
        self._town_forms = tuple(sorted(town_forms, key=len, reverse=True))
        self._parents = frozenset(parents)
        self._uninformative = frozenset(normalise_text(word) for word in UNINFORMATIVE)

    @property
    def parents(self) -> frozenset[str]:
        return self._parents

    def check(self, location: str | None) -> OriginCheck:
        shown = (location or "").strip()
        folded = normalise_text(shown)
        if not folded or folded in self._uninformative:
            return OriginCheck(None, shown)
        remainder = folded
        county = next((form for form in self._county_forms if form in remainder), None)
        if county is not None:
            remainder = remainder.replace(county, "|")
        town = next((form for form in self._town_forms if form in remainder), None)
        if town is not None:
            remainder = remainder.replace(town, "|")
        other_provinces = [p for p in PROVINCES if p in remainder and p not in self._parents]
        for parent in sorted(self._parents, key=len, reverse=True):
            for suffix in (*_PROVINCE_SUFFIXES, ""):
                remainder = remainder.replace(parent + suffix, "|")
        matched = county or town
        if matched is not None:
            if other_provinces:
                return OriginCheck(False, shown, matched)
            if county is None and _PLACE_WITH_SUFFIX.search(remainder.replace("|", " ")):
                # A town name of the origin area beside another county or city: a namesake town elsewhere.
                return OriginCheck(False, shown, matched)
            return OriginCheck(True, shown, matched)
        leftover = remainder.replace("|", "")
        for word in self._uninformative:
            leftover = leftover.replace(word, "")
        if not leftover:
            return OriginCheck(None, shown)  # only the parent province, or nothing informative
        return OriginCheck(False, shown)
