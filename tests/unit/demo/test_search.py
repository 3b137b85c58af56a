"""The marketplace search: fuzzy like a real platform, so sellers' variant spellings are found."""

import pytest

from demo.search import matches, normalise

NORMALISED = [
    ("奉·上 好\u200b品", "奉上好品", "separators and zero-width characters are dropped"),
    ("ＦＥＮＧＳＨＡＮＧ Haopin", "fengshanghaopin", "fullwidth and case folded"),
    ("奉節臍橙", "奉节脐橙", "traditional characters simplified"),
    ("奉上🍊好品", "奉上好品", "emoji padding dropped"),
]


@pytest.mark.parametrize(("text", "expected", "reason"), NORMALISED)
def test_normalise(text, expected, reason):
    assert normalise(text) == expected, reason


FOUND = [
    ("奉上好品", "奉上好品 腊肉 500g", "the registered text"),
    ("奉上好品", "奉 上 好 品 脐橙", "split characters"),
    ("奉上好品", "奉尚好品 香肠", "a homophone shares the reading"),
    ("奉上好品", "Feng Shang Hao Pin 蜂蜜", "pinyin of the keyword"),
    ("奉节脐橙", "奉節臍橙 10斤装", "traditional form"),
    ("Fengshang Haopin", "FENGSHANG HAOPIN 大米", "a Latin alias, case-insensitive"),
    ("奉上好品", "为您奉上好评 赣南脐橙", "a near reading is returned too: hard negatives reach the scanner"),
]
NOT_FOUND = [
    ("奉上好品", "赣南脐橙 10斤装", "unrelated goods"),
    ("奉上好品", "上好品种 脐橙苗", "a fragment of the text is not a match"),
    ("奉节脐橙", "秭归脐橙 现摘", "another place's oranges"),
    ("", "奉上好品", "an empty keyword finds nothing"),
]


@pytest.mark.parametrize(("keyword", "title", "reason"), FOUND)
def test_variant_spellings_are_found(keyword, title, reason):
    assert matches(keyword, title), reason


@pytest.mark.parametrize(("keyword", "title", "reason"), NOT_FOUND)
def test_unrelated_titles_are_not_found(keyword, title, reason):
    assert not matches(keyword, title), reason


def test_shop_names_are_searched_by_text_not_reading():
    assert matches("奉上好品", "腊肉 500g", "奉上好品官方旗舰店")
    assert not matches("奉上好品", "腊肉 500g", "奉尚好品旗舰店")
