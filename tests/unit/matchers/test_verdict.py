"""The verdict, table-driven: every code, the precedence of CONTRACT §4, and hard negatives.

Each case: an id saying what it shows, the listing (title plus overrides), the images, and the
set of (code, mark) the verdict must produce — exactly, so an extra flag fails as much as a missed one.
"""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matchers.pack import load_pack
from matchers.records import Listing
from matchers.verdict import Judge
from matchers.vision_types import ImageAnalysis, LogoHit, TextBox

PACK_DIR = Path(__file__).resolve().parents[3] / "brandpacks" / "fengjie"
OTHER_PACK_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "packs" / "other-brand"
NOW = "2026-11-20T10:00:00+08:00"

# Shops of the fengjie licence register (brandpacks/fengjie/licensees.csv).
L001 = dict(platform="demo-taobao", seller={"id": "tb_fjqc_flagship", "name": "奉节脐橙示例旗舰店"})
L001_JD_BY_NAME = dict(platform="demo-jd", seller={"id": "jd-998", "name": "奉节脐橙官方旗舰店"})
L002 = dict(platform="demo-pdd", seller={"id": "pdd_fj_coop", "name": "样例合作社"})
L003 = dict(platform="demo-taobao", seller={"id": "tb_fj_lawei", "name": "演示腊味"})
L004_SUSPENDED = dict(platform="demo-taobao", seller={"id": "tb_fj_suspended", "name": "虚拟电商"})
L005_REVOKED = dict(platform="demo-xianyu", seller={"id": "xy_fj_old_stock", "name": "老库存"})
L006_WITHDRAWN = dict(platform="demo-jd", seller={"id": "jd_fj_withdrawn", "name": "示范果品"})
L007_ELIMINATED = dict(platform="demo-douyin", seller={"id": "dy_fj_eliminated", "name": "测试山货"})
L008_EXPIRED = dict(platform="demo-taobao", seller={"id": "tb_fj_expired", "name": "模拟农场"})
L009_FUTURE = dict(platform="demo-jd", seller={"id": "jd_fj_future", "name": "预备旅游"})
L010_BY_NAME = dict(platform="demo-xianyu", seller={"id": "xy-77", "name": "奉节果农样板家庭农场"})
L010_BY_COMPANY = dict(
    platform="demo-douyin",
    seller={"id": "dy-1", "name": "某直播间", "company": "重庆市奉节县样板脐橙种植家庭农场（虚构）"},
)
STRANGER = dict(
    platform="demo-taobao", seller={"id": "s-1021", "name": "果园直发店", "location": "江西 赣州"}
)
STRANGER_FENGJIE = dict(
    platform="demo-pdd", seller={"id": "p-9", "name": "老李果园", "location": "重庆 奉节"}
)
IMPOSTOR_ID_OTHER_PLATFORM = dict(platform="demo-pdd", seller={"id": "tb_fjqc_flagship", "name": "冒名店"})

OUTSIDE = {"ship_from": "江西 赣州"}
INSIDE = {"ship_from": "重庆 奉节"}


def listing(title: str, *parts: dict, **fields) -> Listing:
    record = {"platform": "demo-taobao", "listing_id": "1", "url": "https://demo/item/1", "title": title}
    for part in parts:
        record.update(part)
    record.update(fields)
    record.setdefault("captured_at", NOW)
    return Listing.from_record(record)


def logo_image(index=0, score=0.93, bbox=(10, 10, 200, 200), text_boxes=()):
    return ImageAnalysis(
        index=index,
        source=f"images/{index}.jpg",
        logo_hits=(LogoHit("LOGO_MAIN", bbox, score, {"inliers": 40.0}),),
        text_boxes=tuple(text_boxes),
    )


def text_image(*texts, index=0):
    return ImageAnalysis(
        index=index,
        source=f"images/{index}.jpg",
        text_boxes=tuple(TextBox(text, (300, 20 + 40 * n, 200, 30), 0.95) for n, text in enumerate(texts)),
    )


