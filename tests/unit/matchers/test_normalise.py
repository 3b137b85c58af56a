"""Normalisation: what folds away, what survives, and the span map back to the original."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matchers.normalise import fold_char, light_fold, normalise, normalise_text

FOLDS = [
    ("奉上好品", "奉上好品", "plain simplified Han is untouched"),
    ("ＦＳＨＰ", "fshp", "fullwidth Latin becomes halfwidth lower case"),
    ("Fengshang Haopin", "fengshanghaopin", "case folded, inner space removed"),
    ("奉節臍橙", "奉节脐橙", "traditional characters simplified"),
    ("奉 上 好 品", "奉上好品", "ASCII spaces removed"),
    ("奉\u3000上好品", "奉上好品", "ideographic space removed"),
    ("奉-上_好.品", "奉上好品", "ASCII punctuation removed"),
    ("奉，上、好。品", "奉上好品", "Chinese punctuation removed"),
    ("奉❤上好品", "奉上好品", "symbol/emoji removed"),
    ("奉😀上好品", "奉上好品", "astral emoji removed"),
    ("奉\u200b上\u200d好\ufeff品", "奉上好品", "zero-width and BOM (format chars) removed"),
    ("奉\ufe0f上好品", "奉上好品", "variation selector removed"),
    ("奉\U000e0100上好品", "奉上好品", "ideographic variation selector removed"),
    ("fèng shàng", "fengshang", "pinyin tone marks dropped"),
    ("lü", "lu", "umlaut dropped"),
    ("①２3", "123", "circled and fullwidth digits become digits"),
    ("ﬁne", "fine", "ligature decomposed"),
    ("Straße", "strasse", "German sharp s case-folds"),
    ("《奉上好品》【正品】", "奉上好品正品", "book-title and lenticular brackets removed"),
    ("", "", "empty stays empty"),
    ("\n\t  ", "", "whitespace only folds to nothing"),
    ("裡外", "里外", "variant form simplified"),
]


@pytest.mark.parametrize(("raw", "folded", "reason"), FOLDS, ids=[case[2] for case in FOLDS])
def test_folds(raw: str, folded: str, reason: str) -> None:
    assert normalise_text(raw) == folded, reason
    assert normalise(raw).text == folded, reason


def test_span_maps_back_to_original_characters() -> None:
    raw = "买 奉-上 好品 啦"
    norm = normalise(raw)
    start = norm.text.index("奉上好品")
    span = norm.span(start, start + 4)
    assert raw[span[0] : span[1]] == "奉-上 好品"


def test_expansion_maps_every_output_char_to_its_source() -> None:
    raw = "aﬁb"
    norm = normalise(raw)
    assert norm.text == "afib"
    assert list(norm.origin) == [0, 1, 1, 2]
    assert norm.span(1, 3) == (1, 2)


def test_traditional_flag_only_on_converted_characters() -> None:
    assert fold_char("節").traditional
    assert not fold_char("节").traditional
    assert not fold_char("A").traditional


@pytest.mark.parametrize(
    ("raw", "light"),
    [(" ＦＳＨＰ ", "fshp"), ("Fengshang Haopin", "fengshang haopin"), ("奉上好品\u3000", "奉上好品")],
)
def test_light_fold_only_forgives_case_width_and_outer_space(raw: str, light: str) -> None:
    assert light_fold(raw) == light


@pytest.mark.parametrize("raw", ["㊤", "ﬁ", "①", "奉節", "a\u200bb"])
def test_light_fold_keeps_other_compatibility_forms(raw: str) -> None:
    assert light_fold(raw) == raw.casefold()


@given(st.text())
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise_text(text)
    assert normalise_text(once) == once


@given(st.text(alphabet=st.characters(codec=None)))
def test_normalise_never_raises_and_map_is_valid(text: str) -> None:
    norm = normalise(text)
    assert len(norm.origin) == len(norm.text)
    assert list(norm.origin) == sorted(norm.origin)
    assert all(0 <= index < len(text) for index in norm.origin)
    for start in range(len(norm.text)):
        begin, end = norm.span(start, start + 1)
        assert norm.text[start] in normalise_text(text[begin:end])


@given(st.text(alphabet=st.characters(codec=None)))
def test_fast_fold_agrees_with_mapped_fold(text: str) -> None:
    assert normalise(text).text == normalise_text(text)


@given(st.text(), st.text())
def test_normalise_is_compositional(left: str, right: str) -> None:
    assert normalise_text(left + right) == normalise_text(left) + normalise_text(right)


@given(st.text(alphabet=st.sampled_from("奉上好品節臍 -·\u200b❤ＡaＢb")))
def test_output_only_letters_and_digits(text: str) -> None:
    assert all(ch.isalnum() for ch in normalise_text(text))
