"""Mark matching: every rule family, attribution, bounds, and hard negatives.

Two packs: the fengjie shape (奉上好品 and siblings, GI 奉节脐橙) and an invented
one (GI 赣南脐橙, unrelated word marks of 2, 3 and 4 characters) so nothing
passes because of something wired to 奉上好品.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matchers.pack import Mark
from matchers.text import RULES, MarkHit, MarkMatcher, find_phrases, lookalikes, pinyin_spellings

FENGJIE_MARKS = (
    Mark("FSHP", "word", "奉上好品", aliases=("Fengshang Haopin", "FSHP")),
    Mark("FJHP", "word", "奉节好品"),
    Mark("FJHW", "word", "奉节好味"),
    Mark("FJHJ", "word", "奉节好景"),
    Mark("FJQC", "gi", "奉节脐橙", origin=("奉节", "奉节县", "重庆奉节")),
    Mark("LOGO_MAIN", "logo", file="logos/fshp-logo.png", of="FSHP"),
)
FENGJIE_EXCEPTIONS = ("奉上好品质", "奉上好评", "奉上好品种", "奉节好景色")

OTHER_MARKS = (
    Mark("GNQC", "gi", "赣南脐橙", origin=("赣州", "赣南")),
    Mark("SYXZ", "word", "山野仙踪", aliases=("SYXZ",)),
    Mark("CXS", "word", "橙仙生"),
    Mark("GX", "word", "赣鲜"),
)


@pytest.fixture(scope="module")
def fengjie() -> MarkMatcher:
    return MarkMatcher(FENGJIE_MARKS, exceptions=FENGJIE_EXCEPTIONS)


@pytest.fixture(scope="module")
def other() -> MarkMatcher:
    return MarkMatcher(OTHER_MARKS, exceptions=("山野仙踪迹",))


# (text, mark id, rule, exact, matched, reason)
FENGJIE_HITS = [
    # exact and registered aliases
    ("奉上好品", "FSHP", "exact", True, "奉上好品", "the registered text as such"),
    ("奉上好品 奉节脐橙 5斤", "FSHP", "exact", True, "奉上好品", "mark at the start of a title"),
    ("正宗奉上好品脐橙", "FSHP", "exact", True, "奉上好品", "mark inside a title"),
    ("  奉上好品  ", "FSHP", "exact", True, "奉上好品", "surrounding whitespace is not an alteration"),
    ("奉节好品 腊肉", "FJHP", "exact", True, "奉节好品", "sibling mark 奉节好品 attributed to itself"),
    ("奉节好味腊肠", "FJHW", "exact", True, "奉节好味", "sibling mark 奉节好味"),
    ("奉节好景 门票", "FJHJ", "exact", True, "奉节好景", "sibling mark 奉节好景"),
    ("Fengshang Haopin", "FSHP", "alias", True, "Fengshang Haopin", "registered alias as written"),
    ("fengshang haopin 脐橙", "FSHP", "alias", True, "fengshang haopin", "alias in lower case"),
    ("FENGSHANG HAOPIN", "FSHP", "alias", True, "FENGSHANG HAOPIN", "alias in upper case"),
    ("Ｆｅｎｇｓｈａｎｇ Ｈａｏｐｉｎ", "FSHP", "alias", True, "Ｆｅｎｇｓｈａｎｇ Ｈａｏｐｉｎ", "alias in fullwidth"),
    (" Fengshang Haopin ", "FSHP", "alias", True, "Fengshang Haopin", "alias with surrounding spaces"),
    ("FSHP 正品", "FSHP", "alias", True, "FSHP", "short Latin alias with a boundary"),
    ("ＦＳＨＰ正品", "FSHP", "alias", True, "ＦＳＨＰ", "fullwidth short alias, Han neighbour is a boundary"),
    ("fshp", "FSHP", "alias", True, "fshp", "short alias in lower case"),
    ("奉节脐橙 新鲜", "FJQC", "exact", True, "奉节脐橙", "GI name as such, reported as gi"),
    ("重庆奉节脐橙10斤", "FJQC", "exact", True, "奉节脐橙", "GI name after a province name"),
    # traditional forms
    ("奉節臍橙", "FJQC", "traditional", False, "奉節臍橙", "GI in traditional characters"),
    ("奉節好品", "FJHP", "traditional", False, "奉節好品", "word mark with one traditional character"),
    ("奉節好味", "FJHW", "traditional", False, "奉節好味", "traditional 節 does not hide 奉节好味"),
    # split and padded
    ("奉 上 好 品", "FSHP", "split", False, "奉 上 好 品", "spaces between characters"),
    ("奉-上-好-品", "FSHP", "split", False, "奉-上-好-品", "hyphens between characters"),
    ("奉❤上好品", "FSHP", "split", False, "奉❤上好品", "emoji padding"),
    ("奉\u200b上好品", "FSHP", "split", False, "奉\u200b上好品", "zero-width space"),
    ("奉\u200d上\u200c好\u2060品", "FSHP", "split", False, "奉\u200d上\u200c好\u2060品", "mixed zero-width chars"),
    ("奉\u3000上\u3000好\u3000品", "FSHP", "split", False, "奉\u3000上\u3000好\u3000品", "ideographic spaces"),
    ("奉·上·好·品", "FSHP", "split", False, "奉·上·好·品", "middle dots"),
    ("奉.上.好.品", "FSHP", "split", False, "奉.上.好.品", "full stops"),
    ("奉/上/好/品", "FSHP", "split", False, "奉/上/好/品", "slashes"),
    ("奉，上，好，品", "FSHP", "split", False, "奉，上，好，品", "commas between every character"),
    ("【奉】【上】【好】【品】", "FSHP", "split", False, "奉】【上】【好】【品", "brackets around each character"),
    ("奉\ufe0f上好品", "FSHP", "split", False, "奉\ufe0f上好品", "variation selector"),
    ("奉★节★脐★橙", "FJQC", "split", False, "奉★节★脐★橙", "GI padded with stars"),
    ("奉 節 臍 橙", "FJQC", "traditional", False, "奉 節 臍 橙", "traditional and split: traditional named first"),
    ("奉节县脐橙 10斤", "FJQC", "split", False, "奉节县脐橙", "GI with its place name written in full (origin 奉节县)"),
    ("重庆市奉节县脐橙", "FJQC", "split", False, "奉节县脐橙", "the full place name inside a longer one"),
    ("奉节县脐澄", "FJQC", "homophone", False, "奉节县脐澄", "full place name and a homophone"),
    ("奉上好品\u200b", "FSHP", "exact", True, "奉上好品", "trailing zero-width char is outside the span"),
    # homophones
    ("奉尚好品", "FSHP", "homophone", False, "奉尚好品", "尚 reads shang like 上"),
    ("凤上好品", "FSHP", "homophone", False, "凤上好品", "凤 reads feng like 奉"),
    ("丰上好品脐橙", "FSHP", "homophone", False, "丰上好品", "丰 reads feng"),
    ("奉上号品", "FSHP", "homophone", False, "奉上号品", "号 reads hao"),
    ("奉上好聘", "FSHP", "homophone", False, "奉上好聘", "聘 reads pin"),
    ("风尚好品", "FSHP", "homophone", False, "风尚好品", "two homophones out of four is allowed"),
    ("奉节好位", "FJHW", "homophone", False, "奉节好位", "位 reads wei like 味"),
    ("奉杰好景", "FJHJ", "homophone", False, "奉杰好景", "杰 reads jie like 节"),
    ("奉节好静 民宿", "FJHJ", "homophone", False, "奉节好静", "静 reads jing like 景"),
    ("奉节脐澄", "FJQC", "homophone", False, "奉节脐澄", "澄 reads cheng like 橙"),
    ("奉洁脐橙", "FJQC", "homophone", False, "奉洁脐橙", "GI homophone is reported as gi"),
    ("奉上好贫", "FSHP", "homophone", False, "奉上好贫", "贫 reads pin"),
    ("奉尙好品", "FSHP", "homophone", False, "奉尙好品", "variant 尙 folds to 尚, a homophone"),
    # look-alikes
    ("奉土好品", "FSHP", "lookalike", False, "奉土好品", "土 looks like 上"),
    ("奉上妤品", "FSHP", "lookalike", False, "奉上妤品", "妤 looks like 好"),
    ("秦上好品", "FSHP", "lookalike", False, "秦上好品", "秦 looks like 奉"),
    ("泰上好品", "FSHP", "lookalike", False, "泰上好品", "泰 looks like 奉"),
    ("奉上好晶", "FSHP", "lookalike", False, "奉上好晶", "晶 looks like 品"),
    ("奉止好品", "FSHP", "lookalike", False, "奉止好品", "止 looks like 上"),
    ("奉节奻品", "FJHP", "lookalike", False, "奉节奻品", "look-alike in a sibling mark"),
    ("奉节脐澄", "FJQC", "homophone", False, "奉节脐澄", "澄 is both; homophone is the stronger reading"),
    # mixed alterations, still bounded
    ("奉尚妤品", "FSHP", "homophone", False, "奉尚妤品", "one homophone plus one look-alike"),
    ("凤 上 妤 品", "FSHP", "homophone", False, "凤 上 妤 品", "homophone, look-alike and padding together"),
    ("鳳上好品", "FSHP", "homophone", False, "鳳上好品", "traditional 鳳 folds to 凤, a homophone"),
    ("奉尚好品\u200b脐橙", "FSHP", "homophone", False, "奉尚好品", "homophone next to a zero-width char"),
    # pinyin
    ("FengShangHaoPin", "FSHP", "pinyin", False, "FengShangHaoPin", "camel-case pinyin is not the alias"),
    ("feng shang hao pin", "FSHP", "pinyin", False, "feng shang hao pin", "syllables spaced"),
    ("FENG-SHANG-HAO-PIN", "FSHP", "pinyin", False, "FENG-SHANG-HAO-PIN", "upper case with hyphens"),
    ("Fengshang  Haopin", "FSHP", "pinyin", False, "Fengshang  Haopin", "alias with different inner spacing"),
    ("FengshangHaopin", "FSHP", "pinyin", False, "FengshangHaopin", "alias with the space removed"),
    ("Fèng Shàng Hǎo Pǐn", "FSHP", "pinyin", False, "Fèng Shàng Hǎo Pǐn", "pinyin with tone marks"),
    ("fengjiehaopin 腊肉", "FJHP", "pinyin", False, "fengjiehaopin", "pinyin of a sibling mark"),
    ("fengjie qicheng", "FJQC", "pinyin", False, "fengjie qicheng", "pinyin of the GI"),
    ("买fengshanghaopin脐橙", "FSHP", "pinyin", False, "fengshanghaopin", "Han neighbours are word boundaries"),
    ("F.S.H.P", "FSHP", "split", False, "F.S.H.P", "dotted short alias is split, not exact"),
]


@pytest.mark.parametrize(
    ("text", "mark_id", "rule", "exact", "matched", "reason"),
    FENGJIE_HITS,
    ids=[case[5] for case in FENGJIE_HITS],
)
def test_fengjie_hits(
    fengjie: MarkMatcher, text: str, mark_id: str, rule: str, exact: bool, matched: str, reason: str
) -> None:
    hits = fengjie.find(text, field="title")
    assert hits, reason
    hit = hits[0]
    assert (hit.mark_id, hit.rule, hit.exact, hit.matched) == (mark_id, rule, exact, matched), reason
    assert text[hit.span[0] : hit.span[1]] == hit.matched
    assert hit.field == "title"
    assert hit.kind == ("gi" if mark_id == "FJQC" else "word")
    assert (hit.score == 1.0) == exact
    assert 0.0 < hit.score <= 1.0
    assert hit.explanation.startswith("“")


# (text, reason) — none of these may produce any hit
FENGJIE_NEGATIVES = [
    ("上好品种 脐橙", "上好品种 has only part of the mark"),
    ("奉上好评如潮", "奉上好评 is an exception and 评 is unrelated to 品"),
    ("最上好品质", "最 is neither a homophone nor a look-alike of 奉"),
    ("奉上好礼 送朋友", "礼 is unrelated to 品"),
    ("奉上好品质的脐橙", "the pack lists 奉上好品质 as ordinary language"),
    ("为您奉上好品种", "exception 奉上好品种"),
    ("奉节县", "a place name alone is no mark"),
    ("奉节", "place name, two characters"),
    ("重庆奉节", "place name with its province"),
    ("产地：重庆奉节", "origin statement"),
    ("发货地 重庆市奉节县", "ship-from statement"),
    ("奉节好景色 一日游", "exception 奉节好景色"),
    ("奉节好精品", "精品 is a word: 精 is not standing in for 景"),
    ("奉节好吃的橙子", "吃 is unrelated to 品/味/景"),
    ("春节好品推荐", "春节 is a word: 春 only looks like 奉 by coincidence"),
    ("产自奉节。好品推荐", "padding never spans a sentence break"),
    ("奉节\n好味 腊肉", "nor a line break"),
    ("feng shang\nhao pin", "nor for pinyin"),
    ("产地：奉节，好品推荐", "a clause break at one gap separates two phrases"),
    ("送礼就选奉节！好味道", "an exclamation mark ends a sentence"),
    ("奉节好美", "味 is read wei in the mark; its rare reading mei does not make 美 a homophone"),
    ("奉节好应季", "景 is read jing in the mark, not ying"),
    ("奉节脐灯", "橙 is read cheng in the mark, not deng"),
    ("奉节好物推荐", "物 is unrelated"),
    ("奉节好山好水", "山 is unrelated"),
    ("上好的品质", "scattered characters with a word between"),
    ("好品 好味 好景", "fragments of several marks"),
    ("奉上", "two characters of a four-character mark"),
    ("好品推荐", "the back half of a mark"),
    ("赣南脐橙 10斤", "another region's GI is not this pack's GI"),
    ("脐橙 新鲜 现摘", "goods words only"),
    ("FSHPX", "short alias glued to a letter"),
    ("XFSHP", "short alias glued to a letter on the left"),
    ("FSHP2024", "short alias glued to digits"),
    ("www.fshp.com", "a URL is not a use of the alias"),
    ("http://shop.example/fshp", "a URL path is not a use of the alias"),
    ("mail fshp@example.com", "an e-mail address is not a use of the alias"),
    ("fengshanghaopinx", "pinyin glued to a letter"),
    ("fengshang", "half the pinyin"),
    ("feng jie", "pinyin of the place name only"),
    ("", "empty text"),
    ("   \u200b ", "padding only"),
    ("奉上好品质量保证", "exception 奉上好品质 covers the mark"),
    ("特级脐橙 奉献好品质", "献 is unrelated to 上"),
    ("精选上好品种 果园直发", "上好品种 with an unrelated preceding character"),
]


@pytest.mark.parametrize(("text", "reason"), FENGJIE_NEGATIVES, ids=[c[1] for c in FENGJIE_NEGATIVES])
def test_fengjie_negatives(fengjie: MarkMatcher, text: str, reason: str) -> None:
    assert fengjie.find(text, field="title") == [], reason


def test_exact_mark_without_exception_is_reported(fengjie: MarkMatcher) -> None:
    # The pack decides what is ordinary language: 奉节好品质 is not in this pack's exceptions.
    hits = fengjie.find("奉节好品质", field="title")
    assert [(h.mark_id, h.exact) for h in hits] == [("FJHP", True)]


OTHER_HITS = [
    ("赣南脐橙 5斤", "GNQC", "exact", True, "赣南脐橙", "another pack's GI"),
    ("贛南臍橙", "GNQC", "traditional", False, "贛南臍橙", "its traditional form"),
    ("赣 南 脐 橙", "GNQC", "split", False, "赣 南 脐 橙", "split"),
    ("甘南脐橙", "GNQC", "homophone", False, "甘南脐橙", "甘 reads gan like 赣"),
    ("赣南脐澄", "GNQC", "homophone", False, "赣南脐澄", "澄 reads cheng"),
    ("gannan qicheng", "GNQC", "pinyin", False, "gannan qicheng", "pinyin of another GI"),
    ("山野仙踪 茶", "SYXZ", "exact", True, "山野仙踪", "unrelated word mark"),
    ("山野先踪", "SYXZ", "homophone", False, "山野先踪", "先 reads xian"),
    ("SYXZ 茶叶", "SYXZ", "alias", True, "SYXZ", "its Latin alias"),
    ("shanye xianzong", "SYXZ", "pinyin", False, "shanye xianzong", "its pinyin"),
    ("橙仙生 果汁", "CXS", "exact", True, "橙仙生", "three-character mark"),
    ("橙仙笙", "CXS", "homophone", False, "橙仙笙", "three characters allow one substitution"),
    ("赣鲜 直发", "GX", "exact", True, "赣鲜", "two-character mark"),
    ("赣 鲜", "GX", "split", False, "赣 鲜", "two-character mark split"),
]


@pytest.mark.parametrize(
    ("text", "mark_id", "rule", "exact", "matched", "reason"), OTHER_HITS, ids=[c[5] for c in OTHER_HITS]
)
def test_other_pack_hits(
    other: MarkMatcher, text: str, mark_id: str, rule: str, exact: bool, matched: str, reason: str
) -> None:
    hits = other.find(text, field="description")
    assert hits, reason
    assert (hits[0].mark_id, hits[0].rule, hits[0].exact, hits[0].matched) == (mark_id, rule, exact, matched)
    assert hits[0].kind == ("gi" if mark_id == "GNQC" else "word")


OTHER_NEGATIVES = [
    ("奉上好品", "the fengjie mark means nothing to this pack"),
    ("奉节脐橙", "nor does the fengjie GI"),
    ("甘鲜", "two-character marks allow no substitution"),
    ("橙先笙", "three-character marks allow only one substitution"),
    ("山野仙踪迹", "the pack's exception"),
    ("赣州脐橙", "a different place with the same goods"),
    ("赣南县脐橙", "赣南县 is not one of this GI's origin names"),
    ("产地：赣南，脐橙新鲜", "a clause break between place and goods is no GI name"),
    ("程仙", "two of three characters"),
]


@pytest.mark.parametrize(("text", "reason"), OTHER_NEGATIVES, ids=[c[1] for c in OTHER_NEGATIVES])
def test_other_pack_negatives(other: MarkMatcher, text: str, reason: str) -> None:
    assert other.find(text, field="title") == [], reason


def test_several_marks_in_one_text_in_order(fengjie: MarkMatcher) -> None:
    hits = fengjie.find("奉上好品 奉节脐橙 奉尚好品 奉节好味", field="title")
    assert [(h.mark_id, h.rule) for h in hits] == [
        ("FSHP", "exact"),
        ("FJQC", "exact"),
        ("FSHP", "homophone"),
        ("FJHW", "exact"),
    ]
    assert all(a.span[1] <= b.span[0] for a, b in zip(hits, hits[1:], strict=False))


def test_exact_beats_substituted_reading_of_the_same_span(fengjie: MarkMatcher) -> None:
    # 奉节好品 is FJHP exactly; it is also one look-alike/homophone away from nothing else,
    # and must never be reported as a variant of 奉上好品.
    hits = fengjie.find("奉节好品", field="title")
    assert [(h.mark_id, h.exact) for h in hits] == [("FJHP", True)]


def test_fewer_substitutions_win_between_marks() -> None:
    marks = (Mark("A", "word", "好品好味"), Mark("B", "word", "好品好位"))
    hits = MarkMatcher(marks).find("好品好位", field="title")
    assert [(h.mark_id, h.exact) for h in hits] == [("B", True)]


def test_mark_registered_in_traditional_characters() -> None:
    matcher = MarkMatcher((Mark("TW", "word", "臺灣好茶"),))
    assert [(h.rule, h.exact) for h in matcher.find("臺灣好茶", field="title")] == [("exact", True)]
    assert [(h.rule, h.exact) for h in matcher.find("台湾好茶", field="title")] == [("traditional", False)]


def test_mark_registered_with_punctuation() -> None:
    matcher = MarkMatcher((Mark("DOT", "word", "山野·仙踪"),))
    assert [(h.rule, h.exact) for h in matcher.find("山野·仙踪 茶", field="title")] == [("exact", True)]
    assert [(h.rule, h.exact) for h in matcher.find("山野仙踪 茶", field="title")] == [("split", False)]
    assert [(h.rule, h.exact) for h in matcher.find("山野-仙踪 茶", field="title")] == [("split", False)]


def test_compatibility_forms_are_variants() -> None:
    hits = MarkMatcher((Mark("SH", "word", "上好佳品"),)).find("㊤好佳品", field="title")
    assert [(h.rule, h.exact) for h in hits] == [("lookalike", False)]


def test_place_form_explains_the_place_name(fengjie: MarkMatcher) -> None:
    (hit,) = fengjie.find("奉节县脐橙", field="title")
    assert hit.kind == "gi"
    assert "地理标志“奉节脐橙”" in hit.explanation
    assert "地名写作“奉节县”" in hit.explanation


def test_logos_and_textless_marks_are_ignored() -> None:
    matcher = MarkMatcher((Mark("LOGO", "logo", file="x.png"), Mark("EMPTY", "word", None)))
    assert matcher.find("LOGO x.png", field="title") == []


def test_hit_carries_substitution_details(fengjie: MarkMatcher) -> None:
    (hit,) = fengjie.find("奉尚妤品", field="title")
    assert hit.substitutions == 2
    assert "谐音字“尚”代“上”" in hit.explanation
    assert "形近字“妤”代“好”" in hit.explanation
    assert "注册商标“奉上好品”" in hit.explanation


def test_gi_explanation_names_a_geographical_indication(fengjie: MarkMatcher) -> None:
    (hit,) = fengjie.find("奉節臍橙", field="title")
    assert "地理标志“奉节脐橙”" in hit.explanation
    assert "繁体" in hit.explanation


def test_alteration_lowers_the_score(fengjie: MarkMatcher) -> None:
    def score(text: str) -> float:
        return fengjie.find(text, field="title")[0].score

    assert score("奉上好品") > score("奉 上 好 品") > score("奉 尚 好 品")
    assert score("奉尚好品") > score("奉尚妤品")


def test_exception_drops_only_hits_inside_it(fengjie: MarkMatcher) -> None:
    hits = fengjie.find("奉上好品质 奉上好品", field="title")
    assert [(h.span, h.exact) for h in hits] == [((6, 10), True)]


def test_exception_overlapping_the_end_of_a_hit_rules_it_out() -> None:
    matcher = MarkMatcher(FENGJIE_MARKS, exceptions=("上好品种",))
    assert matcher.find("为您奉上好品种", field="title") == []
    assert [h.mark_id for h in matcher.find("奉上好品 上好品种", field="title")] == ["FSHP"]


def test_exception_inside_a_hit_does_not_rule_it_out() -> None:
    matcher = MarkMatcher(FENGJIE_MARKS, exceptions=("奉节",))
    assert [h.mark_id for h in matcher.find("奉节好品", field="title")] == ["FJHP"]


def test_exception_tolerates_disguise(fengjie: MarkMatcher) -> None:
    assert fengjie.find("奉 上 好 評", field="title") == []


def test_find_phrases_is_tolerant_and_maps_spans() -> None:
    text = "官方 授權店，扫码-溯源"
    hits = find_phrases(text, ["授权店", "扫码溯源", "一码溯源"], field="description")
    assert [(h.phrase, h.matched) for h in hits] == [("授权店", "授權店"), ("扫码溯源", "扫码-溯源")]
    assert all(text[h.span[0] : h.span[1]] == h.matched for h in hits)


def test_find_phrases_latin_needs_boundaries() -> None:
    assert find_phrases("ISO9001认证", ["iso"], field="title") == []
    assert [h.matched for h in find_phrases("ISO 认证", ["iso"], field="title")] == ["ISO"]


def test_find_phrases_repeated_occurrences() -> None:
    hits = find_phrases("授权 授权", ["授权"], field="title")
    assert [h.span for h in hits] == [(0, 2), (3, 5)]


def test_lookalike_table_is_symmetric_for_rare_characters() -> None:
    assert "好" in dict(lookalikes("妤"))
    assert "妤" in dict(lookalikes("好"))
    assert "土" in dict(lookalikes("上"))


def test_lookalike_table_covers_common_characters() -> None:
    level_one = []
    for high in range(0xB0, 0xD8):
        for low in range(0xA1, 0xFF):
            try:
                level_one.append(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    assert len(level_one) > 3700
    missing = [ch for ch in level_one[::15] if not lookalikes(ch)]
    assert missing == []


def test_pinyin_spellings_follow_the_marks_reading_and_u_forms() -> None:
    assert pinyin_spellings("奉上好品") == ["fengshanghaopin"]
    assert pinyin_spellings("奉节好景") == ["fengjiehaojing"]
    assert {"lvcha", "lucha"} <= set(pinyin_spellings("绿茶"))


def test_text_characters_count_with_every_reading() -> None:
    # 长 reads chang or zhang: as zhang it stands in for 掌 of a mark.
    hits = MarkMatcher((Mark("ZG", "word", "掌上明珠"),)).find("长上明珠", field="title")
    assert [(h.mark_id, h.rule) for h in hits] == [("ZG", "homophone")]


def test_hit_is_frozen() -> None:
    hit = MarkMatcher(FENGJIE_MARKS).find("奉上好品", field="title")[0]
    assert isinstance(hit, MarkHit)
    with pytest.raises(AttributeError):
        hit.score = 0.5  # type: ignore[misc]


_MATCHER = MarkMatcher(FENGJIE_MARKS, exceptions=FENGJIE_EXCEPTIONS)


@given(
    st.lists(
        st.one_of(
            st.sampled_from(["奉上好品", "奉", "上", "好", "品", "節", "臍橙", "尚", "妤", "FSHP", "feng", "shang", " ", "\u200b", "❤"]),
            st.text(max_size=4),
        ),
        max_size=12,
    ).map("".join)
)
@settings(max_examples=300, deadline=None)
def test_find_never_raises_and_hits_are_consistent(text: str) -> None:
    hits = _MATCHER.find(text, field="title")
    for hit in hits:
        assert 0 <= hit.span[0] < hit.span[1] <= len(text)
        assert text[hit.span[0] : hit.span[1]] == hit.matched
        assert hit.rule in RULES
        assert 0.0 < hit.score <= 1.0
    assert all(a.span[1] <= b.span[0] for a, b in zip(hits, hits[1:], strict=False))