CASES = [
    # -- word marks: exact vs similar (§4.1) -----------------------------------------
    (
        "exact mark in title",
        listing("奉上好品 赣南脐橙 10斤", STRANGER, **OUTSIDE),
        (),
        {("MARK_UNAUTHORISED", "FSHP")},
    ),
    ("exact second mark", listing("奉节好品 手工红薯粉条", STRANGER), (), {("MARK_UNAUTHORISED", "FJHP")}),
    ("exact 奉节好味", listing("奉节好味 柴火腊肉 2斤", STRANGER), (), {("MARK_UNAUTHORISED", "FJHW")}),
    ("exact 奉节好景", listing("奉节好景 白帝城门票 电子票", STRANGER), (), {("MARK_UNAUTHORISED", "FJHJ")}),
    (
        "registered alias any case",
        listing("FENGSHANG HAOPIN 蜂蜜", STRANGER),
        (),
        {("MARK_UNAUTHORISED", "FSHP")},
    ),
    (
        "fullwidth alias",
        listing("ｆｅｎｇｓｈａｎｇ ｈａｏｐｉｎ 蜂蜜", STRANGER),
        (),
        {("MARK_UNAUTHORISED", "FSHP")},
    ),
    ("homophone 奉尚好品", listing("奉尚好品 脐橙", STRANGER, **INSIDE), (), {("MARK_SIMILAR", "FSHP")}),
    ("homophone 凤上好品", listing("凤上好品 土蜂蜜", STRANGER), (), {("MARK_SIMILAR", "FSHP")}),
    ("split by spaces", listing("奉 上 好 品 脐橙", STRANGER, **INSIDE), (), {("MARK_SIMILAR", "FSHP")}),
    ("split by emoji", listing("奉⭐上⭐好⭐品 腊肉", STRANGER), (), {("MARK_SIMILAR", "FSHP")}),
    (
        "split by zero-width",
        listing("奉\u200b上\u200b好\u200b品 香肠", STRANGER),
        (),
        {("MARK_SIMILAR", "FSHP")},
    ),
    ("pinyin without space", listing("FengShangHaoPin 香肠", STRANGER), (), {("MARK_SIMILAR", "FSHP")}),
    ("traditional word mark", listing("奉節好品 禮盒", STRANGER), (), {("MARK_SIMILAR", "FJHP")}),
    (
        "mark in description only",
        listing("农家腊肉", STRANGER, description="正宗奉上好品出品"),
        (),
        {("MARK_UNAUTHORISED", "FSHP")},
    ),
    (
        "mark in shop name",
        listing("新鲜土鸡蛋", dict(platform="demo-jd", seller={"id": "j1", "name": "奉上好品专营店"})),
        (),
        {("MARK_UNAUTHORISED", "FSHP")},
    ),
    (
        "mark in attributes",
        listing("红心猕猴桃", STRANGER, attributes={"品牌": "奉上好品"}),
        (),
        {("MARK_UNAUTHORISED", "FSHP")},
    ),
    (
        "two marks two violations",
        listing("奉上好品 奉节好味 腊肉礼盒", STRANGER),
        (),
        {("MARK_UNAUTHORISED", "FSHP"), ("MARK_UNAUTHORISED", "FJHW")},
    ),
    (
        "exact and similar of one mark",
        listing("奉上好品 奉尚好品 脐橙", STRANGER, **INSIDE),
        (),
        {("MARK_UNAUTHORISED", "FSHP"), ("MARK_SIMILAR", "FSHP")},
    ),
    # -- hard negatives: ordinary language ----------------------------------------------
    ("exception 奉上好品质", listing("为您奉上好品质脐橙", STRANGER, **INSIDE), (), set()),
    ("exception 奉上好评", listing("买家纷纷奉上好评 脐橙", STRANGER, **INSIDE), (), set()),
    ("上好品种 is language", listing("上好品种 红薯", STRANGER), (), set()),
    ("unrelated listing", listing("赣南脐橙 10斤 新鲜水果", STRANGER, **OUTSIDE), (), set()),
    ("place name for true origin", listing("重庆奉节 新鲜脐橙 10斤", STRANGER_FENGJIE, **INSIDE), (), set()),
    ("empty title", listing("", STRANGER), (), set()),
    ("claims without brand", listing("官方授权 一码溯源 赣南脐橙", STRANGER, **OUTSIDE), (), set()),
    ("origin claim without brand", listing("赣南脐橙 原产地直发 地理标志", STRANGER, **OUTSIDE), (), set()),
    (
        "negated claim is no claim",
        listing("奉节脐橙 非官方授权 自家果园", STRANGER_FENGJIE, **INSIDE),
        (),
        set(),
    ),
    # -- GI names (§4.2) --------------------------------------------------------------
    ("GI from outside", listing("奉节脐橙 5斤装", STRANGER, **OUTSIDE), (), {("GI_FALSE_ORIGIN", "FJQC")}),
    (
        "GI traditional from outside",
        listing("奉節臍橙 10斤", STRANGER, **OUTSIDE),
        (),
        {("GI_FALSE_ORIGIN", "FJQC")},
    ),
    (
        "GI split from outside",
        listing("奉 节 脐 橙 新鲜", STRANGER, **OUTSIDE),
        (),
        {("GI_FALSE_ORIGIN", "FJQC")},
    ),
    (
        "GI from 重庆 万州 is outside",
        listing("奉节脐橙 包邮", STRANGER, ship_from="重庆 万州"),
        (),
        {("GI_FALSE_ORIGIN", "FJQC")},
    ),
    (
        "GI inside origin unlicensed is clean",
        listing("奉节脐橙 10斤 现摘", STRANGER_FENGJIE, **INSIDE),
        (),
        set(),
    ),
    ("GI from a town of the county", listing("奉节脐橙 礼盒", STRANGER, ship_from="奉节县草堂镇"), (), set()),
    ("GI full admin form", listing("奉节脐橙", STRANGER, ship_from="重庆市奉节县"), (), set()),
    (
        "GI unknown location cannot be proved",
        listing("奉节脐橙 10斤", dict(platform="demo-taobao", seller={"id": "z", "name": "某店"})),
        (),
        set(),
    ),
    (
        "GI province-only location cannot be proved",
        listing("奉节脐橙", STRANGER_FENGJIE, ship_from="重庆"),
        (),
        set(),
    ),
    (
        "GI seller location when no ship_from",
        listing(
            "奉节脐橙 果园直发",
            dict(platform="demo-taobao", seller={"id": "a", "name": "b", "location": "湖北 宜昌"}),
        ),
        (),
        {("GI_FALSE_ORIGIN", "FJQC")},
    ),
    (
        "GI origin attribute outside",
        listing(
            "奉节脐橙 10斤", STRANGER, attributes={"产地": "江西赣州"}, seller={"id": "q", "name": "某店"}
        ),
        (),
        {("GI_FALSE_ORIGIN", "FJQC")},
    ),
    ("GI name is never MARK_*", listing("奉節臍橙 奉 节 脐 橙", STRANGER_FENGJIE, **INSIDE), (), set()),
    (
        "GI inside with auth claim",
        listing("奉节脐橙 官方授权店", STRANGER_FENGJIE, **INSIDE),
        (),
        {("FALSE_AUTH_CLAIM", "FJQC")},
    ),
    (
        "GI inside with trace claim",
        listing("奉节脐橙 一码溯源 放心购", STRANGER_FENGJIE, **INSIDE),
        (),
        {("FALSE_TRACE_CLAIM", "FJQC")},
    ),
    (
        "GI inside with 渝溯源",
        listing("奉节脐橙 渝溯源认证", STRANGER_FENGJIE, **INSIDE),
        (),
        {("FALSE_TRACE_CLAIM", "FJQC")},
    ),
    (
        "GI outside with both claims",
        listing("奉节脐橙 官方授权 扫码溯源", STRANGER, **OUTSIDE),
        (),
        {("GI_FALSE_ORIGIN", "FJQC"), ("FALSE_AUTH_CLAIM", "FJQC"), ("FALSE_TRACE_CLAIM", "FJQC")},
    ),
    (
        "origin claim beside word mark from outside",
        listing("奉上好品 脐橙 原产地直发", STRANGER, **OUTSIDE),
        (),
        {("MARK_UNAUTHORISED", "FSHP"), ("GI_FALSE_ORIGIN", "FJQC")},
    ),
    (
        "origin claim about the true origin",
        listing("奉上好品 赣南原产地直发 脐橙", STRANGER, **OUTSIDE),
        (),
        {("MARK_UNAUTHORISED", "FSHP")},
    ),
    (
        "origin claim inside origin is true",
        listing("奉节脐橙 地理标志产品 产地直发", STRANGER_FENGJIE, **INSIDE),
        (),
        set(),
    ),
    (
        "claim in description next to brand",
        listing("奉上好品 腊肉", STRANGER, description="本店为官方授权经销商"),
        (),
        {("MARK_UNAUTHORISED", "FSHP"), ("FALSE_AUTH_CLAIM", "FSHP")},
    ),
    (
        "claim in shop name",
        listing(
            "奉节脐橙 10斤",
            dict(
                platform="demo-taobao",
                seller={"id": "k", "name": "奉节脐橙官方授权店", "location": "重庆 奉节"},
            ),
        ),
        (),
        {("FALSE_AUTH_CLAIM", "FJQC")},
    ),
    # -- licensees ----------------------------------------------------------------------
    (
        "licensee by shop id is clean",
        listing("奉上好品 奉节脐橙 官方授权 一码溯源", L001, **INSIDE),
        (),
        set(),
    ),
    (
        "licensee by shop name is clean",
        listing("奉上好品 奉节脐橙 10斤", L001_JD_BY_NAME, **INSIDE),
        (),
        set(),
    ),
    ("licensee by company is clean", listing("奉上好品 脐橙 5斤", L010_BY_COMPANY, **INSIDE), (), set()),
    ("licensee by name on xianyu", listing("奉上好品 脐橙", L010_BY_NAME, **INSIDE), (), set()),
    (
        "licensee ships from outside stays clean",
        listing("奉节脐橙 官方授权", L001, ship_from="重庆 渝北"),
        (),
        set(),
    ),
    ("licensee split form is clean (§4.7)", listing("奉 上 好 品 脐橙", L001, **INSIDE), (), set()),
    ("licensee romanised form is clean (§4.7)", listing("FengShangHaoPin 脐橙", L001, **INSIDE), (), set()),
    ("licensee homophone form is clean (§4.7)", listing("奉尚好品 脐橙", L001, **INSIDE), (), set()),
    (
        "shop id on another platform is not the licensee",
        listing("奉上好品 脐橙", IMPOSTOR_ID_OTHER_PLATFORM),
        (),
        {("MARK_UNAUTHORISED", "FSHP")},
    ),
    (
        "licensee using a mark it does not hold",
        listing("奉节好景 门票", L001),
        (),
        {("MARK_UNAUTHORISED", "FJHJ")},
    ),
    ("out of scope goods", listing("奉上好品 柴火腊肉 2斤", L002, **INSIDE), (), {("OUT_OF_SCOPE", "FSHP")}),
    (
        "out of scope replaces claims",
        listing("奉上好品 腊肉 官方授权", L002, **INSIDE),
        (),
        {("OUT_OF_SCOPE", "FSHP")},
    ),
    (
        "goods beyond the pack's lists",
        listing("奉上好品 烟台苹果 5斤", L002, **INSIDE),
        (),
        {("OUT_OF_SCOPE", "FSHP")},
    ),
    ("in-scope synonyms are covered", listing("奉上好品 红肉脐橙 新鲜橙子", L002, **INSIDE), (), set()),
    ("goods in licence scope", listing("奉节好味 腊肉 香肠 组合", L003), (), set()),
    ("licence goods narrower than mark", listing("奉上好品 土蜂蜜", L003), (), {("OUT_OF_SCOPE", "FSHP")}),
    (
        "mark goods bound a licence with no goods column",
        listing("奉上好品 三峡游船票", L009_FUTURE, captured_at="2027-02-01T09:00:00+08:00"),
        (),
        {("OUT_OF_SCOPE", "FSHP")},
    ),
    ("no goods words: cannot prove scope", listing("奉上好品 礼盒", L002), (), set()),
    (
        "suspended authorises nothing",
        listing("奉上好品 脐橙", L004_SUSPENDED, **INSIDE),
        (),
        {("MARK_UNAUTHORISED", "FSHP")},
    ),
    ("suspended similar", listing("奉尚好品 脐橙", L004_SUSPENDED, **INSIDE), (), {("MARK_SIMILAR", "FSHP")}),
    ("suspended GI inside is clean", listing("奉节脐橙 10斤", L004_SUSPENDED, **INSIDE), (), set()),
    (
        "suspended with auth claim",
        listing("奉上好品 官方授权", L004_SUSPENDED),
        (),
        {("MARK_UNAUTHORISED", "FSHP"), ("FALSE_AUTH_CLAIM", "FSHP")},
    ),
    (
        "not yet valid authorises nothing",
        listing("奉节好景 三峡游船票", L009_FUTURE),
        (),
        {("MARK_UNAUTHORISED", "FJHJ")},
    ),
    (
        "not yet valid then valid",
        listing("奉节好景 三峡游船票", L009_FUTURE, captured_at="2027-02-01T09:00:00+08:00"),
        (),
        set(),
    ),
    (
        "revoked after disposal deadline",
        listing("奉上好品 脐橙", L005_REVOKED),
        (),
        {("LICENCE_LAPSED", "FSHP")},
    ),
    ("lapsed replaces similar", listing("奉尚好品 脐橙", L005_REVOKED), (), {("LICENCE_LAPSED", "FSHP")}),
    (
        "revoked before exit was authorised",
        listing("奉上好品 脐橙", L005_REVOKED, captured_at="2026-03-01T10:00:00+08:00"),
        (),
        set(),
    ),
    (
        "revoked within disposal period",
        listing("奉上好品 脐橙", L005_REVOKED, captured_at="2026-05-20T10:00:00+08:00"),
        (),
        set(),
    ),
    (
        "disposal deadline inclusive",
        listing("奉上好品 脐橙", L005_REVOKED, captured_at="2026-06-30T23:59:00+08:00"),
        (),
        set(),
    ),
    (
        "day after deadline in pack time zone",
        listing("奉上好品 脐橙", L005_REVOKED, captured_at="2026-06-30T16:30:00+00:00"),
        (),
        {("LICENCE_LAPSED", "FSHP")},
    ),
    (
        "deadline day in pack time zone from UTC",
        listing("奉上好品 脐橙", L005_REVOKED, captured_at="2026-06-30T15:30:00+00:00"),
        (),
        set(),
    ),
    ("disposal period has no scope check", listing("奉上好品 三峡游船票", L006_WITHDRAWN), (), set()),
    ("withdrawn within disposal is clean", listing("奉上好品 脐橙 官方授权", L006_WITHDRAWN), (), set()),
    (
        "eliminated after deadline",
        listing("奉节好味 腊肉", L007_ELIMINATED),
        (),
        {("LICENCE_LAPSED", "FJHW")},
    ),
    (
        "eliminated lapsed plus false claim",
        listing("奉节好味 腊肉 官方授权", L007_ELIMINATED),
        (),
        {("LICENCE_LAPSED", "FJHW"), ("FALSE_AUTH_CLAIM", "FJHW")},
    ),
    (
        "expired valid_to is lapsed",
        listing("奉上好品 脐橙", L008_EXPIRED, **INSIDE),
        (),
        {("LICENCE_LAPSED", "FSHP")},
    ),
    (
        "expired GI use is lapsed too",
        listing("奉节脐橙", L008_EXPIRED, **INSIDE),
        (),
        {("LICENCE_LAPSED", "FJQC")},
    ),
    (
        "former licensee using a mark it never held",
        listing("奉节好景 门票", L005_REVOKED),
        (),
        {("MARK_UNAUTHORISED", "FJHJ")},
    ),
    # -- logos (§4.6) ----------------------------------------------------------------------
    (
        "logo by stranger",
        listing("新鲜脐橙", STRANGER, **OUTSIDE),
        (logo_image(),),
        {("LOGO_UNAUTHORISED", "LOGO_MAIN")},
    ),
    ("logo by licensee holding it", listing("新鲜脐橙", L001, **INSIDE), (logo_image(),), set()),
    (
        "logo by licensee without it",
        listing("腊肉", L003),
        (logo_image(),),
        {("LOGO_UNAUTHORISED", "LOGO_MAIN")},
    ),
    (
        "logo by revoked after deadline",
        listing("脐橙", L005_REVOKED),
        (logo_image(),),
        {("LICENCE_LAPSED", "LOGO_MAIN")},
    ),
    (
        "text inside logo box is the logo's",
        listing("脐橙", STRANGER),
        (logo_image(text_boxes=[TextBox("奉上好品", (50, 150, 100, 30), 0.9)]),),
        {("LOGO_UNAUTHORISED", "LOGO_MAIN")},
    ),
    (
        "text outside logo box is reported",
        listing("脐橙", STRANGER),
        (logo_image(text_boxes=[TextBox("奉上好品", (400, 400, 100, 30), 0.9)]),),
        {("LOGO_UNAUTHORISED", "LOGO_MAIN"), ("MARK_UNAUTHORISED", "FSHP")},
    ),
    (
        "image text mark",
        listing("新鲜水果", STRANGER),
        (text_image("奉上好品 正宗"),),
        {("MARK_UNAUTHORISED", "FSHP")},
    ),
    (
        "image text GI from outside",
        listing("新鲜水果", STRANGER, **OUTSIDE),
        (text_image("奉节脐橙"),),
        {("GI_FALSE_ORIGIN", "FJQC")},
    ),
    (
        "image text claim is next to brand in image",
        listing("奉节脐橙", STRANGER_FENGJIE, **INSIDE),
        (),
        set(),
    ),
    (
        "logo makes claims count",
        listing("脐橙 官方授权", STRANGER, **OUTSIDE),
        (logo_image(),),
        {("LOGO_UNAUTHORISED", "LOGO_MAIN"), ("FALSE_AUTH_CLAIM", "LOGO_MAIN")},
    ),
    (
        "claim read from an image counts",
        listing("奉节脐橙 10斤", STRANGER_FENGJIE, **INSIDE),
        (text_image("扫码溯源 品质保证"),),
        {("FALSE_TRACE_CLAIM", "FJQC")},
    ),
    (
        "claim inside the logo box belongs to the logo",
        listing("新鲜脐橙", L001, **INSIDE),
        (logo_image(text_boxes=[TextBox("官方授权", (50, 150, 100, 30), 0.9)]),),
        set(),
    ),
    (
        "failed image is ignored",
        listing("脐橙", STRANGER),
        (ImageAnalysis(index=0, source="x.jpg", error="not_an_image"),),
        set(),
    ),
]


