"""The licence register: resolution order, standing on a day, and goods coverage."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from matchers.licence import (
    AUTHORISED,
    DISPOSAL,
    LAPSED,
    MARK_NOT_LICENSED,
    NOT_YET_VALID,
    SUSPENDED,
    UNLICENSED,
    LicenceRegister,
    goods_related,
)
from matchers.pack import load_pack
from matchers.records import Listing

PACK = load_pack(Path(__file__).resolve().parents[3] / "brandpacks" / "fengjie")
REGISTER = LicenceRegister(PACK)
BY_ID = {lic.licensee_id: lic for lic in PACK.licensees}


def listing(platform, seller, captured_at="2026-11-20T10:00:00+08:00"):
    return Listing.from_record(
        {
            "platform": platform,
            "listing_id": "1",
            "url": "u",
            "title": "t",
            "captured_at": captured_at,
            "seller": seller,
        }
    )


@pytest.mark.parametrize(
    "platform, seller, expected",
    [
        ("demo-taobao", {"id": "tb_fjqc_flagship"}, "FJ-L001"),
        ("demo-taobao", {"id": "TB_FJQC_FLAGSHIP"}, "FJ-L001"),  # ids compare without case
        ("demo-jd", {"id": "tb_fjqc_flagship"}, None),  # an id is only meaningful on its platform
        ("demo-jd", {"id": "jd-1", "name": "奉节脐橙官方旗舰店"}, "FJ-L001"),
        ("demo-jd", {"id": "jd-1", "name": "奉节脐橙 官方旗舰店"}, "FJ-L001"),  # spacing ignored
        (
            "demo-taobao",
            {"id": "x", "name": "奉节脐橙官方旗舰店"},
            None,
        ),  # that name is registered on demo-jd
        ("demo-pdd", {"id": "x", "company": "重庆市奉节县样板脐橙种植家庭农场（虚构）"}, "FJ-L010"),
        (
            "demo-pdd",
            {"id": "x", "company": "重庆市奉节县样板脐橙种植家庭农场(虚构)"},
            "FJ-L010",
        ),  # halfwidth parens
        ("demo-pdd", {"id": "pdd_fj_coop", "name": "奉节果农样板家庭农场"}, "FJ-L002"),  # id wins over name
        ("demo-taobao", {"id": "nobody", "name": "路人店"}, None),
        ("demo-taobao", None, None),
    ],
)
def test_resolve(platform, seller, expected):
    found = REGISTER.resolve(listing(platform, seller))
    assert (found.licensee_id if found else None) == expected


@pytest.mark.parametrize(
    "licensee_id, mark, day, state",
    [
        ("FJ-L001", "FSHP", date(2026, 11, 20), AUTHORISED),
        ("FJ-L001", "FJHJ", date(2026, 11, 20), MARK_NOT_LICENSED),
        ("FJ-L001", "FSHP", date(2024, 12, 31), NOT_YET_VALID),
        ("FJ-L001", "FSHP", date(2027, 12, 31), AUTHORISED),  # valid_to inclusive
        ("FJ-L001", "FSHP", date(2028, 1, 1), LAPSED),
        ("FJ-L004", "FSHP", date(2026, 11, 20), SUSPENDED),
        ("FJ-L005", "FSHP", date(2026, 3, 31), AUTHORISED),  # exit day still in force
        ("FJ-L005", "FSHP", date(2026, 4, 1), DISPOSAL),
        ("FJ-L005", "FSHP", date(2026, 6, 30), DISPOSAL),  # deadline inclusive
        ("FJ-L005", "FSHP", date(2026, 7, 1), LAPSED),
        ("FJ-L006", "FSHP", date(2026, 11, 20), DISPOSAL),
        ("FJ-L007", "FJHW", date(2026, 11, 20), LAPSED),
        ("FJ-L008", "FSHP", date(2026, 6, 30), AUTHORISED),
        ("FJ-L008", "FSHP", date(2026, 7, 1), LAPSED),  # past valid_to, no disposal deadline
        ("FJ-L009", "FJHJ", date(2026, 11, 20), NOT_YET_VALID),
        ("FJ-L009", "FJHJ", date(2027, 1, 1), AUTHORISED),
    ],
)
def test_standing(licensee_id, mark, day, state):
    assert REGISTER.standing(BY_ID[licensee_id], mark, day).state == state


def test_no_licensee_is_unlicensed():
    assert REGISTER.standing(None, "FSHP", date(2026, 1, 1)).state == UNLICENSED


def test_local_day_uses_pack_time_zone():
    late_utc = listing("demo-taobao", None, captured_at="2026-06-30T17:00:00+00:00")
    assert REGISTER.local_day(late_utc) == date(2026, 7, 1)


@pytest.mark.parametrize(
    "word, covered, related",
    [
        ("脐橙", "脐橙", True),
        ("红肉脐橙", "脐橙", True),
        ("橙子", "脐橙", True),
        ("腊肉", "香肠", False),
        ("蜂蜜", "脐橙", False),
        ("门票", "船票", True),
        ("鲜橙", "脐橙", True),
        ("苹果", "脐橙", False),
        ("苹果", "芒果", False),  # 果 is every fruit
        ("山羊肉", "腊肉", False),
    ],
)
def test_goods_related(word, covered, related):
    assert goods_related(word, covered) is related


def test_goods_in_prefers_longest_words():
    assert REGISTER.goods_in(["奉节红肉脐橙 5斤"]) == ["红肉脐橙"]
    assert set(REGISTER.goods_in(["腊肉香肠组合", None])) == {"腊肉", "香肠"}
    assert REGISTER.goods_in(["奉節臍橙 禮盒"]) == ["脐橙"]  # traditional forms fold like marks
    assert REGISTER.goods_in(["纯棉t恤"]) == ["T恤"]


def test_uncovered_goods():
    coop = BY_ID["FJ-L002"]
    fshp = PACK.mark("FSHP")
    assert REGISTER.uncovered_goods(coop, fshp, ["脐橙", "腊肉"]) == ["腊肉"]
    assert REGISTER.uncovered_goods(coop, fshp, REGISTER.goods_in(["奉上好品 手机壳"])) == ["手机壳"]
    assert REGISTER.goods_in(["奉节脐橙 新鲜水果 礼盒 特产"]) == ["脐橙"]
    assert REGISTER.uncovered_goods(coop, fshp, []) == []
