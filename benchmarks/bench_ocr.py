"""OCR of mark text printed on packaging-like photos, and OCR throughput.

Each photo carries one of the pack's word marks or GI names on a label, in one of the CJK
fonts installed here, at a size from small print to a headline, turned up to ±15°. A photo
counts as read when the recognised text contains the mark exactly, or when the pack's text
matcher (matchers.text.MarkMatcher, the same one titles go through) finds that mark in it:
a mis-read that still reads as a similar sign is what the scan would report.

Run: .venv/bin/python benchmarks/bench_ocr.py   (about a minute)
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from demo.imagery import PrintedText, SceneSpec, font_paths, render_scene  # noqa: E402
from matchers.imageload import load_image_bytes  # noqa: E402
from matchers.ocr import ocr_engine, read_text  # noqa: E402
from matchers.pack import load_pack  # noqa: E402
from matchers.text import MarkMatcher  # noqa: E402

PHOTOS = 64
SIZES = {"tiny (2.5% of height)": 0.025, "small (3.5%)": 0.035, "medium (6%)": 0.06, "large (10%)": 0.10}


def main() -> None:
    pack = load_pack(REPO / "brandpacks" / "fengjie")
    marks = [mark for mark in pack.marks if mark.text and not mark.is_logo]
    matcher = MarkMatcher(marks, exceptions=pack.exceptions)
    fonts = font_paths()
    rng = random.Random(2026)
    cases = []
    for number in range(PHOTOS):
        mark = marks[number % len(marks)]
        size_name = list(SIZES)[number % len(SIZES)]
        font = fonts[(number // len(SIZES)) % len(fonts)]
        angle = rng.uniform(-15, 15)
        scene = render_scene(SceneSpec(seed=700 + number, size=(800, 600), text=PrintedText(
            mark.text, font=font, size_fraction=SIZES[size_name], angle=angle)))
        # Listing photos arrive recompressed: read what a marketplace would serve.
        image = load_image_bytes(scene.jpeg(rng.choice((50, 70, 90)))).image
        cases.append((mark, size_name, Path(font).stem, abs(angle), image))

    ocr_engine()  # engine construction is not part of the per-image cost
    exact = matched = 0
    by_size: dict[str, list[bool]] = {}
    by_font: dict[str, list[bool]] = {}
    by_angle: dict[str, list[bool]] = {}
    misreads = []
    start = time.perf_counter()
    cpu_start = time.process_time()
    for mark, size_name, font_name, angle, image in cases:
        boxes = read_text(image)
        text = " ".join(box.text for box in boxes)
        is_exact = mark.text in text
        hit = is_exact or any(h.mark_id == mark.id for box in boxes for h in matcher.find(box.text, field="image:0"))
        exact += is_exact
        matched += hit
        if not is_exact:
            misreads.append((mark.text, text, hit))
        by_size.setdefault(size_name, []).append(hit)
        by_font.setdefault(font_name, []).append(hit)
        by_angle.setdefault("≤ 5°" if angle <= 5 else "5–15°", []).append(hit)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu_start

    print(f"OCR of printed mark text: {len(cases)} photos (800×600), marks {[m.text for m in marks]}")
    print(f"  read exactly: {exact / len(cases):.3f}; read or matched as the mark: {matched / len(cases):.3f}")
    for title, table in (("size", by_size), ("font", by_font), ("angle", by_angle)):
        cells = ", ".join(f"{name} {sum(v) / len(v):.2f}" for name, v in table.items())
        print(f"  by {title}: {cells}")
    for expected, got, hit in misreads[:8]:
        print(f"  mis-read {expected!r} as {got!r}{' (still matched)' if hit else ''}")
    print(f"OCR throughput: {len(cases) / elapsed:.2f} images/s ({elapsed / len(cases) * 1000:.0f} ms per 800×600 photo, "
          f"one process; CPU {cpu / len(cases) * 1000:.0f} ms per photo across ONNX Runtime's threads, "
          f"load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