@pytest.fixture(scope="module")
def judge():
    return Judge(load_pack(PACK_DIR))


@pytest.mark.parametrize("case_id, item, images, expected", CASES, ids=[case[0] for case in CASES])
def test_verdict(judge, case_id, item, images, expected):
    finding = judge.judge(item, images=images)
    got = {(v.code, v.mark) for v in finding.violations}
    assert got == expected, "\n".join(v.reason for v in finding.violations)


@pytest.mark.parametrize("case_id, item, images, expected", CASES, ids=[case[0] for case in CASES])
def test_finding_follows_schema_and_explains(judge, contract_schemas, case_id, item, images, expected):
    finding = judge.judge(item, images=images)
    jsonschema.validate(finding.to_record(), contract_schemas["finding"])
    for violation in finding.violations:
        assert violation.reason.endswith("。") and violation.legal_basis
        if violation.evidence.matched:
            assert violation.evidence.matched.strip() in violation.reason
        if violation.evidence.span is not None and violation.evidence.field == "title":
            start, end = violation.evidence.span
            assert item.title[start:end] == violation.evidence.matched
    assert (finding.risk > 0) == bool(finding.violations) or finding.risk < 0.3


def test_reason_names_seller_rule_and_match(judge):
    finding = judge.judge(listing("奉尚好品 脐橙", STRANGER, **INSIDE))
    (violation,) = finding.violations
    assert violation.reason.startswith("卖家“果园直发店”非“奉上好品”授权使用人")
    assert "“奉尚好品”（谐音）" in violation.reason
    assert "第五十七条" in violation.legal_basis


