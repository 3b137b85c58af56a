"""Detection quality on the labelled dev set: precision / recall / F1 per code, tune and held-out.

Run: .venv/bin/python benchmarks/bench_detection.py [--show-errors]

The dev set is tests/fixtures/devset/ (tune.jsonl and heldout.jsonl from generate.py, plus
handwritten.jsonl whose rows carry their own split, and other-brand.jsonl judged with a second,
fictional pack). The demo marketplace's catalogue is scored too, as labels written independently. A listing's label is the set of codes it
must get; a code counts as a true positive when both agree, a false positive when only the
verdict has it, a false negative when only the label has it.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from matchers.pack import load_pack  # noqa: E402
from matchers.records import VIOLATION_CODES, Listing  # noqa: E402
from matchers.verdict import Judge  # noqa: E402
from matchers.vision_types import ImageAnalysis, LogoHit, TextBox  # noqa: E402

DEVSET = REPO / "tests" / "fixtures" / "devset"


def load_rows() -> dict[str, list[dict]]:
    parts: dict[str, list[dict]] = {"tune": [], "heldout": [], "other-brand": []}
    for name in ("tune.jsonl", "heldout.jsonl", "handwritten.jsonl", "other-brand.jsonl"):
        path = DEVSET / name
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                parts[row["split"]].append(row)
    return parts


def images_of(row: dict) -> tuple[ImageAnalysis, ...]:
    analyses = []
    for index, image in enumerate(row.get("images", [])):
        analyses.append(
            ImageAnalysis(
                index=index,
                source=f"image-{index}",
                logo_hits=tuple(
                    LogoHit(hit["mark_id"], tuple(hit["bbox"]), hit["score"])
                    for hit in image.get("logo_hits", [])
                ),
                text_boxes=tuple(
                    TextBox(box["text"], tuple(box["bbox"]), box.get("confidence", 0.9))
                    for box in image.get("text_boxes", [])
                ),
            )
        )
    return tuple(analyses)


def evaluate(judge: Judge, rows: list[dict]) -> tuple[Counter, Counter, Counter, list[str], int]:
    tp, fp, fn = Counter(), Counter(), Counter()
    errors: list[str] = []
    exact = 0
    for row in rows:
        finding = judge.judge(Listing.from_record(row["listing"]), images=images_of(row))
        got = {v.code for v in finding.violations}
        want = set(row["expected"])
        exact += got == want
        for code in got & want:
            tp[code] += 1
        for code in got - want:
            fp[code] += 1
        for code in want - got:
            fn[code] += 1
        if got != want:
            errors.append(
                f"  {row['id']} [{row['why']}] title={row['listing']['title']!r} "
                f"want={sorted(want)} got={sorted(got)}"
            )
    return tp, fp, fn, errors, exact


def ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 1.0


def report(name: str, rows: list[dict], judge: Judge, show_errors: bool) -> None:
    tp, fp, fn, errors, exact = evaluate(judge, rows)
    print(f"\n{name}: {len(rows)} listings, {exact} exactly right ({ratio(exact, len(rows)):.1%})")
    print(f"  {'code':<20} {'support':>7} {'precision':>9} {'recall':>7} {'F1':>6}")
    for code in (*VIOLATION_CODES, "ALL"):
        if code == "ALL":
            t, p, n = sum(tp.values()), sum(fp.values()), sum(fn.values())
        else:
            t, p, n = tp[code], fp[code], fn[code]
        precision, recall = ratio(t, t + p), ratio(t, t + n)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        print(f"  {code:<20} {t + n:>7} {precision:>9.3f} {recall:>7.3f} {f1:>6.3f}")
    negatives = sum(1 for row in rows if not row["expected"])
    print(f"  clean listings in set: {negatives}")
    if show_errors and errors:
        print("  errors:")
        print("\n".join(errors))


def demo_rows(pack, seeds=(1, 2, 3)) -> list[dict]:
    """An independent labelled source: the demo marketplace's catalogue (demo/catalogue.py).

    Listings whose signs are only in images (logos, marks printed on photos) are left out:
    this benchmark judges text; image detection has its own benchmarks.
    """
    from datetime import date

    from demo.catalogue import build_catalogue, listing_record

    as_of = date(2026, 11, 20)
    rows = []
    for seed in seeds:
        for product in build_catalogue(seed, pack=pack, as_of=as_of).products:
            if "LOGO_UNAUTHORISED" in product.expected or product.category == "mark_in_image":
                continue
            record = listing_record(product, "http://127.0.0.1:8000", f"{as_of.isoformat()}T10:00:00+08:00")
            record["images"] = []
            rows.append(
                {
                    "id": f"demo-{seed}-{product.platform}-{product.listing_id}",
                    "why": product.category,
                    "listing": record,
                    "expected": sorted(product.expected),
                }
            )
    return rows


def main() -> None:
    pack = load_pack(REPO / "brandpacks" / "fengjie")
    judge = Judge(pack)
    parts = load_rows()
    show = "--show-errors" in sys.argv
    for name in ("tune", "heldout"):
        report(name, parts[name], judge, show)
    report("demo catalogue (independent labels, text signs only)", demo_rows(pack), judge, show)
    # A second, unrelated pack: the rules must not lean on anything specific to 奉上好品.
    other = parts["other-brand"]
    if other:
        report(
            "other brand pack (巫山好物, hand-written)",
            other,
            Judge(load_pack(REPO / other[0]["pack"])),
            show,
        )


if __name__ == "__main__":
    main()
