"""Logo detection robustness and throughput, on photos this script generates itself.

Robustness: every logo (the pack's own, and an unrelated generated logo so nothing depends on
the stand-in artwork) under every transform of issue 3 — 10–40 % of the width, anywhere,
rotated ±15°, JPEG quality 40, recoloured, greyscale, 15 % covered, and all of them at once —
plus photos with look-alike emblems (the logo's outline and colours, other text and motif)
and logo-free photos. Prints recall per transform and the false-positive rate.

Throughput: logo search on 800×800 JPEGs (decode included), one process and one per core.

Run: .venv/bin/python benchmarks/bench_logo.py   (about two minutes of CPU on two idle cores)
"""

from __future__ import annotations

import multiprocessing as mp
import os
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from PIL import Image  # noqa: E402

from demo.imagery import LogoPlacement, SceneSpec, generated_logo, render_scene  # noqa: E402
from matchers.imageload import load_image_bytes  # noqa: E402
from matchers.logo import LogoIndex  # noqa: E402
from matchers.pack import load_pack  # noqa: E402

PER_TRANSFORM = 15
NEGATIVES = 100
THROUGHPUT_IMAGES = 120


def transforms(rng: random.Random) -> dict[str, tuple[LogoPlacement, int]]:
    """name -> (placement, JPEG quality); positions and unnamed factors vary per photo."""
    width = rng.uniform(0.1, 0.4)
    return {
        "scale 10%": (LogoPlacement(width_fraction=0.10), 85),
        "scale 40%": (LogoPlacement(width_fraction=0.40), 85),
        "rotate ±15°": (LogoPlacement(width_fraction=width, angle=rng.choice((-15, 15))), 85),
        "jpeg q40": (LogoPlacement(width_fraction=width), 40),
        "recolour (hue)": (LogoPlacement(width_fraction=width, recolour="hue"), 85),
        "greyscale": (LogoPlacement(width_fraction=width, recolour="grey"), 85),
        "15% covered": (LogoPlacement(width_fraction=width, occlusion=0.15), 85),
        "all at once": (LogoPlacement(width_fraction=width, angle=rng.uniform(-15, 15),
                                      recolour=rng.choice(("hue", "grey")), occlusion=0.15), 40),
    }


def logos() -> dict[str, Image.Image]:
    pack = load_pack(REPO / "brandpacks" / "fengjie")
    mark = pack.logo_marks[0]
    return {"pack logo": Image.open(pack.logo_path(mark)).convert("RGBA"), "generated logo": generated_logo(seed=7)}


_INDEXES: dict[str, LogoIndex] = {}


def _index(which: str) -> LogoIndex:
    if which not in _INDEXES:
        _INDEXES[which] = LogoIndex.from_images([(which, logos()[which])])
    return _INDEXES[which]


def evaluate(job: tuple[str, str, int]) -> tuple[str, str, bool, bool]:
    """(logo, case, found the logo, found anything) for one generated photo."""
    which, case, seed = job
    rng = random.Random(seed)
    logo = logos()[which]
    quality = 85
    if case == "distractors":
        spec = SceneSpec(seed=seed, distractors=rng.randint(1, 2), distractor_of=logo)
    elif case == "logo-free":
        spec = SceneSpec(seed=seed, greyscale=rng.random() < 0.2)
    else:
        placement, quality = transforms(rng)[case]
        spec = SceneSpec(seed=seed, logo=logo, placement=placement)
    image = load_image_bytes(render_scene(spec).jpeg(quality)).image
    hits = _index(which).find(image)
    return which, case, any(hit.mark_id == which for hit in hits), bool(hits)


def search_only(data: bytes) -> float:
    """CPU seconds this process spent decoding and searching one photo."""
    start = time.process_time()
    _index("pack logo").find(load_image_bytes(data).image)
    return time.process_time() - start


def main() -> None:
    started = time.perf_counter()
    cores = os.cpu_count() or 1
    jobs = []
    for which in ("pack logo", "generated logo"):
        for case in transforms(random.Random(0)):
            jobs += [(which, case, 10_000 + len(jobs) + n) for n in range(PER_TRANSFORM)]
        jobs += [(which, "distractors", 50_000 + len(jobs) + n) for n in range(NEGATIVES)]
        jobs += [(which, "logo-free", 90_000 + len(jobs) + n) for n in range(NEGATIVES)]
    with mp.Pool(cores) as pool:
        results = pool.map(evaluate, jobs, chunksize=4)

    print(f"logo robustness ({PER_TRANSFORM} photos per transform and logo, 800×800 JPEG)")
    print(f"{'transform':18s} {'pack logo':>10s} {'generated':>10s}")
    found_all = total_all = 0
    for case in transforms(random.Random(0)):
        row = []
        for which in ("pack logo", "generated logo"):
            outcomes = [found for w, c, found, _ in results if w == which and c == case]
            row.append(sum(outcomes) / len(outcomes))
            if case != "all at once":
                found_all += sum(outcomes)
                total_all += len(outcomes)
        print(f"{case:18s} {row[0]:>10.2f} {row[1]:>10.2f}")
    print(f"recall over single transforms: {found_all / total_all:.3f} (aim ≥ 0.95)")
    for case in ("distractors", "logo-free"):
        flagged = [anything for _, c, _, anything in results if c == case]
        print(f"false positives, {case:11s}: {sum(flagged)}/{len(flagged)} photos = {sum(flagged) / len(flagged):.2%}")
    negatives = [anything for _, c, _, anything in results if c in ("distractors", "logo-free")]
    print(f"false-positive rate overall: {sum(negatives) / len(negatives):.2%} (aim ≤ 1%)")

    photos = []
    for seed in range(THROUGHPUT_IMAGES):
        logo = logos()["pack logo"] if seed % 3 == 0 else None
        photos.append(render_scene(SceneSpec(seed=seed, logo=logo,
                                             placement=LogoPlacement(width_fraction=0.25))).jpeg(85))
    search_only(photos[0])  # build the index outside the timing
    start = time.perf_counter()
    for data in photos:
        search_only(data)
    single = len(photos) / (time.perf_counter() - start)
    with mp.Pool(cores, initializer=search_only, initargs=(photos[0],)) as pool:
        pool.map(search_only, photos[:cores * 2])
        start = time.perf_counter()
        cpu_seconds = pool.map(search_only, photos * 2, chunksize=8)
        parallel = 2 * len(photos) / (time.perf_counter() - start)
    cpu_per_image = sum(cpu_seconds) / len(cpu_seconds)
    print(f"logo search throughput (decode + search, 800×800 JPEG): 1 process {single:.1f} images/s, "
          f"{cores} processes {parallel:.1f} images/s ({parallel / single:.2f}× one process; aim ≥ 50/s)")
    # Wall-clock figures depend on whatever else the machine runs; CPU time per image does not.
    print(f"  CPU time {cpu_per_image * 1000:.1f} ms per image -> {cores / cpu_per_image:.0f} images/s on "
          f"{cores} otherwise idle cores; load average now {os.getloadavg()[0]:.1f}")
    print(f"benchmark took {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