def test_licensee_id_reported(judge):
    assert judge.judge(listing("奉上好品 脐橙", L001)).licensee_id == "FJ-L001"
    assert judge.judge(listing("奉上好品 脐橙", L005_REVOKED)).licensee_id == "FJ-L005"
    assert judge.judge(listing("奉上好品 脐橙", STRANGER)).licensee_id is None


def test_one_violation_per_code_and_mark_keeps_best_evidence(judge):
    item = listing("正宗 奉尚好品 脐橙", STRANGER, description="奉上好品", **INSIDE)
    finding = judge.judge(item)
    codes = [(v.code, v.mark) for v in finding.violations]
    assert len(codes) == len(set(codes))
    exact = next(v for v in finding.violations if v.code == "MARK_UNAUTHORISED")
    assert exact.evidence.field == "description"


def test_image_claim_evidence_has_bbox(judge):
    finding = judge.judge(
        listing("奉节脐橙", STRANGER_FENGJIE, **INSIDE), images=(text_image("一码溯源", index=1),)
    )
    (violation,) = finding.violations
    assert violation.evidence.field == "image:1" and violation.evidence.bbox == (300, 20, 200, 30)
    assert violation.evidence.span is None and "第2张商品图片" in violation.reason


def test_image_evidence_has_field_and_bbox(judge):
    finding = judge.judge(listing("脐橙", STRANGER), images=(logo_image(index=2, bbox=(1, 2, 30, 40)),))
    (violation,) = finding.violations
    assert violation.evidence.field == "image:2" and violation.evidence.bbox == (1, 2, 30, 40)
    assert "第3张商品图片" in violation.reason


