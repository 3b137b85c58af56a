"""Origin matching: tolerant of administrative suffixes and separators, strict about namesakes."""

from __future__ import annotations

import pytest

from matchers.places import OriginMatcher

FENGJIE = OriginMatcher(
    ["奉节", "奉节县", "重庆奉节", "重庆市奉节县", "夔州", "永安街道", "草堂镇", "公平镇", "兴隆镇", "平安乡",
     "太和土家族乡"]
)  # fmt: skip


@pytest.mark.parametrize(
    "location, inside",
    [
        ("重庆 奉节", True),
        ("重庆市奉节县", True),
        ("奉节县草堂镇", True),
        ("重庆市 奉节县 永安街道", True),
        ("奉节", True),
        ("重庆.奉节", True),
        ("重庆/奉节/草堂", True),
        ("重庆奉节县白帝城景区", True),  # 景区 is not another county
        ("太和土家族乡", True),
        ("草堂镇", True),
        ("Fengjie, Chongqing", True),
        ("夔州", True),
        ("重庆 万州", False),
        ("重庆市万州区", False),
        ("重庆 巫山", False),
        ("江西 赣州", False),
        ("湖北 恩施", False),
        ("四川 成都", False),
        ("Ganzhou, Jiangxi", False),
        ("江西省赣州市奉节路", False),  # a street name in another province
        ("广东 汕尾 公平镇", False),  # a namesake town in another province
        ("海丰县公平镇", False),  # a namesake town in another county
        ("黑龙江 兴隆镇", False),
        ("平安", False),  # the bare word is not the township 平安乡, and says nothing of 奉节
        ("", None),
        (None, None),
        ("重庆", None),  # the province alone may be any county of it
        ("重庆市", None),
        ("Chongqing", None),
        ("中国", None),
        ("国内", None),
        ("  ", None),
    ],
)
def test_origin(location, inside):
    assert FENGJIE.check(location).inside is inside


def test_check_keeps_location_as_written_and_matched_name():
    check = FENGJIE.check(" 重庆市 奉节县 ")
    assert check.location == "重庆市 奉节县" and check.matched == "奉节县"


def test_parents_come_from_origin_names():
    assert "重庆" in FENGJIE.parents
    assert OriginMatcher(["巫山县"]).check("重庆").inside is False  # no parent known: 重庆 is just elsewhere


@pytest.mark.parametrize(
    "origin, location, inside",
    [
        (["新疆"], "新疆 哈密", True),  # a GI covering a whole province
        (["新疆维吾尔自治区"], "新疆维吾尔自治区乌鲁木齐市", True),
        (["新疆"], "甘肃 兰州", False),
        (["赣州", "江西省赣州市", "信丰县"], "江西 赣州", True),  # a prefecture-level GI
        (["赣州", "江西省赣州市", "信丰县"], "信丰", True),
        (["赣州", "江西省赣州市", "信丰县"], "江西 南昌", False),
        (["赣州", "江西省赣州市", "信丰县"], "江西", None),
        (["赣州", "江西省赣州市", "信丰县"], "重庆 奉节", False),
        (["重庆市奉节县草堂镇"], "重庆 奉节 草堂镇", True),  # a town-level origin written with its county
        (["重庆市奉节县草堂镇"], "奉节草堂镇", True),
        (["重庆市奉节县草堂镇"], "四川 成都 草堂镇", False),
        (["重庆市奉节县草堂镇"], "成都市草堂镇", False),
    ],
)
def test_other_origin_areas(origin, location, inside):
    assert OriginMatcher(origin).check(location).inside is inside
