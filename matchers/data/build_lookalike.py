"""Rebuild matchers/data/lookalike.tsv, the 形近字 (look-alike character) table.

Source: the data files bundled with the `char-similar` package (PyPI
char-similar 0.0.2, MIT, https://github.com/yongzhuo/char-similar): per
character its four-corner code (四角号码), radical (部首), stroke count,
component decomposition (拆字), structure class (造字结构) and stroke order
(笔顺), plus a corpus frequency used here only to choose which characters the
table covers.  The files are read directly as JSON (importing the package
would pull in its multiprocessing helpers).

Similarity of two characters is the best of three readings of the data:
* char-similar's shape score (`cal_sim_by_shape`) without its frequency term,
  which measures how common a character is rather than how it looks;
* the same layout with one component swapped for a similar one (好/妤: 女+子
  vs 女+予): half the shape score, half the similarity of the two swapped
  components (four-corner code, stroke order); when the shared component is
  the second one (right or bottom, usually the phonetic: 脐/济/挤 share 齐) and
  at least as big as the swapped ones, half the shape score plus one half;
* the same layout and nearly the same strokes in nearly the same order (上/土,
  己/已: stroke-order sequences one edit apart): half the shape score, half the
  stroke-order similarity; this catches small characters whose four-corner
  codes differ although they look alike.
Candidates are blocked (four-corner code equal in 3 of 4 positions, one
component swapped, stroke order one deletion apart) so the build takes seconds;
each covered character keeps its best neighbours above THRESHOLD, at most
NEIGHBOURS of them.

Run:  .venv/bin/python matchers/data/build_lookalike.py
"""

from __future__ import annotations

import importlib.util
import json
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

COVERED = 8000  # the most frequent characters get an entry (GB2312 level 1+2 is 6763)
POOL = 10000  # neighbours are drawn from this many most frequent characters
THRESHOLD = 0.7
NEIGHBOURS = 30
FEW = 3
FALLBACK_THRESHOLD = 0.6
WEIGHTS = {"fourangle": 7, "radical": 2, "strokes": 6, "parts": 4, "structure": 8, "order": 3}
OUTPUT = Path(__file__).with_name("lookalike.tsv")


def load_source() -> dict[str, dict]:
    spec = importlib.util.find_spec("char_similar")
    if spec is None or spec.origin is None:
        sys.exit("char-similar is not installed: .venv/bin/pip install char-similar")
    data = Path(spec.origin).parent / "data"
    names = ("component", "fourangle", "frequency", "number", "order", "stroke", "struct")
    return {name: json.loads((data / f"char_{name}.dict").read_text(encoding="utf-8")) for name in names}