@pytest.mark.parametrize(
    "title, price, unit, raised",
    [
        ("奉节脐橙 10斤装", 9.9, None, True),  # 0.99 a 斤 against a floor of 3.0
        ("奉节脐橙 10斤装", 69.9, None, False),
        ("奉节脐橙 5kg", 12.0, None, True),  # 5 kg = 10 斤
        ("奉节脐橙 5kg", 60.0, None, False),
        ("奉节脐橙", 1.5, "斤", True),
        ("奉节脐橙", 2.0, "500g", True),
        ("奉节脐橙 2.5kg*2", 20.0, None, True),
        ("奉节脐橙 礼盒", 9.9, None, False),  # no quantity: the price cannot be compared
    ],
)
def test_low_price_raises_risk(judge, title, price, unit, raised):
    fields = {"price": price, **OUTSIDE}
    if unit:
        fields["unit"] = unit
    base = judge.judge(listing(title, STRANGER, **OUTSIDE))
    priced = judge.judge(listing(title, STRANGER, **fields))
    assert base.violations and {v.code for v in priced.violations} == {v.code for v in base.violations}
    assert (priced.risk > base.risk) is raised


def test_fresh_out_of_season_raises_risk(judge):
    in_season = judge.judge(listing("奉节脐橙 当季现摘", STRANGER, **OUTSIDE))
    off_season = judge.judge(
        listing("奉节脐橙 当季现摘", STRANGER, captured_at="2026-08-10T10:00:00+08:00", **OUTSIDE)
    )
    assert [v.code for v in off_season.violations] == [v.code for v in in_season.violations]
    assert off_season.risk > in_season.risk


