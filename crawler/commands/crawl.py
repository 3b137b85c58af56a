"""`haopin crawl`: search the platforms for the brand's keywords and write listing records (JSONL).

Every platform runs as its own Scrapy crawler in one process (asyncio reactor).
With --jobdir the crawl can be stopped (Ctrl-C, or killed outright) and resumed:
listings already written to the outputs recorded in the job folder are never
fetched or written again.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.cli import BUNDLED_PACK, UsageError

EXIT_FAILED = 1
EXIT_INTERRUPTED = 130
PROGRESS_INTERVAL = 15.0


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "crawl",
        help="在电商平台搜索品牌关键词，保存商品记录 (crawl platforms for listings)",
        description=(
            "按品牌包的关键词搜索各平台，把找到的商品写成 JSONL 商品记录。"
            " Searches each platform for the brand pack's keywords and writes listing records."
            " A platform that yields no listings or mostly errors is a failed crawl (exit status 1)."
        ),
    )
    parser.add_argument("--platform", action="append", metavar="P", dest="platforms",
                        help="只爬这个平台 (repeatable; default: every enabled platform)")
    parser.add_argument("--keywords", action="append", metavar="K", nargs="+",
                        help="搜索这些关键词 (default: the keywords the brand pack yields)")
    parser.add_argument("--brand-pack", metavar="DIR", type=Path,
                        help="品牌包目录 (default: brandpacks/fengjie)")
    parser.add_argument("--out", metavar="FILE.jsonl", type=Path, required=True,
                        help="商品记录输出文件 (JSON Lines)")
    parser.add_argument("--jobdir", metavar="DIR", type=Path,
                        help="任务目录：中断后用同一目录重新运行即可续爬 (resume state)")
    parser.add_argument("--config", metavar="FILE", type=Path,
                        help="项目配置文件 (default: haopin.yaml in the data folder, if present)")
    parser.add_argument("--market", metavar="URL",
                        help="把所有演示平台指向这个演示市场地址 (e.g. http://127.0.0.1:8765)")
    parser.add_argument("--base-url", action="append", metavar="P=URL", default=[],
                        help="这次运行改用的平台地址 (repeatable)")
    parser.add_argument("--set", action="append", metavar="NAME=VALUE", default=[], dest="overrides",
                        help="这次运行的 Scrapy 设置, e.g. --set DOWNLOAD_DELAY=2 (value parsed as JSON if it can be)")
    parser.add_argument("--max-pages", type=int, metavar="N", help="每个关键词最多翻几页 (default 20)")
    parser.add_argument("--no-images", action="store_true", help="不下载商品图片")
    parser.add_argument("--db", nargs="?", const="", metavar="URL",
                        help="边爬边检测并写入案件库 (judge each listing with the brand pack and store it in the case"
                             " database; default URL: HAOPIN_DATABASE_URL or the SQLite file in the data folder)")
    parser.add_argument("--verbose", action="store_true", help="显示 Scrapy 的详细日志")
    parser.set_defaults(handler=run)


@dataclass
class PlatformRun:
    slug: str
    crawler: Any = None
    reason: str | None = None

    def stat(self, key: str) -> int:
        return int(self.crawler.stats.get_value(key, 0) or 0) if self.crawler else 0

    @property
    def errors(self) -> int:
        return sum(self.stat(f"haopin/errors/{kind}")
                   for kind in ("download", "extraction", "spider", "invalid_listing"))

    @property
    def found(self) -> int:
        return self.stat("haopin/listings") + self.stat("haopin/skipped_known")

    @property
    def closed(self) -> bool:
        return self.reason is not None

    @property
    def finish_reason(self) -> str:
        return self.reason or "not started"

    def problem(self) -> str | None:
        """Why this platform's crawl counts as failed, in words an officer can act on; None if it did not."""
        if self.finish_reason not in ("finished", "shutdown"):
            return f"爬取异常结束 ({self.finish_reason})"
        if self.finish_reason == "shutdown":
            return None
        pages = self.stat("haopin/pages")
        if self.found == 0:
            if self.stat("haopin/blocked_pages"):
                return "没有商品：平台拦截了请求 (blocked)"
            if self.stat("robotstxt/forbidden"):
                return "没有商品：robots.txt 不允许抓取 (robots.txt forbids; see docs/platforms.md)"
            return "没有找到任何商品：平台地址、改版或网络有问题？ (no listings)"
        # Pages that could not be read are among `pages`; downloads that failed never got there.
        attempts = pages + self.stat("haopin/errors/download")
        if self.errors * 2 > attempts:
            return f"错误过多：{attempts} 次请求中 {self.errors} 个错误 (mostly errors)"
        return None

    def line(self) -> str:
        return (f"{self.slug}: pages {self.stat('haopin/pages')}, listings {self.stat('haopin/listings')}"
                + (f" (+{self.stat('haopin/skipped_known')} already saved)" if self.stat("haopin/skipped_known") else "")
                + f", retries {self.stat('retry/count')}, errors {self.errors}"
                + f", blocked {self.stat('haopin/blocked_pages')}"
                + (f", flagged {self.stat('haopin/cases/flagged')}, cases opened {self.stat('haopin/cases/opened')}"
                   if self.crawler and self.crawler.settings.get("HAOPIN_DATABASE_URL") else "")
                + (f", images {self.stat('haopin/images/stored')}" if self.stat("haopin/images/stored") else ""))


