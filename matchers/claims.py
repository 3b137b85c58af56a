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
        self._phrases = {kind: tuple(getattr(claims, kind)) for kind in CLAIM_KINDS}

    def find(self, text: str | None, *, field: str) -> list[ClaimHit]:
        if not text:
            return []
        hits: list[ClaimHit] = []
        for kind, phrases in self._phrases.items():
            if not phrases:
                continue
            found = find_phrases(text, phrases, field=field)
            found.sort(key=lambda hit: (hit.span[0] - hit.span[1], hit.span[0]))
            kept: list[ClaimHit] = []
            for hit in found:
                if _negated(text, hit.span[0]):
                    continue
                if any(other.span[0] <= hit.span[0] and hit.span[1] <= other.span[1] for other in kept):
                    continue
                kept.append(ClaimHit(kind, hit.phrase, field, hit.span, hit.matched))
            hits.extend(kept)
        hits.sort(key=lambda hit: hit.span)
        return hits


def _negated(text: str, start: int) -> bool:
    before = text[max(0, start - 6) : start].rstrip(_PADDING)
    return before.endswith(NEGATIONS)