def test_clean_listing_has_zero_risk(judge):
    finding = judge.judge(listing("赣南脐橙 10斤", STRANGER, price=1.0, **OUTSIDE))
    assert finding.violations == () and finding.risk == 0.0


def test_pack_legal_basis_is_used_and_fallback_exists(tmp_path, judge):
    finding = judge.judge(listing("奉上好品", STRANGER))
    assert finding.violations[0].legal_basis == judge.pack.legal_basis["MARK_UNAUTHORISED"]
    from dataclasses import replace

    bare = Judge(replace(judge.pack, legal_basis={}))
    assert "商标法" in bare.judge(listing("奉上好品", STRANGER)).violations[0].legal_basis


# -- a different pack: nothing is tied to 奉上好品 ----------------------------------------------

OTHER_CASES = [
    ("other word mark", listing("巫山好物 腊肉", STRANGER), {("MARK_UNAUTHORISED", "WSHW")}),
    ("other GI outside", listing("巫山脆李 5斤", STRANGER, **OUTSIDE), {("GI_FALSE_ORIGIN", "WSCL")}),
    ("other GI inside", listing("巫山脆李 5斤", STRANGER, ship_from="重庆 巫山 曲尺乡"), set()),
    ("other GI town form", listing("巫山脆李", STRANGER, ship_from="巫山县曲尺乡"), set()),
    ("fengjie marks mean nothing here", listing("奉上好品 奉节脐橙", STRANGER, **OUTSIDE), set()),
    (
        "other licensee clean",
        listing("巫山好物 脆李", dict(platform="demo-jd", seller={"id": "ws_1", "name": "x"})),
        set(),
    ),
    (
        "other claim phrase",
        listing("巫山脆李 正品保障认证", STRANGER, ship_from="重庆 巫山"),
        {("FALSE_AUTH_CLAIM", "WSCL")},
    ),
]


