"""Search keywords: registered forms first, disguises after, bounded and stable."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from matchers.keywords import search_keywords
from matchers.normalise import light_fold
from matchers.pack import Mark
from matchers.text import MarkMatcher

FENGJIE = SimpleNamespace(
    marks=(
        Mark("FSHP", "word", "奉上好品", aliases=("Fengshang Haopin",)),
        Mark("FJHP", "word", "奉节好品"),
        Mark("FJHW", "word", "奉节好味"),
        Mark("FJHJ", "word", "奉节好景"),
        Mark("FJQC", "gi", "奉节脐橙"),
        Mark("LOGO_MAIN", "logo", file="logos/x.png"),
    )
)
OTHER = SimpleNamespace(marks=(Mark("GNQC", "gi", "赣南脐橙"), Mark("SYXZ", "word", "山野仙踪", aliases=("SYXZ",))))


@pytest.mark.parametrize("pack", [FENGJIE, OTHER], ids=["fengjie", "invented"])
def test_registered_forms_come_first(pack: SimpleNamespace) -> None:
    registered = [t for m in pack.marks if m.kind != "logo" for t in (m.text, *m.aliases)]
    keywords = search_keywords(pack)
    assert keywords[: len(registered)] == registered


@pytest.mark.parametrize("pack", [FENGJIE, OTHER], ids=["fengjie", "invented"])
def test_bounded_unique_and_stable(pack: SimpleNamespace) -> None:
    keywords = search_keywords(pack)
    assert 0 < len(keywords) <= 40
    folded = [light_fold(k).replace(" ", "") for k in keywords]
    assert len(folded) == len(set(folded))
    assert search_keywords(pack) == keywords
    assert len(search_keywords(pack, limit=5)) == 5


def test_traditional_and_pinyin_forms_are_searched() -> None:
    keywords = search_keywords(FENGJIE)
    assert "奉節臍橙" in keywords
    assert "fengjieqicheng" in keywords
    assert "贛南臍橙" in search_keywords(OTHER)


@pytest.mark.parametrize("pack", [FENGJIE, OTHER], ids=["fengjie", "invented"])
def test_every_keyword_is_found_by_the_matcher(pack: SimpleNamespace) -> None:
    # A keyword the matcher would not flag is a wasted crawl.
    matcher = MarkMatcher(pack.marks)
    for keyword in search_keywords(pack):
        assert matcher.find(keyword, field="title"), keyword


def test_disguised_variants_are_included() -> None:
    matcher = MarkMatcher(FENGJIE.marks)
    rules = {hit.rule for k in search_keywords(FENGJIE) for hit in matcher.find(k, field="title")}
    assert {"exact", "alias", "traditional", "pinyin", "homophone", "lookalike"} <= rules


def test_logo_only_pack_has_no_keywords() -> None:
    assert search_keywords(SimpleNamespace(marks=(Mark("L", "logo", file="x.png"),))) == []
