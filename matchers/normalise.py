"""Text normalisation for mark matching, with a map back to the original text.

Sellers disguise marks with fullwidth letters, capitals, traditional characters
and padding (spaces, punctuation, emoji, zero-width characters, variation
selectors).  `normalise` folds all of that away so one comparison covers every
disguise, and keeps, for every output character, the index of the original
character it came from, so a hit is reported as a span of the text the seller
actually wrote.

The fold works character by character (compatibility decomposition, case fold,
diacritics dropped, traditional -> simplified, everything that is not a letter or
a digit removed).  Being per character it is cheap to cache and it is
idempotent by construction: every character it emits folds to itself (checked
for every code point when the table entry is first built).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import compress

import zhconv

_KEPT_CATEGORIES = frozenset("LN")


@dataclass(frozen=True, slots=True)
class Normalised:
    """A folded text and, per folded character, the index of its source character."""

    text: str
    origin: Sequence[int]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map the folded slice [start, end) (non-empty) to a span of the original text."""
        return self.origin[start], self.origin[end - 1] + 1


@dataclass(frozen=True, slots=True)
class CharFold:
    """How one original character folds: `text` ('' when removed) and whether a
    traditional form was simplified on the way (reported as the 'traditional' rule)."""

    text: str
    traditional: bool


def _is_han(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith("CJK ")


def _fold_once(ch: str) -> tuple[str, bool]:
    out: list[str] = []
    traditional = False
    for part in unicodedata.normalize("NFKD", ch):
        for piece in unicodedata.normalize("NFKD", part.casefold()):
            if unicodedata.category(piece)[0] not in _KEPT_CATEGORIES:
                continue
            if _is_han(piece):
                simplified = zhconv.convert(piece, "zh-hans")
                # zhconv may rewrite a character into a phrase; only a one-for-one
                # swap keeps spans honest.
                if len(simplified) == 1 and simplified != piece:
                    piece, traditional = simplified, True
            out.append(piece)
    return "".join(out), traditional


_FOLDS: dict[str, CharFold] = {}


def fold_char(ch: str) -> CharFold:
    """Fold one character (cached).  Iterates to a fixed point so folding a folded
    character never changes it again: that is what makes `normalise` idempotent."""
    cached = _FOLDS.get(ch)
    if cached is not None:
        return cached
    text, traditional = _fold_once(ch)
    for _ in range(4):
        again = [_fold_once(piece) for piece in text]
        refolded = "".join(piece for piece, _ in again)
        traditional = traditional or any(flag for _, flag in again)
        if refolded == text:
            break
        text = refolded
    else:
        # No fixed point (never seen in Unicode 15, guarded anyway): drop the
        # character rather than break idempotence.
        text = ""
    fold = CharFold(text, traditional)
    _FOLDS[ch] = fold
    return fold


def normalise(text: str) -> Normalised:
    """Fold `text` for matching; see the module docstring.  Never raises on a str."""
    folded = text.translate(_TABLE)
    if len(folded) == len(text) and _EXPANDING.isdisjoint(text):
        return Normalised(folded, range(len(text)))
    kept = list(map(_KEEPS.__getitem__, text))
    if _EXPANDING.isdisjoint(text):
        # Characters were only removed: the survivors' indices are the map.
        return Normalised(folded, list(compress(range(len(text)), kept)))
    origin: list[int] = []
    for index, ch in enumerate(text):
        origin.extend([index] * len(fold_char(ch).text))
    return Normalised(folded, origin)


class _KeepTable(dict[str, bool]):
    """char -> whether it survives folding; records the characters that fold to
    more than one character (ligatures, ㈱) in `_EXPANDING`."""

    def __missing__(self, ch: str) -> bool:
        folded = fold_char(ch).text
        if len(folded) > 1:
            _EXPANDING.add(ch)
        self[ch] = bool(folded)
        return bool(folded)


_EXPANDING: set[str] = set()
_KEEPS = _KeepTable()


class _TranslationTable(dict[int, str | None]):
    """`str.translate` table filled on demand from `fold_char` (None deletes)."""

    def __missing__(self, code: int) -> str | None:
        folded = fold_char(chr(code)).text
        if len(folded) > 1:
            _EXPANDING.add(chr(code))
        self[code] = folded or None
        return folded or None


_TABLE = _TranslationTable()


def normalise_text(text: str) -> str:
    """The folded text of `normalise` without the span map, at C speed."""
    return text.translate(_TABLE)


def light_fold(text: str) -> str:
    """The only differences CONTRACT §4.1 forgives for an exact mark: letter case,
    fullwidth/halfwidth form and surrounding whitespace (and nothing else NFKC
    would fold: ㊤ is not 上, ﬁ is not fi)."""
    return text.translate(_WIDTH).casefold().strip()


# Fullwidth ASCII and the ideographic space to their halfwidth forms; halfwidth
# katakana, hangul and symbols (U+FF61-U+FFEE) to their normal-width forms.
_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_WIDTH |= {
    code: unicodedata.normalize("NFKC", chr(code))
    for code in range(0xFF61, 0xFFEF)
    if unicodedata.normalize("NFKC", chr(code)) != chr(code)
}