@pytest.mark.parametrize("case_id, item, expected", OTHER_CASES, ids=[case[0] for case in OTHER_CASES])
def test_other_brand_pack(case_id, item, expected):
    judge = Judge(load_pack(OTHER_PACK_DIR))
    got = {(v.code, v.mark) for v in judge.judge(item).violations}
    assert got == expected


# -- robustness: hostile text never breaks the verdict ---------------------------------------------


_FRAGMENTS = st.sampled_from(
    [
        "奉上好品",
        "奉节脐橙",
        "奉 节",
        "官方授权",
        "一码溯源",
        "原产地直发",
        "重庆 奉节",
        "江西",
        "5斤",
        "\u200b",
        "🍊",
        "",
    ]
)
_TEXT = st.lists(st.one_of(st.text(max_size=12), _FRAGMENTS), max_size=6).map("".join)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=_TEXT, description=_TEXT, name=_TEXT, location=_TEXT, ship=_TEXT, attribute=_TEXT)
def test_any_text_gives_a_valid_finding(
    judge, contract_schemas, title, description, name, location, ship, attribute
):
    item = listing(
        title,
        description=description,
        seller={"id": name[:5] or "x", "name": name, "location": location},
        ship_from=ship,
        attributes={"产地": attribute, "品牌": attribute},
        price=9.9,
    )
    finding = judge.judge(item, images=(logo_image(text_boxes=[TextBox(title, (0, 0, 5, 5), 0.5)]),))
    jsonschema.validate(finding.to_record(), contract_schemas["finding"])
    assert len({(v.code, v.mark) for v in finding.violations}) == len(finding.violations)


