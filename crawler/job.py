"""The weekly job, end to end: crawl → scan (text, logos, in-image text) → case database → evidence → report.

`haopin run weekly` runs it against the configured platforms (for a systemd
timer or cron); `haopin demo` runs it against the bundled demo marketplace.
Each run gets its own folder under data_dir()/runs/<week>/<time>/, so nothing
of an earlier run or week is ever overwritten, and a lock file keeps two runs
from interleaving their writes.

The crawl and the report run as child processes of their own: Scrapy's reactor
and Chromium's event loop each want a process to themselves, and a crashed
crawl must not take the job's bookkeeping down with it.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import multiprocessing
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from cases.store import BatchSummary, CaseRecorder
from crawler.datadir import data_dir
from crawler.scanning import Scanner, ScanSummary, scan_stream
from matchers.pack import BrandPack

LOCK_NAME = "haopin-run.lock"
EVIDENCE_CONCURRENCY = 3
CRAWL_FAILED = 1


class JobError(Exception):
    """The job cannot run at all (lock held, crawl impossible); the message says what to do."""


@dataclass(frozen=True)
class JobOptions:
    pack: BrandPack
    pack_dir: Path
    week: str
    database_url: str
    config: Path | None = None
    market: str | None = None
    platforms: Sequence[str] = ()
    evidence: bool = True
    evidence_limit: int | None = None
    pdf: bool = True


@dataclass
class JobResult:
    run_dir: Path
    listings_path: Path
    findings_path: Path
    report_dir: Path
    crawl_status: int = 0
    scan: ScanSummary = field(default_factory=ScanSummary)
    cases: BatchSummary = field(default_factory=BatchSummary)
    evidence_captured: int = 0
    evidence_failed: list[str] = field(default_factory=list)
    report_files: list[Path] = field(default_factory=list)
    report_status: int = 0

    @property
    def exit_status(self) -> int:
        """0 when every stage succeeded; otherwise 1 (the week's results are still kept)."""
        failed = self.crawl_status or self.report_status or self.evidence_failed
        return 1 if failed else 0


def current_week(timezone: str) -> str:
    year, week, _ = datetime.now(ZoneInfo(timezone)).isocalendar()
    return f"{year}-W{week:02d}"


@contextmanager
def run_lock(directory: Path) -> Iterator[None]:
    """Hold the data folder's run lock, or refuse: two runs would interleave their writes.

    flock is released by the kernel when the process dies, so a killed run never
    leaves a stale lock behind.
    """
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / LOCK_NAME
    handle = path.open("a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise JobError(
                f"另一个 haopin 任务正在运行，本次不启动 (another run holds {path}: {holder})"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {datetime.now().astimezone().isoformat(timespec='seconds')}\n")
        handle.flush()
        yield
    finally:
        handle.close()


def new_run_dir(week: str) -> Path:
    stamp = datetime.now().astimezone().strftime("%Y%m%dT%H%M%S")
    run_dir = data_dir() / "runs" / week / stamp
    suffix = 1
    while run_dir.exists():
        suffix += 1
        run_dir = data_dir() / "runs" / week / f"{stamp}-{suffix}"
    run_dir.mkdir(parents=True)
    return run_dir


def run_job(options: JobOptions, *, echo: Callable[[str], None]) -> JobResult:
    """Run every stage once; a failed stage is reported and the later stages still run on what there is."""
    with run_lock(data_dir()):
        run_dir = new_run_dir(options.week)
        result = JobResult(
            run_dir=run_dir,
            listings_path=run_dir / "listings.jsonl",
            findings_path=run_dir / "findings.jsonl",
            report_dir=run_dir / "report",
        )
        echo(f"[1/5] 爬取平台 crawl → {result.listings_path}")
        result.crawl_status = _crawl(options, result)
        echo(f"[2/5] 检测并入库 scan (text, logos, in-image text) → {result.findings_path}")
        new_cases = _scan_and_store(options, result)
        echo(
            f"      {result.scan.scanned} listings, {result.scan.flagged} flagged; "
            f"cases opened {len(new_cases)}, joined {len(result.cases.joined_case_ids)}"
        )
        if options.evidence and new_cases:
            targets = _highest_risk_first(options, new_cases)[: options.evidence_limit]
            echo(f"[3/5] 取证 evidence capture for {len(targets)} new case(s)")
            _capture_evidence(options, targets, result, echo)
        else:
            echo("[3/5] 取证 evidence capture: nothing new to capture" if options.evidence else
                 "[3/5] 取证 evidence capture: skipped (--no-evidence)")
        echo(f"[4/5] 周报 weekly report {options.week} → {result.report_dir}")
        result.report_status = _report(options, result)
        result.report_files = sorted(p for p in result.report_dir.glob("*") if p.is_file())
        echo("[5/5] done")
        _write_run_record(options, result)
        return result


def _child_env(options: JobOptions) -> dict[str, str]:
    env = dict(os.environ)
    env["HAOPIN_DATA_DIR"] = str(data_dir())
    env["HAOPIN_DATABASE_URL"] = options.database_url
    return env


def _haopin(*args: str) -> list[str]:
    return [sys.executable, "-m", "crawler", *args]


def _crawl(options: JobOptions, result: JobResult) -> int:
    command = _haopin(
        "crawl", "--brand-pack", str(options.pack_dir), "--out", str(result.listings_path),
        "--jobdir", str(result.run_dir / "crawl-job"),
    )
    if options.config:
        command += ["--config", str(options.config)]
    if options.market:
        command += ["--market", options.market]
    for platform in options.platforms:
        command += ["--platform", platform]
    status = subprocess.run(command, env=_child_env(options), check=False).returncode
    if status not in (0, CRAWL_FAILED):
        raise JobError(f"the crawl stopped with exit status {status}; see the messages above")
    if not result.listings_path.exists():
        result.listings_path.touch()
    return status


def _scan_and_store(options: JobOptions, result: JobResult) -> list[int]:
    from cases.db import migrate, open_session_factory
    from cases.licensees import import_licensees

    migrate(options.database_url)
    sessions = open_session_factory(options.database_url)
    # The register as it stands this week goes into the licensee history before anything is judged.
    with sessions.begin() as session:
        import_licensees(session, options.pack.licensees, source=str(options.pack_dir / "licensees.csv"))
    _warm_image_cache(options, result.listings_path)
    scanner = Scanner(options.pack, analyse_images=_image_analyser(options))
    opened: list[int] = []

    def remember_opened(batch: BatchSummary) -> None:
        opened.extend(batch.opened_case_ids)

    with CaseRecorder(sessions, on_commit=remember_opened) as recorder:
        result.scan = scan_stream(
            scanner, result.listings_path, result.findings_path,
            on_finding=recorder.add, progress=sys.stderr.isatty(),
        )
    result.cases = recorder.summary
    return opened


def _image_analyser(options: JobOptions):
    """The crawl stored every image locally, so analysis never needs to fetch a URL itself."""
    from crawler.imagesource import analyser_for_pack

    return analyser_for_pack(options.pack, fetch_urls=False)


def _warm_image_cache(options: JobOptions, listings_path: Path) -> None:
    """Analyse the week's images on every core first; the scan, one process, then reads the cache.

    OCR costs about half a second an image, so on a demo-sized crawl this halves
    the scan's time on two cores.
    """
    workers = os.cpu_count() or 1
    sources = _local_image_paths(listings_path)
    if workers < 2 or len(sources) < 2 * workers:
        return
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: no inherited threads or engines
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_image_worker,
                             initargs=(str(options.pack_dir), str(data_dir()))) as pool:
        list(pool.map(_analyse_image_file, sources, chunksize=4))


def _local_image_paths(listings_path: Path) -> list[str]:
    base = listings_path.parent
    paths: dict[str, None] = {}
    with listings_path.open(encoding="utf-8", errors="replace") as listings:
        for line in listings:
            try:
                images = json.loads(line).get("images") or []
            except (ValueError, AttributeError):
                continue  # the scan reports bad lines; warming the cache just skips them
            for image in images:
                if isinstance(image, str) and "://" not in image:
                    paths[str(base / image)] = None
    return list(paths)


_worker_analyser = None


def _start_image_worker(pack_dir: str, data_directory: str) -> None:
    global _worker_analyser
    from crawler.imagesource import analyser_for_pack
    from matchers.pack import load_pack

    os.environ["HAOPIN_DATA_DIR"] = data_directory
    _worker_analyser = analyser_for_pack(load_pack(pack_dir), fetch_urls=False)


def _analyse_image_file(path: str) -> None:
    from crawler.imagesource import ImageFetchError, read_local_image

    try:
        _worker_analyser.record_for(read_local_image(path, None))
    except ImageFetchError:
        pass  # the scan meets the same file and records the reason with the listing


def _highest_risk_first(options: JobOptions, case_ids: Sequence[int]) -> list[int]:
    from sqlalchemy import select

    from cases.db import open_session_factory
    from cases.models import Case

    with open_session_factory(options.database_url)() as session:
        rows = session.execute(select(Case.id, Case.risk).where(Case.id.in_(case_ids))).all()
    return [case_id for case_id, _ in sorted(rows, key=lambda row: (-row.risk, row.id))]


def _capture_evidence(options: JobOptions, case_ids: Sequence[int], result: JobResult, echo) -> None:
    from cases.db import open_session_factory
    from crawler.evidence import capture_cases_async

    started = time.monotonic()
    finished: list[int] = []

    def report(case_id: int, outcome) -> None:
        finished.append(case_id)
        if isinstance(outcome, str):
            result.evidence_failed.append(f"case {case_id}: {outcome}")
            echo(f"      case {case_id}: 取证失败 capture failed: {outcome}")
        else:
            result.evidence_captured += len(outcome)
        echo(f"      case {case_id} done ({len(finished)}/{len(case_ids)} cases, "
             f"{time.monotonic() - started:.0f} s)")

    asyncio.run(capture_cases_async(open_session_factory(options.database_url), case_ids,
                                    concurrency=EVIDENCE_CONCURRENCY, on_done=report))


def _report(options: JobOptions, result: JobResult) -> int:
    command = _haopin(
        "report", "weekly", "--week", options.week, "--out", str(result.report_dir),
        "--brand-pack", str(options.pack_dir), "--db", options.database_url,
    )
    if not options.pdf:
        command.append("--no-pdf")
    return subprocess.run(command, env=_child_env(options), check=False).returncode


def _write_run_record(options: JobOptions, result: JobResult) -> None:
    """run.json: what this run did, for the association's records and for troubleshooting."""
    record = {
        "week": options.week,
        "finished_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "brand_pack": str(options.pack_dir),
        "market": options.market,
        "crawl_status": result.crawl_status,
        "listings": result.scan.scanned,
        "rejected": result.scan.rejected,
        "flagged": result.scan.flagged,
        "codes": result.scan.codes,
        "cases_opened": len(result.cases.opened_case_ids),
        "evidence_captured": result.evidence_captured,
        "evidence_failed": result.evidence_failed,
        "report_status": result.report_status,
        "report_files": [str(path) for path in result.report_files],
    }
    (result.run_dir / "run.json").write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
