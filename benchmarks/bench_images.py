"""Image pipeline figures: safe loading, the analysis cache, re-used photo recognition.

* cold analysis (load + logo search, no OCR) of listing photos, for reference;
* cache hits: the same photos in other listings and a new process (disk cache), aim ≥ 1,000/s;
* hostile files (bombs, truncated, mislabelled, SVG, empty) refused per second;
* re-used photos: the same picture re-encoded at another size and quality is recognised.

Run: .venv/bin/python benchmarks/bench_images.py   (well under a minute)
"""

from __future__ import annotations

import io
import struct
import sys
import tempfile
import time
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from PIL import Image  # noqa: E402

from crawler.imagesource import ImageAnalyser  # noqa: E402
from demo.imagery import LogoPlacement, SceneSpec, render_scene  # noqa: E402
from matchers.imageload import load_image_bytes  # noqa: E402
from matchers.logo import LogoIndex  # noqa: E402
from matchers.pack import load_pack  # noqa: E402
from matchers.records import Listing  # noqa: E402

PHOTOS = 60
LISTINGS = 2000


def listing(number: int, images: list[str]) -> Listing:
    return Listing.from_record({"platform": "bench", "listing_id": str(number), "url": f"https://b/{number}",
                                "title": "橙子", "captured_at": "2026-11-20T10:00:00+08:00", "images": images})


def hostile_files() -> list[bytes]:
    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    bomb = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 30000, 30000, 8, 2, 0, 0, 0))
    good = render_scene(SceneSpec(seed=1)).jpeg(80)
    return [bomb, good[: len(good) // 2], b"<html>404</html>", b"<svg xmlns='http://www.w3.org/2000/svg'/>", b""]


def main() -> None:
    pack = load_pack(REPO / "brandpacks" / "fengjie")
    index = LogoIndex.from_pack(pack)
    logo = Image.open(pack.logo_path(pack.logo_marks[0]))
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for number in range(PHOTOS):
            spec = SceneSpec(seed=number, logo=logo if number % 4 == 0 else None,
                             placement=LogoPlacement(width_fraction=0.2))
            (root / f"p{number}.jpg").write_bytes(render_scene(spec).jpeg(85))
        cache = root / "cache"

        cold = ImageAnalyser(index, ocr=False, cache_dir=cache)
        start = time.perf_counter()
        for number in range(PHOTOS):
            cold(listing(number, [f"p{number}.jpg"]), root)
        cold_rate = PHOTOS / (time.perf_counter() - start)

        # Listings re-using the photos, three images each, read by a fresh analyser (new process).
        listings = [listing(n, [f"p{(n + k) % PHOTOS}.jpg" for k in range(3)]) for n in range(LISTINGS)]
        warm = ImageAnalyser(index, ocr=False, cache_dir=cache)
        start = time.perf_counter()
        for item in listings[: LISTINGS // 10]:
            warm(item, root)
        disk_seconds = time.perf_counter() - start
        disk_images = 3 * (LISTINGS // 10)
        start = time.perf_counter()
        for item in listings:
            warm(item, root)
        memory_rate = 3 * LISTINGS / (time.perf_counter() - start)
        print(f"cold analysis (load + logo search, no OCR): {cold_rate:.1f} images/s, one process")
        print(f"cache hits from disk, new analyser: {disk_images / disk_seconds:,.0f} images/s "
              f"(file read + SHA-256 + JSON; aim ≥ 1,000/s; {disk_images / disk_seconds / cold_rate:.0f}× cold)")
        print(f"cache hits within a run (file read + SHA-256): {memory_rate:,.0f} images/s")
        print(f"  analysed {warm.stats['analysed']}, cache hits {warm.stats['cache_hits']:,}")

        hostile = hostile_files()
        start = time.perf_counter()
        rounds = 200
        reasons = set()
        for _ in range(rounds):
            for data in hostile:
                reasons.add(load_image_bytes(data).code)
        print(f"hostile files refused: {rounds * len(hostile) / (time.perf_counter() - start):,.0f} files/s "
              f"(codes: {', '.join(sorted(reasons))})")

        reused = ImageAnalyser(None, ocr=False, cache_dir=root / "cache2")
        for number in range(20):
            image = Image.open(root / f"p{number}.jpg")
            buffer = io.BytesIO()
            image.resize((600, 600)).save(buffer, "JPEG", quality=60)
            (root / f"copy{number}.jpg").write_bytes(buffer.getvalue())
            reused(listing(number, [f"p{number}.jpg"]), root)
            reused(listing(1000 + number, [f"copy{number}.jpg"]), root)
        groups = reused.reused_photos()
        correct = sum(1 for group in groups if {key[1] for key, _ in group} in ({str(n), str(1000 + n)}
                                                                               for n in range(20)))
        print(f"re-used photos (resized 800→600, JPEG q60) recognised: {correct}/20 pairs, "
              f"{len(groups) - correct} wrong groups")


if __name__ == "__main__":
    main()