# -- a seller holding several licence rows -------------------------------------------------------------


@pytest.fixture(scope="module")
def shared_shop_judge(tmp_path_factory):
    import shutil

    pack_dir = tmp_path_factory.mktemp("pack") / "fengjie"
    shutil.copytree(PACK_DIR, pack_dir)
    with (pack_dir / "licensees.csv").open("a", encoding="utf-8") as register:
        # The revoked FJ-L005's shop also holds a current licence for the GI alone.
        register.write(
            "FJ-L011,重庆市奉节县假想农业开发有限公司二部（虚构）,91500236MA5UC1B4C8,active,FJQC,,2026-04-01,,,,"
            "demo-xianyu:xy_fj_old_stock\n"
        )
    return Judge(load_pack(pack_dir))


@pytest.mark.parametrize(
    "title, expected, licensee_id",
    [
        ("奉节脐橙 10斤", set(), "FJ-L011"),
        ("奉上好品 脐橙", {("LICENCE_LAPSED", "FSHP")}, "FJ-L005"),
        ("奉上好品 奉节脐橙 官方授权", {("LICENCE_LAPSED", "FSHP")}, "FJ-L011"),
    ],
)
def test_best_standing_over_several_licence_rows(shared_shop_judge, title, expected, licensee_id):
    finding = shared_shop_judge.judge(listing(title, L005_REVOKED, **INSIDE))
    assert {(v.code, v.mark) for v in finding.violations} == expected
    assert finding.licensee_id == licensee_id


@pytest.mark.parametrize(
    "unit, title, listing_unit, quantity",
    [
        ("斤", "奉节脐橙 10斤装", None, 10.0),
        ("斤", "奉节脐橙 5kg", None, 10.0),
        ("kg", "奉节脐橙 5斤", None, 2.5),
        ("斤", "奉节脐橙 500g", None, 1.0),
        ("斤", "奉节脐橙 2.5kg*2", None, 10.0),
        ("斤", "奉节脐橙", "斤", 1.0),
        ("斤", "奉节脐橙 礼盒", "箱", None),
        ("箱", "奉节脐橙 3箱", None, 3.0),
        ("箱", "奉节脐橙", "箱", 1.0),
        ("箱", "奉节脐橙 10斤", None, None),
    ],
)
def test_quantity_in_reference_units(unit, title, listing_unit, quantity):
    from matchers.verdict import _quantity_in

    assert _quantity_in(unit, listing_unit, title) == quantity