def run(args) -> int:
    from crawler.config import ConfigError, load_config

    try:
        config = load_config(args.config)
        if args.market:
            config = config.with_market(args.market)
        for entry in args.base_url:
            slug, sep, url = entry.partition("=")
            if not sep:
                raise UsageError(f"--base-url {entry!r}: expected PLATFORM=URL")
            config = config.with_base_url(slug, url)
        slugs = args.platforms or [slug for slug, p in sorted(config.platforms.items()) if p.enabled]
        platforms = [config.platform(slug) for slug in dict.fromkeys(slugs)]
    except ConfigError as error:
        raise UsageError(str(error)) from None
    if args.max_pages is not None and args.max_pages < 1:
        raise UsageError("--max-pages must be at least 1")
    keywords = [k for group in args.keywords for k in group] if args.keywords else pack_keywords(args.brand_pack)
    keywords = list(dict.fromkeys(k.strip() for k in keywords if k.strip()))
    if not keywords:
        raise UsageError("no keywords to search for (give --keywords or a brand pack with marks)")
    overrides = parse_overrides(args.overrides)
    if args.db is not None:
        overrides.update(case_store_settings(args.db, args.brand_pack or BUNDLED_PACK, overrides))
    out = args.out.resolve()
    job = Job(args.jobdir.resolve(), out) if args.jobdir else None
    seen = job.start() if job else fresh_output(out)
    runs = crawl(config, platforms, keywords=keywords, out=out, seen=seen, job=job, overrides=overrides,
                 max_pages=args.max_pages, images=not args.no_images, verbose=args.verbose)
    return summarise(runs, job)


def case_store_settings(url: str, pack_dir: Path, overrides: dict[str, Any]) -> dict[str, Any]:
    """The settings that add matching and the case database to the crawl (CaseStorePipeline)."""
    from cases.db import database_url, migrate

    url = url or database_url()
    migrate(url)  # once here, not in every platform's crawler at the same moment
    pipelines = {**(overrides.get("ITEM_PIPELINES") or {}), "crawler.pipelines.CaseStorePipeline": 600}
    return {"ITEM_PIPELINES": pipelines, "HAOPIN_DATABASE_URL": url, "HAOPIN_BRAND_PACK": str(pack_dir)}


def pack_keywords(pack_dir: Path | None) -> list[str]:
    """The brand pack's search keywords (marks, aliases, GI names and the variants sellers use)."""
    from crawler.cli import load_pack_or_usage_error
    from matchers.keywords import search_keywords

    return list(search_keywords(load_pack_or_usage_error(pack_dir or BUNDLED_PACK)))


def parse_overrides(entries: list[str]) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    for entry in entries:
        name, sep, raw = entry.partition("=")
        if not sep or not name.isupper():
            raise UsageError(f"--set {entry!r}: expected SETTING_NAME=VALUE")
        try:
            overrides[name] = json.loads(raw)
        except ValueError:
            overrides[name] = raw
    return overrides


