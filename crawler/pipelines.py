"""Item pipelines: the one place where crawling meets matching and storage.

Order (crawler/settings.py ITEM_PIPELINES):
  100 ValidateListingPipeline  the item must be a CONTRACT §2 listing; a bad one is dropped, naming the field
  200 DedupeListingPipeline    (platform, listing_id) once per crawl, and never again after a resume
  300 ImageStorePipeline       images fetched (bounded), stored by SHA-256 under data_dir()/images
  500 (ScanPipeline)           matching slots in here: it sees listings whose images are local
  600 (case-store pipeline)    then the case database
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
