"""Claim phrases (授权, 溯源, 产地) in listing text.

A claim only matters "next to the brand" (CONTRACT §4.3): the verdict decides
that, this module only finds the phrases. Where phrases of one kind overlap
(国家地理标志 contains 地理标志) the longer one is kept, so a reason quotes what
the seller actually wrote.
"""

from __future__ import annotations

from dataclasses import dataclass

from matchers.pack import CLAIM_KINDS, Claims
from matchers.text import find_phrases

CLAIM_NOUNS = {"authorisation": "授权", "traceability": "溯源", "origin": "产地"}
# A phrase right after one of these is a disclaimer (非官方授权, 未授权), not a claim.
NEGATIONS = ("非", "无", "未", "未经", "没有", "不是", "并非", "暂无", "不", "禁止", "严禁")
_PADDING = " \t\u3000·•*-_|/、，,"


@dataclass(frozen=True, slots=True)
class ClaimHit:
    kind: str  # "authorisation" | "traceability" | "origin"
    phrase: str  # the pack's phrase
    field: str
    span: tuple[int, int]
    matched: str  # as written in the listing


class ClaimFinder:
    """Finds the pack's claim phrases of every kind in a text."""

    def __init__(self, claims: Claims):
        self._kind_of: dict[str, str] = {}
        for kind in CLAIM_KINDS:
            for phrase in getattr(claims, kind):
                self._kind_of.setdefault(phrase, kind)
        self._phrases = tuple(self._kind_of)

    def find(self, text: str | None, *, field: str) -> list[ClaimHit]:
        if not text or not self._phrases:
            return []
        # One pass over the text for every phrase (normalising is the expensive part), then
        # per kind keep the longest of overlapping phrases.
        found = find_phrases(text, self._phrases, field=field)
        found.sort(key=lambda hit: (hit.span[0] - hit.span[1], hit.span[0]))
        kept: list[ClaimHit] = []
        for hit in found:
            if _negated(text, hit.span[0]):
                continue
            kind = self._kind_of[hit.phrase]
            if any(
                other.kind == kind and other.span[0] <= hit.span[0] and hit.span[1] <= other.span[1]
                for other in kept
            ):
                continue
            kept.append(ClaimHit(kind, hit.phrase, field, hit.span, hit.matched))
        kept.sort(key=lambda hit: hit.span)
        return kept


def _negated(text: str, start: int) -> bool:
    before = text[max(0, start - 6) : start].rstrip(_PADDING)
    return before.endswith(NEGATIONS)