def fresh_output(out: Path) -> set[tuple[str, str]]:
    """Without a job folder a crawl starts a new output file."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(b"")
    return set()


class Job:
    """The job folder: state.json (running / paused / finished, outputs used) and Scrapy's own JOBDIR per platform.

    Scrapy persists its request queue and seen-requests file only on a clean stop,
    so after a crash (kill -9) they are discarded and the crawl restarts from the
    search pages; the listings already written to the recorded outputs are what
    make the resume exact: they are neither fetched nor written again.
    """

    def __init__(self, root: Path, out: Path):
        self.root = root
        self.out = out
        self.state_path = root / "state.json"

    def scrapy_dir(self, slug: str) -> Path:
        return self.root / "scrapy" / slug

    def read_state(self) -> dict[str, Any]:
        if not self.state_path.is_file():
            return {}
        try:
            return json.loads(self.state_path.read_text(encoding="utf-8"))
        except ValueError:
            raise UsageError(f"{self.state_path}: unreadable job state; use a new --jobdir") from None

    def write_state(self, status: str, outputs: list[str]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        partial = self.state_path.with_suffix(".part")
        partial.write_text(json.dumps({"status": status, "outputs": outputs}, ensure_ascii=False), encoding="utf-8")
        os.replace(partial, self.state_path)

    def start(self) -> set[tuple[str, str]]:
        from crawler.pipelines import read_listing_keys

        state = self.read_state()
        status = state.get("status")
        if status == "finished":
            raise UsageError(f"the crawl in {self.root} already finished; start a new one with a new --jobdir")
        if status in ("running", "incomplete"):
            why = "被中断" if status == "running" else "有平台失败"
            print(f"上次爬取{why}，从 {self.root} 续爬，已保存的商品不再重复抓取 (resuming)", file=sys.stderr)
            shutil.rmtree(self.root / "scrapy", ignore_errors=True)
        elif status == "paused":
            print(f"从 {self.root} 继续上次暂停的爬取 (resuming)", file=sys.stderr)
        self.outputs = list(dict.fromkeys([*state.get("outputs", []), str(self.out)]))
        seen: set[tuple[str, str]] = set()
        for output in self.outputs:
            repair_torn_tail(Path(output))
            seen |= read_listing_keys(Path(output))
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.out.touch()
        self.write_state("running", self.outputs)
        return seen

    def finish(self, status: str) -> None:
        self.write_state(status, self.outputs)


def repair_torn_tail(path: Path) -> None:
    """Cut a last line a killed writer left unfinished, so appended lines stay whole."""
    if not path.is_file() or path.stat().st_size == 0:
        return
    with path.open("rb+") as handle:
        handle.seek(-1, os.SEEK_END)
        if handle.read(1) == b"\n":
            return
        data = path.read_bytes()
        handle.truncate(data.rfind(b"\n") + 1)


def platform_settings(config, platform, *, keywords, out, seen, job, overrides, max_pages, images, verbose):
    from scrapy.settings import Settings

    from crawler import settings as project_settings

    settings = Settings()
    settings.setmodule(project_settings, priority="project")
    settings.update(config.settings, priority="project")
    settings.update(dict(platform.settings), priority="project")
    if platform.render:
        settings.update(project_settings.PLAYWRIGHT_SETTINGS, priority="project")
    settings.update({
        "HAOPIN_PLATFORM": platform.slug,
        "HAOPIN_BASE_URL": platform.base_url,
        "HAOPIN_ALLOWED_HOSTS": sorted(platform.hosts),
        "HAOPIN_BLOCKED_MARKERS": list(platform.blocked_markers),
        "HAOPIN_KEYWORDS": list(keywords),
        "HAOPIN_MAX_PAGES": max_pages or platform.max_pages,
        "HAOPIN_SEEN_LISTINGS": frozenset(key for key in seen if key[0] == platform.slug),
        "HAOPIN_OUTPUT": str(out),
        "HAOPIN_IMAGES_ENABLED": images,
        "HAOPIN_PLATFORM_DEFINITION": dict(platform.definition or {}),
        "LOG_LEVEL": "INFO" if verbose else "WARNING",
    }, priority="cmdline")
    if job is not None:
        settings.set("JOBDIR", str(job.scrapy_dir(platform.slug)), priority="cmdline")
    overrides = dict(overrides)
    extra_pipelines = overrides.pop("ITEM_PIPELINES", None) or {}
    if not isinstance(extra_pipelines, dict):
        raise UsageError("ITEM_PIPELINES must be a mapping of pipeline class path to order, e.g. {\"x.Y\": 500}")
    settings.update(overrides, priority="cmdline")
    # Added pipelines (matching at 500, the case store at 600) join the project's, never replace them.
    pipelines = {**settings.getdict("ITEM_PIPELINES"), **extra_pipelines}
    settings.set("ITEM_PIPELINES", pipelines, priority="cmdline")
    return settings


def spider_class(platform):
    import importlib

    module, _, name = platform.spider.partition(":")
    return getattr(importlib.import_module(module), name)


def crawl(config, platforms, *, keywords, out, seen, job, overrides, max_pages, images, verbose) -> list[PlatformRun]:
    """Run every platform's crawler in this process until all are done; their stats say how it went.

    `overrides` are Scrapy settings for every platform; an "ITEM_PIPELINES" entry among them is
    merged into the project's pipelines (e.g. {"crawler.pipelines.ScanPipeline": 500}).
    """
    from scrapy import signals
    from scrapy.crawler import AsyncCrawlerProcess, Crawler
    from scrapy.settings import Settings

    from crawler import settings as project_settings

    # Only what the process itself needs: the runner merges its settings into every crawler's,
    # and a full copy would undo per-platform settings such as the browser download handler.
    process_settings = Settings({
        "TWISTED_REACTOR": project_settings.TWISTED_REACTOR,
        "LOG_LEVEL": "INFO" if verbose else "WARNING",
    }, priority="project")
    process = AsyncCrawlerProcess(process_settings)
    if not verbose:
        # scrapy-playwright logs a full traceback for every render time-out, which is retried anyway.
        import logging

        logging.getLogger("scrapy-playwright").setLevel(logging.ERROR)
    runs = []
    for platform in platforms:
        settings = platform_settings(config, platform, keywords=keywords, out=out, seen=seen, job=job,
                                     overrides=overrides, max_pages=max_pages, images=images, verbose=verbose)
        crawler = Crawler(spider_class(platform), settings)
        platform_run = PlatformRun(platform.slug, crawler)
        crawler.signals.connect(_closed_printer(platform_run), signal=signals.spider_closed, weak=False)
        runs.append(platform_run)
        process.crawl(crawler)
    _start_progress(runs)
    process.start()
    return runs


def _closed_printer(platform_run: PlatformRun):
    def on_closed(spider, reason):
        platform_run.reason = reason
        problem = platform_run.problem()
        status = "已暂停 (paused)" if reason == "shutdown" else ("失败 FAILED: " + problem if problem else "完成 ok")
        print(f"{platform_run.line()} — {status}", file=sys.stderr, flush=True)

    return on_closed


def _start_progress(runs: list[PlatformRun]) -> None:
    import asyncio

    async def report() -> None:
        while not all(r.closed for r in runs):
            await asyncio.sleep(PROGRESS_INTERVAL)
            for platform_run in runs:
                if not platform_run.closed:
                    print(f"… {platform_run.line()}", file=sys.stderr, flush=True)

    from twisted.internet import reactor

    reactor.callWhenRunning(lambda: asyncio.ensure_future(report()))


def summarise(runs: list[PlatformRun], job: Job | None) -> int:
    paused = any(r.finish_reason == "shutdown" for r in runs)
    failed = [r for r in runs if r.problem()]
    total = sum(r.stat("haopin/listings") for r in runs)
    print(
        f"共 {len(runs)} 个平台: pages {sum(r.stat('haopin/pages') for r in runs)}, listings {total},"
        f" retries {sum(r.stat('retry/count') for r in runs)}, errors {sum(r.errors for r in runs)},"
        f" blocked {sum(r.stat('haopin/blocked_pages') for r in runs)}",
        file=sys.stderr,
    )
    if job is not None:
        job.finish("paused" if paused else ("incomplete" if failed else "finished"))
    if paused:
        print("爬取已暂停；用同一个 --jobdir 再次运行即可继续。", file=sys.stderr)
        return EXIT_INTERRUPTED
    if failed:
        print("失败的平台 (failed): " + ", ".join(f"{r.slug}（{r.problem()}）" for r in failed), file=sys.stderr)
        return EXIT_FAILED
    return 0
