"""Item pipelines: the one place where crawling meets matching and storage.

Order (crawler/settings.py ITEM_PIPELINES):
  100 ValidateListingPipeline  the item must be a CONTRACT §2 listing; a bad one is dropped, naming the field
  200 DedupeListingPipeline    (platform, listing_id) once per crawl, and never again after a resume
  300 ImageStorePipeline       images fetched (bounded), stored by SHA-256 under data_dir()/images
  600 CaseStorePipeline        with `haopin crawl --db`: judged and stored in the case database,
                               a batch per transaction, before the listing is written out
  900 JsonLinesWriterPipeline  one flushed line per listing, so a killed crawl loses nothing written

Images: a listing's `images` are rewritten to the stored files' paths relative to the
output file's folder (CONTRACT §2 "a path relative to the JSONL file"), so a scan reads
exactly the bytes that were captured and needs no network; an image that could not be
fetched keeps its URL, so the record still says what the page showed.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import Request
from scrapy.exceptions import DropItem, IgnoreRequest

from crawler.datadir import data_dir
from matchers.records import Listing, RecordError

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

IMAGE_SIGNATURES = (
    (b"\xff\xd8\xff", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
)


def image_extension(body: bytes) -> str | None:
    """The file type from the first bytes (never from the URL or the server's word); None if not an image."""
    for signature, extension in IMAGE_SIGNATURES:
        if body.startswith(signature):
            return extension
    if body[:4] == b"RIFF" and body[8:12] == b"WEBP":
        return "webp"
    return None


class ValidateListingPipeline:
    """Every item must be a listing record per CONTRACT §2 (a Listing, or a dict in record form)."""

    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidateListingPipeline:
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Listing:
        try:
            record = item.to_record() if isinstance(item, Listing) else item
            return Listing.from_record(record)
        except RecordError as error:
            self.stats.inc_value("haopin/errors/invalid_listing")
            where = record.get("url", "?") if isinstance(record, dict) else "?"
            raise DropItem(f"not a valid listing record ({where}): {error}") from None


class DedupeListingPipeline:
    """Drops a listing already emitted in this crawl or already in the output being resumed."""

    def __init__(self, seen: set[tuple[str, str]], stats):
        self.seen = seen
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupeListingPipeline:
        return cls(set(crawler.settings.get("HAOPIN_SEEN_LISTINGS") or ()), crawler.stats)

    def process_item(self, item: Listing) -> Listing:
        if item.key in self.seen:
            self.stats.inc_value("haopin/duplicates_dropped")
            raise DropItem(f"duplicate listing {item.platform}:{item.listing_id}")
        self.seen.add(item.key)
        return item


class ImageStore:
    """Content-addressed files: <root>/<first two hex digits>/<sha256>.<ext>."""

    def __init__(self, root: Path):
        self.root = root

    def put(self, body: bytes, extension: str) -> Path:
        digest = hashlib.sha256(body).hexdigest()
        path = self.root / digest[:2] / f"{digest}.{extension}"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(path.name + f".{os.getpid()}.part")
            partial.write_bytes(body)
            os.replace(partial, path)
        return path


class ImageStorePipeline:
    """Fetches a listing's images through the crawl's own downloader (hosts, retries and throttling apply)."""

    def __init__(self, crawler: Crawler, store: ImageStore, relative_to: Path, *, max_size: int, per_listing: int):
        self.crawler = crawler
        self.store = store
        self.relative_to = relative_to
        self.max_size = max_size
        self.per_listing = per_listing
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ImageStorePipeline:
        settings = crawler.settings
        root = Path(settings.get("HAOPIN_IMAGES_DIR") or data_dir() / "images")
        output = settings.get("HAOPIN_OUTPUT")
        relative_to = Path(output).resolve().parent if output else root.parent
        return cls(crawler, ImageStore(root), relative_to,
                   max_size=settings.getint("HAOPIN_IMAGES_MAXSIZE"),
                   per_listing=settings.getint("HAOPIN_IMAGES_PER_LISTING"))

    async def process_item(self, item: Listing) -> Listing:
        if not self.crawler.settings.getbool("HAOPIN_IMAGES_ENABLED") or not item.images:
            return item
        wanted = item.images[: self.per_listing]
        stored = await asyncio.gather(*(self.fetch(url) for url in wanted))
        return replace(item, images=tuple(stored))

    async def fetch(self, url: str) -> str:
        if not url.startswith(("http://", "https://")):
            return url
        request = Request(url, meta={"haopin_image": True, "download_maxsize": self.max_size,
                                     "download_warnsize": self.max_size})
        try:
            response = await self.crawler.engine.download_async(request)
        except IgnoreRequest:
            self.stats.inc_value("haopin/images/refused")
            return url
        except Exception as error:  # a lost image must not lose the listing
            self.stats.inc_value("haopin/images/failed")
            logger.warning("image %s not stored: %s", url, error)
            return url
        extension = image_extension(response.body) if response.status == 200 else None
        if extension is None:
            self.stats.inc_value("haopin/images/failed")
            logger.warning("image %s not stored: HTTP %s, %d bytes that are not an image", url,
                           response.status, len(response.body))
            return url
        path = self.store.put(response.body, extension)
        self.stats.inc_value("haopin/images/stored")
        return os.path.relpath(path, self.relative_to)


class JsonLinesWriterPipeline:
    """Appends each listing to HAOPIN_OUTPUT as one line, in one write, flushed to the OS at once.

    Several platform crawlers may share the file: O_APPEND keeps their lines whole.
    """

    def __init__(self, path: Path, stats):
        self.path = path
        self.stats = stats
        self.fd: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> JsonLinesWriterPipeline:
        output = crawler.settings.get("HAOPIN_OUTPUT")
        if not output:
            raise RuntimeError("setting HAOPIN_OUTPUT (the listings JSONL file) is required by JsonLinesWriterPipeline")
        return cls(Path(output), crawler.stats)

    def open_spider(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def close_spider(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def process_item(self, item: Listing) -> Listing:
        line = json.dumps(item.to_record(), ensure_ascii=False, separators=(",", ":")) + "\n"
        os.write(self.fd, line.encode("utf-8"))
        self.stats.inc_value("haopin/listings")
        return item


class CaseStorePipeline:
    """Judges each listing with the brand pack and stores it in the case database, a batch per transaction.

    A listing passes on to the JSONL writer only once its batch is committed, so
    every listing in the output is in the database too. After a kill -9 a resumed
    crawl, which skips the listings already in the output, fetches again exactly
    those whose batch never committed: nothing is lost and nothing stored twice.
    A batch is committed when it is full or `linger` seconds after its first listing.
    """

    def __init__(self, scanner, recorder, base_dir: Path, stats, *, batch_size: int, linger: float):
        self.scanner = scanner
        self.recorder = recorder
        self.base_dir = base_dir
        self.stats = stats
        self.batch_size = batch_size
        self.linger = linger
        self._pending: list[tuple[Listing, Any, asyncio.Future]] = []
        self._timer: asyncio.TimerHandle | None = None
        # The scanner's caches and the database session are not for concurrent use; the work
        # itself runs in a thread so the crawl keeps downloading meanwhile.
        self._scan_lock = asyncio.Lock()
        self._commit_lock = asyncio.Lock()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CaseStorePipeline:
        from cases.db import open_session_factory
        from cases.store import MAX_BATCH_SIZE, CaseRecorder
        from crawler.imagesource import analyser_for_pack
        from crawler.scanning import Scanner
        from matchers.pack import load_pack

        settings = crawler.settings
        url, pack_dir = settings.get("HAOPIN_DATABASE_URL"), settings.get("HAOPIN_BRAND_PACK")
        if not url or not pack_dir:
            raise RuntimeError("CaseStorePipeline needs the settings HAOPIN_DATABASE_URL and HAOPIN_BRAND_PACK")
        pack = load_pack(pack_dir)
        scanner = Scanner(pack, analyse_images=analyser_for_pack(pack))
        output = settings.get("HAOPIN_OUTPUT")
        base_dir = Path(output).resolve().parent if output else Path.cwd()
        # The recorder never commits on its own: the pipeline decides when a batch is complete.
        recorder = CaseRecorder(open_session_factory(url), batch_size=MAX_BATCH_SIZE)
        batch_size = min(max(1, settings.getint("HAOPIN_DB_BATCH_SIZE")), MAX_BATCH_SIZE)
        return cls(scanner, recorder, base_dir, crawler.stats,
                   batch_size=batch_size, linger=settings.getfloat("HAOPIN_DB_LINGER"))

    async def process_item(self, item: Listing) -> Listing:
        async with self._scan_lock:
            finding = await asyncio.to_thread(self.scanner.scan, item, self.base_dir)
        committed = asyncio.get_running_loop().create_future()
        self._pending.append((item, finding, committed))
        if len(self._pending) >= self.batch_size:
            await self._commit()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(
                self.linger, lambda: asyncio.ensure_future(self._commit()))
        await committed
        return item

    async def close_spider(self) -> None:
        await self._commit()

    async def _commit(self) -> None:
        async with self._commit_lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            batch, self._pending = self._pending, []
            if not batch:
                return
            for listing, finding, _ in batch:
                self.recorder.add(listing, finding)
            try:
                summary = await asyncio.to_thread(self.recorder.flush)
            except Exception as error:  # the batch's listings fail; later batches still try
                logger.error("could not store %d listings in the case database: %s", len(batch), error)
                self.stats.inc_value("haopin/errors/database", len(batch))
                for _, _, committed in batch:
                    committed.set_exception(DropItem(f"not stored in the case database: {error}"))
                return
            self.stats.inc_value("haopin/cases/opened", len(summary.opened_case_ids))
            self.stats.inc_value("haopin/cases/flagged", sum(1 for _, f, _ in batch if f.violations))
            for _, _, committed in batch:
                committed.set_result(None)


def read_listing_keys(path: Path) -> set[tuple[str, str]]:
    """(platform, listing_id) of every whole line already in a JSONL output (a torn last line is ignored)."""
    keys: set[tuple[str, str]] = set()
    if not path.is_file():
        return keys
    with path.open("rb") as handle:
        for raw in handle:
            if not raw.endswith(b"\n"):
                break
            try:
                record = json.loads(raw)
                keys.add((record["platform"], record["listing_id"]))
            except (ValueError, KeyError, TypeError):
                continue
    return keys
