"""End-to-end scan throughput and memory: generated text-only listings through `haopin scan`'s path.

Run: .venv/bin/python benchmarks/bench_scan.py

Prints listings/s for 10,000 and 100,000 listings (each scan in its own child
process, so peak RSS is that scan's alone; best of two runs), the peak memory of each to show it
is flat in input size, and as a baseline measured in the same run the raw
rapidfuzz kernel rate (fuzz.partial_ratio of every word mark against a title).
Targets: >= 20,000 listings/s on one core, < 500 MB.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACK = REPO / "brandpacks" / "fengjie"
SIZES = (10_000, 100_000)
RUNS = 2

GOODS = [
    "脐橙",
    "腊肉",
    "蜂蜜",
    "核桃",
    "红薯粉条",
    "土鸡蛋",
    "茶叶",
    "猕猴桃",
    "大米",
    "香肠",
    "门票",
    "苹果",
]
WORDS = ["新鲜", "包邮", "10斤装", "礼盒", "农家", "正宗", "当季", "现摘", "精选", "大果", "孕妇", "送礼", "手工",
         "柴火", "特产", "整箱", "坏果包赔", "顺丰", "原味", "高山", "有机", "散装", "年货", "甜"]  # fmt: skip
SIGNS = [
    "奉节脐橙",
    "奉上好品",
    "奉尚好品",
    "奉 上 好 品",
    "奉节好味",
    "官方授权",
    "一码溯源",
    "赣南脐橙",
    "奉上好品质",
]
PLACES = ["江西 赣州", "重庆 奉节", "四川 成都", "湖北 宜昌", "重庆 万州", "浙江 杭州", ""]
PLATFORMS = ["demo-taobao", "demo-jd", "demo-pdd", "demo-douyin", "demo-xianyu"]

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from crawler.scanning import Scanner, scan_stream
from matchers.pack import load_pack
scanner = Scanner(load_pack(sys.argv[1]))
start, cpu_start = time.perf_counter(), time.process_time()
summary = scan_stream(scanner, Path(sys.argv[2]), Path(sys.argv[3]), report=lambda m: None)
elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
print(json.dumps({"elapsed": elapsed, "cpu": cpu, "scanned": summary.scanned, "flagged": summary.flagged,
                  "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def generate(path: Path, count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    titles = []
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            words = rng.sample(WORDS, rng.randint(3, 7)) + [rng.choice(GOODS)]
            if rng.random() < 0.15:
                words.insert(rng.randrange(len(words)), rng.choice(SIGNS))
            title = " ".join(words)
            titles.append(title)
            place = rng.choice(PLACES)
            record = {
                "platform": rng.choice(PLATFORMS),
                "listing_id": str(n),
                "url": f"https://demo.example/item/{n}",
                "title": title,
                "price": round(rng.uniform(5, 200), 1),
                "seller": {
                    "id": f"s{rng.randrange(5000)}",
                    "name": f"店铺{rng.randrange(5000)}",
                    "location": place,
                },
                "ship_from": place,
                "captured_at": "2026-11-20T10:00:00+08:00",
            }
            if rng.random() < 0.3:
                record["description"] = " ".join(rng.sample(WORDS, 8))
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return titles


def run_child(source: Path, output: Path) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(PACK), str(source), str(output)],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def rapidfuzz_rate(titles: list[str]) -> tuple[float, float]:
    """partial_ratio of every mark text against each title, timed in CPU seconds like the scan."""
    from rapidfuzz import fuzz

    from matchers.pack import load_pack

    marks = [mark.text for mark in load_pack(PACK).marks if mark.text]
    sample = titles[:50_000]
    start = time.process_time()
    for title in sample:
        for mark in marks:
            fuzz.partial_ratio(mark, title)
    elapsed = time.process_time() - start
    calls = len(sample) * len(marks)
    return calls / elapsed, len(sample) / elapsed


def main() -> None:
    sys.path.insert(0, str(REPO))
    with tempfile.TemporaryDirectory() as tmp:
        results = {}
        titles: list[str] = []
        for size in SIZES:
            source = Path(tmp) / f"listings-{size}.jsonl"
            titles = generate(source, size)
            # Best of RUNS: other processes on a shared machine only ever slow a run down.
            runs = [run_child(source, Path(tmp) / f"findings-{size}.jsonl") for _ in range(RUNS)]
            results[size] = min(runs, key=lambda run: run["cpu"])
        kernel_calls, kernel_listings = rapidfuzz_rate(titles)
    # CPU time is the fair "one core" figure on a shared machine; wall time is shown beside it.
    print(
        f"{'listings':>9} {'wall s':>7} {'CPU s':>7} {'listings/s (CPU)':>17} {'(wall)':>8} {'flagged':>8} {'peak RSS MB':>12}"
    )
    for size, result in results.items():
        print(
            f"{size:>9} {result['elapsed']:>7.2f} {result['cpu']:>7.2f} {result['scanned'] / result['cpu']:>17,.0f} "
            f"{result['scanned'] / result['elapsed']:>8,.0f} {result['flagged']:>8} {result['maxrss_kb'] / 1024:>12.1f}"
        )
    small, large = (results[size]["maxrss_kb"] for size in SIZES)
    print(f"peak memory 100k / 10k: {large / small:.2f}x (flat means close to 1)")
    rate = results[SIZES[-1]]["scanned"] / results[SIZES[-1]]["cpu"]
    print(
        f"rapidfuzz baseline: {kernel_calls:,.0f} partial_ratio calls/s = {kernel_listings:,.0f} titles/s "
        f"against every word and GI mark text; scan end to end runs at {rate / kernel_listings:.2f}x that rate"
    )
    print("targets: >= 20,000 listings/s, < 500 MB peak")


if __name__ == "__main__":
    main()
