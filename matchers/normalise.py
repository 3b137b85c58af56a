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
from dataclasses import dataclass

import zhconv

_KEPT_CATEGORIES = frozenset("LN")


@dataclass(frozen=True, slots=True)
class Normalised:
    """A folded text and, per folded character, the index of its source character."""

    text: str
    origin: tuple[int, ...]

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
    folds = _FOLDS
    out: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text):
        fold = folds.get(ch) or fold_char(ch)
        piece = fold.text
        if not piece:
            continue
        out.append(piece)
        if len(piece) == 1:
            origin.append(index)
        else:
            origin.extend([index] * len(piece))
    return Normalised("".join(out), tuple(origin))


def normalise_text(text: str) -> str:
    """Just the folded text of `normalise`."""
    folds = _FOLDS
    return "".join((folds.get(ch) or fold_char(ch)).text for ch in text)


def light_fold(text: str) -> str:
    """The only differences CONTRACT §4.1 forgives for an exact mark: letter case,
    fullwidth/halfwidth form and surrounding whitespace."""
    return unicodedata.normalize("NFKC", text).casefold().strip()
