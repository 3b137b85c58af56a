"""Rebuild matchers/data/lookalike.tsv, the 形近字 (look-alike character) table.

Source: the data files bundled with the `char-similar` package (PyPI
char-similar 0.0.2, MIT, https://github.com/yongzhuo/char-similar): per
character its four-corner code (四角号码), radical (部首), stroke count,
component decomposition (拆字), structure class (造字结构) and stroke order
(笔顺), plus a corpus frequency used here only to choose which characters the
table covers.  The files are read directly as JSON (importing the package
would pull in its multiprocessing helpers).

Similarity is char-similar's shape score (`cal_sim_by_shape`) without its
frequency term, which measures how common a character is rather than how it
looks.  Candidates are blocked (same four-corner code in at least 3 of 4
positions, or the same decomposition with one component swapped) so the build
takes seconds; each covered character keeps its best neighbours above
THRESHOLD, at most NEIGHBOURS of them.

Run:  .venv/bin/python matchers/data/build_lookalike.py
"""

from __future__ import annotations

import importlib.util
import json
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

COVERED = 6500  # the most frequent characters get an entry (GB2312 level 1+2 is 6763)
POOL = 9000  # neighbours are drawn from this many most frequent characters
THRESHOLD = 0.68
NEIGHBOURS = 10
WEIGHTS = {"fourangle": 7, "radical": 2, "strokes": 6, "parts": 4, "structure": 8, "order": 3}
OUTPUT = Path(__file__).with_name("lookalike.tsv")


def load_source() -> dict[str, dict]:
    spec = importlib.util.find_spec("char_similar")
    if spec is None or spec.origin is None:
        sys.exit("char-similar is not installed: .venv/bin/pip install char-similar")
    data = Path(spec.origin).parent / "data"
    names = ("component", "fourangle", "frequency", "number", "order", "stroke", "struct")
    return {name: json.loads((data / f"char_{name}.dict").read_text(encoding="utf-8")) for name in names}


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


def blocking_keys(ch: str, src: dict[str, dict]) -> list[tuple]:
    keys: list[tuple] = []
    code = src["fourangle"].get(ch, "")[:4]
    if len(code) == 4:
        keys.extend(("fc", i, code[:i] + code[i + 1 :]) for i in range(4))
    parts = tuple(src["stroke"].get(ch, ()))
    if len(parts) >= 2:
        keys.extend(("dc", len(parts), i, parts[:i] + parts[i + 1 :]) for i in range(len(parts)))
    return keys


def build() -> list[str]:
    src = load_source()
    ranked = sorted(
        (ch for ch in src["frequency"] if is_han(ch) and ch in src["fourangle"]),
        key=lambda ch: (-src["frequency"][ch], ch),
    )
    covered, pool = ranked[:COVERED], ranked[:POOL]
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
            ((round(similarity(ch, other, src), 3), other) for other in candidates),
            key=lambda item: (-item[0], item[1]),
        )
        kept = [f"{other}:{score}" for score, other in scored if score >= THRESHOLD][:NEIGHBOURS]
        if kept:
            lines.append(f"{ch}\t{' '.join(kept)}")
    return lines


def main() -> None:
    lines = build()
    OUTPUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines) - 2} characters to {OUTPUT}")


if __name__ == "__main__":
    main()
