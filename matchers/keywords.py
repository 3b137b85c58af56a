"""What the spiders type into a platform's search box for a brand pack.

Search engines of the platforms forgive little: a listing titled 奉節臍橙 or
凤上好品 may never come back for 奉上好品.  So besides every registered text,
alias and GI name, the list carries the disguises sellers actually use:
traditional forms, pinyin, and a few homophone and look-alike variants of each
mark (common characters only: a seller wants buyers to read the mark into it).
Registered forms always come first; the list is de-duplicated (after folding),
stable for a given pack and bounded, because every keyword costs a crawl.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from typing import Protocol

import zhconv

from matchers.normalise import light_fold, normalise_text
from matchers.pack import Mark
from matchers.text import lookalikes, pinyin_spellings, readings, two_char_words

DEFAULT_LIMIT = 40


class _HasMarks(Protocol):
    @property
    def marks(self) -> Sequence[Mark]: ...


@cache
def _common_characters() -> tuple[str, ...]:
    """GB2312 level 1: the 3755 characters any reader recognises at a glance."""
    characters = []
    for high in range(0xB0, 0xD8):
        for low in range(0xA1, 0xFF):
            try:
                characters.append(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return tuple(characters)


@cache
def _familiarity() -> dict[str, int]:
    """How many common two-character words each character appears in: a cheap
    proxy for how readily a buyer reads it (and so how likely a seller picks it)."""
    counts: dict[str, int] = {}
    for word in two_char_words():
        for ch in word:
            counts[ch] = counts.get(ch, 0) + 1
    return counts


@cache
def _primary_readings() -> dict[str, str]:
    return {ch: readings(ch)[0] for ch in _common_characters() if readings(ch)}


@cache
def common_homophones(ch: str) -> tuple[str, ...]:
    """Common characters whose everyday reading is the everyday reading of `ch`."""
    reading = readings(ch)[0] if readings(ch) else None
    if reading is None:
        return ()
    familiarity = _familiarity()
    same = [other for other, own in _primary_readings().items() if own == reading and other != ch]
    return tuple(sorted(same, key=lambda other: (-familiarity.get(other, 0), other)))


def common_lookalikes(ch: str) -> tuple[str, ...]:
    common = set(_common_characters())
    return tuple(other for other, _ in lookalikes(ch) if other in common)


def _substituted(text: str, alternatives: Iterable[Sequence[str]]) -> list[str]:
    """One-character variants, most familiar substitute first; ties keep the
    alternatives' own order (best first) and then the position order."""
    familiarity = _familiarity()
    ranked: list[tuple[int, int, int, str]] = []
    for position, options in enumerate(alternatives):
        for rank, option in enumerate(options):
            variant = text[:position] + option + text[position + 1 :]
            ranked.append((rank, -familiarity.get(option, 0), position, variant))
    return [variant for *_, variant in sorted(ranked)]


def search_keywords(pack: _HasMarks, *, limit: int = DEFAULT_LIMIT) -> list[str]:
    """Keywords for the word and GI marks of `pack` (anything with `.marks`), most
    important first, at most `limit` of them."""
    marks = [mark for mark in pack.marks if mark.kind in ("word", "gi") and mark.text]
    tiers: list[list[str]] = [[], [], [], []]
    for mark in marks:
        text = mark.text or ""
        tiers[0].append(text)
        tiers[0].extend(mark.aliases)
        traditional = zhconv.convert(text, "zh-hant")
        if traditional != text:
            tiers[1].append(traditional)
        spellings = pinyin_spellings(normalise_text(text))
        if spellings:
            tiers[1].append(spellings[0])
    # Disguises are interleaved across marks so a long pack still gets some for each.
    per_mark = []
    for mark in marks:
        text = normalise_text(mark.text or "")
        homophones = _substituted(text, (common_homophones(ch)[:3] for ch in text))
        look_alikes = _substituted(text, (common_lookalikes(ch)[:3] for ch in text))
        per_mark.append((homophones, look_alikes))
    for depth in range(3):
        for homophones, look_alikes in per_mark:
            tiers[2].extend(homophones[depth : depth + 1])
            tiers[3].extend(look_alikes[depth : depth + 1])
    keywords: list[str] = []
    seen: set[str] = set()
    for keyword in (k for tier in tiers for k in tier):
        # Traditional and simplified forms are different searches; case, width and
        # spacing are not.
        folded = light_fold(keyword).replace(" ", "")
        if not folded or folded in seen:
            continue
        seen.add(folded)
        keywords.append(keyword)
        if len(keywords) >= limit:
            break
    return keywords