def gb2312_characters() -> list[str]:
    characters = []
    for high in range(0xB0, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                characters.append(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return characters


def is_han(ch: str) -> bool:
    return len(ch) == 1 and unicodedata.name(ch, "").startswith("CJK UNIFIED")


def similarity(a: str, b: str, src: dict[str, dict]) -> float:
    fa, fb = src["fourangle"].get(a, ""), src["fourangle"].get(b, "")
    fourangle = sum(x == y for x, y in zip(fa[:4], fb[:4], strict=False)) / 4 if fa and fb else 0.0
    ra = src["component"].get(a)
    radical = 1.0 if ra and ra == src["component"].get(b) else 0.0
    na, nb = src["number"].get(a, 0), src["number"].get(b, 0)
    strokes = 1 - abs(na - nb) / max(na, nb) if na and nb else 0.0
    pa, pb = set(src["stroke"].get(a, ())), set(src["stroke"].get(b, ()))
    parts = len(pa & pb) / len(pa | pb) if pa and pb else 0.0
    sa = src["struct"].get(a)
    structure = 1.0 if sa and sa == src["struct"].get(b) else 0.0
    oa, ob = set(src["order"].get(a, "")), set(src["order"].get(b, ""))
    order = len(oa & ob) / len(oa | ob) if oa and ob else 0.0
    score = (
        WEIGHTS["fourangle"] * fourangle
        + WEIGHTS["radical"] * radical
        + WEIGHTS["strokes"] * strokes
        + WEIGHTS["parts"] * parts
        + WEIGHTS["structure"] * structure
        + WEIGHTS["order"] * order
    )
    return score / sum(WEIGHTS.values())


def order_distance(a: str, b: str) -> int:
    """Optimal-string-alignment distance (edits with adjacent transpositions)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(b)]


def component_similarity(a: str, b: str, src: dict[str, dict]) -> float:
    fa, fb = src["fourangle"].get(a, ""), src["fourangle"].get(b, "")
    fourangle = sum(x == y for x, y in zip(fa[:4], fb[:4], strict=False)) / 4 if fa and fb else 0.0
    oa, ob = src["order"].get(a, ""), src["order"].get(b, "")
    order = 1 - order_distance(oa, ob) / max(len(oa), len(ob)) if oa and ob else 0.0
    return max(fourangle, order)


def _dominates(shared: str, differing: tuple[str, str], src: dict[str, dict]) -> bool:
    strokes = src["number"].get(shared, 0)
    return all(strokes >= src["number"].get(part, 0) for part in differing)


def combined_similarity(a: str, b: str, src: dict[str, dict]) -> float:
    shape = similarity(a, b, src)
    best = shape
    pa, pb = list(src["stroke"].get(a, ())), list(src["stroke"].get(b, ()))
    if len(pa) == len(pb) >= 2 and src["struct"].get(a) == src["struct"].get(b):
        differing = [(x, y) for x, y in zip(pa, pb, strict=False) if x != y]
        if len(differing) == 1:
            best = max(best, 0.5 * shape + 0.5 * component_similarity(*differing[0], src))
            if len(pa) == 2 and pa[1] == pb[1] and _dominates(pa[1], differing[0], src):
                # Same second part (right or bottom, where the phonetic usually sits),
                # at least as big as the parts that differ (脐/济/挤 share 齐): the
                # classic 形近字 of dictionaries.
                best = max(best, 0.5 * shape + 0.5)
    oa, ob = src["order"].get(a, ""), src["order"].get(b, "")
    if oa and ob and abs(len(oa) - len(ob)) <= 1 and src["struct"].get(a) == src["struct"].get(b):
        order = 1 - order_distance(oa, ob) / max(len(oa), len(ob))
        best = max(best, 0.5 * shape + 0.5 * order)
    return best


def blocking_keys(ch: str, src: dict[str, dict]) -> list[tuple]:
    keys: list[tuple] = []
    code = src["fourangle"].get(ch, "")[:4]
    if len(code) == 4:
        keys.extend(("fc", i, code[:i] + code[i + 1 :]) for i in range(4))
    parts = tuple(src["stroke"].get(ch, ()))
    if len(parts) >= 2:
        keys.extend(("dc", len(parts), i, parts[:i] + parts[i + 1 :]) for i in range(len(parts)))
    order = src["order"].get(ch, "")
    if order:
        keys.append(("so", order))
        keys.extend(("so", order[:i] + order[i + 1 :]) for i in range(len(order)))
    return keys


def build() -> list[str]:
    src = load_source()
    ranked = sorted(
        (ch for ch in src["frequency"] if is_han(ch) and ch in src["fourangle"]),
        key=lambda ch: (-src["frequency"][ch], ch),
    )
    # GB2312 (levels 1 and 2, the characters every Chinese system has) is always
    # covered, whatever the corpus frequency says.
    standard = [ch for ch in gb2312_characters() if ch in src["fourangle"]]
    covered = list(dict.fromkeys(ranked[:COVERED] + standard))
    pool = list(dict.fromkeys(ranked[:POOL] + standard))
    buckets: dict[tuple, list[str]] = defaultdict(list)
    for ch in pool:
        for key in blocking_keys(ch, src):
            buckets[key].append(ch)
    lines = [
        "# 形近字 table: char<TAB>neighbour:similarity ...  (built by matchers/data/build_lookalike.py",
        "# from the char-similar 0.0.2 data files; see matchers/data/README.md)",
    ]
    for ch in covered:
        candidates = {other for key in blocking_keys(ch, src) for other in buckets.get(key, ())}
        candidates.discard(ch)
        scored = sorted(
            ((round(combined_similarity(ch, other, src), 3), other) for other in candidates),
            key=lambda item: (-item[0], item[1]),
        )
        kept = [f"{other}:{score}" for score, other in scored if score >= THRESHOLD][:NEIGHBOURS]
        if len(kept) < FEW:
            # Blocking found little (unusual shapes such as 一, 鬼, 门): compare with the
            # whole pool and keep the few best above a lower bar.
            scored = sorted(
                ((round(combined_similarity(ch, other, src), 3), other) for other in pool if other != ch),
                key=lambda item: (-item[0], item[1]),
            )
            kept = [f"{other}:{score}" for score, other in scored if score >= FALLBACK_THRESHOLD][:FEW]
        if kept:
            lines.append(f"{ch}\t{' '.join(kept)}")
    return lines


def main() -> None:
    lines = build()
    OUTPUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines) - 2} characters to {OUTPUT}")


if __name__ == "__main__":
    main()
