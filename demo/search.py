"""The marketplace's keyword search: fuzzy in the way real platforms are.

Real platforms normalise width, case and script and match on reading, so a
seller's variant spelling (奉尚好品, 奉·上·好·品, Feng Shang Hao Pin) is returned
for the registered text. The demo does the same so that spiders are tested
against what they will meet, and documents it in docs/demo-marketplace.md.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import zhconv
from pypinyin import Style, lazy_pinyin

# Letters, digits and CJK ideographs carry meaning; everything else (spaces,
# punctuation, symbols, emoji, zero-width characters) is a separator.
_KEEP_CATEGORIES = ("L", "N")


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """NFKC, case-folded, simplified Chinese, with every separator removed."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    simplified = zhconv.convert(folded, "zh-cn")
    return "".join(char for char in simplified if unicodedata.category(char)[0] in _KEEP_CATEGORIES)


@lru_cache(maxsize=65536)
def reading(text: str) -> str:
    """Toneless pinyin (letters only) of the normalised text; Latin letters pass through."""
    syllables = lazy_pinyin(normalise(text), style=Style.NORMAL, errors=lambda chars: list(chars))
    return re.sub(r"[^a-z]", "", "".join(syllables).lower())


def matches(keyword: str, *texts: str) -> bool:
    """Whether a search for `keyword` returns a listing whose searchable texts are `texts`."""
    wanted = normalise(keyword)
    if not wanted:
        return False
    if any(wanted in normalise(text) for text in texts if text):
        return True
    wanted_reading = reading(keyword)
    # A reading of one or two letters matches almost anything: require a real word.
    if len(wanted_reading) < 4:
        return False
    return any(wanted_reading in reading(text) for text in texts[:1] if text)
