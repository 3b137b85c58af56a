"""Crawl throughput: haopin's spiders with every middleware and pipeline on, against a bare Scrapy spider.

For each non-JavaScript demo flavour, `haopin crawl` runs against a local demo
marketplace (no injected faults, no rate limit, AutoThrottle off, the same
concurrency for both) while an extension records every URL it fetched (pages,
robots.txt, images). Then a bare Scrapy spider — default settings, no haopin
component — fetches exactly those URLs from the same server. The ratio of the
two rates is printed (target: at least 0.6). The Playwright flavour's rendered
pages per second are reported on their own. Run: .venv/bin/python benchmarks/bench_crawl.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FLAVOURS = ["demo-taobao", "demo-jd", "demo-douyin", "demo-xianyu"]
BROWSER_FLAVOUR = "demo-pdd"
CONCURRENCY = 8
REPEATS = 3
SHARED = {"AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS_PER_DOMAIN": CONCURRENCY,
          "CONCURRENT_REQUESTS": 32, "DOWNLOAD_DELAY": 0, "LOG_LEVEL": "WARNING"}
RECORDER = "bench_crawl.UrlRecorder"


class UrlRecorder:
    """Extension for the measured crawl: every URL answered, and the time from open to close."""

    def __init__(self, crawler):
        from scrapy import signals

        self.path = Path(os.environ["BENCH_CRAWL_RECORD"])
        self.urls: list[str] = []
        self.crawler = crawler
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.received, signal=signals.response_received)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def opened(self, spider):
        self.started = time.perf_counter()

    def received(self, response, request, spider):
        self.urls.append(response.url)

    def closed(self, spider, reason):
        elapsed = time.perf_counter() - self.started
        pages = self.crawler.stats.get_value("haopin/pages", 0)
        listings = self.crawler.stats.get_value("haopin/listings", 0)
        self.path.write_text(json.dumps({"urls": self.urls, "elapsed": elapsed, "pages": pages,
                                         "listings": listings}), encoding="utf-8")


def bare_crawl(urls_file: str, result_file: str) -> None:
    """The baseline: a plain Scrapy spider fetching a list of URLs and doing nothing with them."""
    import scrapy
    from scrapy.crawler import AsyncCrawlerProcess

    urls = json.loads(Path(urls_file).read_text(encoding="utf-8"))["urls"]
    timing: dict[str, float] = {}

    class BareSpider(scrapy.Spider):
        name = "bare"

        async def start(self):
            timing["start"] = time.perf_counter()
            for url in urls:
                yield scrapy.Request(url, dont_filter=True, callback=self.parse)

        def parse(self, response):
            return None

        def closed(self, reason):
            timing["elapsed"] = time.perf_counter() - timing["start"]

    settings = {**SHARED, "ROBOTSTXT_OBEY": False, "RETRY_ENABLED": False, "REMOTE_CONTROL_ENABLED": False,
                "TELNETCONSOLE_ENABLED": False,
                "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor"}
    process = AsyncCrawlerProcess(settings)
    process.crawl(BareSpider)
    process.start()
    Path(result_file).write_text(json.dumps({"elapsed": timing["elapsed"], "count": len(urls)}), encoding="utf-8")


def haopin_crawl(market_url: str, platform: str, workdir: Path) -> dict:
    record = workdir / f"{platform}.record.json"
    env = {**os.environ, "HAOPIN_DATA_DIR": str(workdir / "data"), "BENCH_CRAWL_RECORD": str(record),
           "PYTHONPATH": os.pathsep.join([str(REPO / "benchmarks"), str(REPO)])}
    sets = [arg for name, value in {**SHARED, "EXTENSIONS": {RECORDER: 900}}.items()
            for arg in ("--set", f"{name}={json.dumps(value)}")]
    result = subprocess.run([sys.executable, "-m", "crawler", "crawl", "--market", market_url,
                             "--platform", platform, "--out", str(workdir / f"{platform}.jsonl"), *sets],
                            env=env, capture_output=True, text=True, cwd=REPO, timeout=600)
    if result.returncode != 0:
        raise SystemExit(f"haopin crawl {platform} failed:\n{result.stderr[-2000:]}")
    return json.loads(record.read_text(encoding="utf-8"))


def bare(record_path: Path, workdir: Path) -> dict:
    out = workdir / (record_path.stem + ".bare.json")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    subprocess.run([sys.executable, __file__, "--bare", str(record_path), str(out)], env=env, check=True,
                   cwd=REPO, timeout=600)
    return json.loads(out.read_text(encoding="utf-8"))


def main() -> None:
    sys.path.insert(0, str(REPO))
    from demo.testing import running_market

    print(f"bench_crawl: demo marketplace seed 1, 100 listings per flavour, concurrency {CONCURRENCY} per host,"
          f" best of {REPEATS} runs each")
    print(f"{'flavour':<13}{'requests':>9}{'listings':>9}{'haopin req/s':>14}{'bare req/s':>12}{'ratio':>7}")
    ratios = []
    with tempfile.TemporaryDirectory() as tmp, running_market(seed=1) as market:
        workdir = Path(tmp)
        for platform in FLAVOURS:
            # Each run lasts about a second: best of several, for both sides alike. The demo server
            # draws product photos on first request and caches them, so the first haopin run (which
            # pays for the drawing) never counts and the bare spider always meets a warm server.
            runs = [haopin_crawl(market.url, platform, workdir) for _ in range(REPEATS)]
            measured = min(runs, key=lambda run: run["elapsed"] / len(run["urls"]))
            (workdir / f"{platform}.record.json").write_text(json.dumps(measured), encoding="utf-8")
            baselines = [bare(workdir / f"{platform}.record.json", workdir) for _ in range(REPEATS)]
            haopin_rate = len(measured["urls"]) / measured["elapsed"]
            bare_rate = max(b["count"] / b["elapsed"] for b in baselines)
            ratios.append(haopin_rate / bare_rate)
            print(f"{platform:<13}{len(measured['urls']):>9}{measured['listings']:>9}{haopin_rate:>14.1f}"
                  f"{bare_rate:>12.1f}{haopin_rate / bare_rate:>7.2f}")
        total = min(ratios)
        print(f"lowest ratio haopin/bare: {total:.2f} (target >= 0.60: {'met' if total >= 0.6 else 'NOT met'})")
        try:
            measured = haopin_crawl(market.url, BROWSER_FLAVOUR, workdir)
        except SystemExit as error:
            print(f"{BROWSER_FLAVOUR}: not measured ({str(error).splitlines()[0]})")
            return
        print(f"{BROWSER_FLAVOUR} (Chromium): {measured['pages'] / measured['elapsed']:.2f} rendered pages/s,"
              f" {measured['listings']} listings in {measured['elapsed']:.1f} s")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--bare":
        bare_crawl(sys.argv[2], sys.argv[3])
    else:
        main()
