"""Listing images: resolve, fetch (only when allowed), load safely, analyse once, remember.

An image is identified by the SHA-256 of its bytes. Its analysis (logo hits, text boxes,
whole-image perceptual hashes) is cached on disk under ``data_dir()/image-cache`` keyed by
that hash, the logo index's hash and the analyser version, so a photo re-used by a hundred
listings, or seen again tomorrow, is analysed once. A failing image yields an
`ImageAnalysis` with `error` set; the listing's other images are analysed all the same.

URLs are fetched only when the caller allows it, over http/https, with bounded size and time,
and never from private, loopback or link-local addresses unless a test explicitly allows it.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import os
import socket
import ssl
import tempfile
import time
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import imagehash

from crawler.datadir import data_dir
from matchers.imageload import MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS, ImageRejected, load_image_bytes, sha256_hex
from matchers.logo import ANALYSIS_SIDE, LogoIndex
from matchers.vision_types import ImageAnalysis, LogoHit, TextBox

ANALYSER_VERSION = "vision-2026.11-2"
PHOTO_HASHES = (("phash", 8), ("dhash", 8))
REUSE_DISTANCE = 6
# Longest side images are decoded at for analysis (logo search works at 800, OCR up to 1280).
DECODE_SIDE = 1600
_MAX_REDIRECTS = 3


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """Whether and how image URLs may be downloaded."""

    allow_urls: bool = False
    allow_private: bool = False
    max_bytes: int = MAX_IMAGE_BYTES
    timeout: float = 15.0
    user_agent: str = "haopin-image-check/0.1"


@dataclass(frozen=True, slots=True)
class PhotoHash:
    """A whole-image perceptual hash, stored as plain values (never an ImageHash object)."""

    algorithm: str
    size: int
    hex: str

    def distance(self, other: PhotoHash) -> int | None:
        if (self.algorithm, self.size) != (other.algorithm, other.size):
            return None
        return bin(int(self.hex, 16) ^ int(other.hex, 16)).count("1")


@dataclass(frozen=True, slots=True)
class ImageRecord:
    """Everything cached about one image's bytes."""

    sha256: str
    width: int
    height: int
    logo_hits: tuple[LogoHit, ...]
    text_boxes: tuple[TextBox, ...]
    hashes: tuple[PhotoHash, ...]


class ImageFetchError(Exception):
    """An image URL that may not or could not be fetched; the message is the recorded reason."""


class ImageAnalyser:
    """Analyses listing images with one logo index and one OCR engine; callable as the scan seam
    ``analyse_images(listing, base_dir)``."""

    def __init__(
        self,
        logo_index: LogoIndex | None,
        *,
        ocr: bool = True,
        fetch: FetchPolicy | None = None,
        cache_dir: Path | None = None,
        use_cache: bool = True,
        max_bytes: int = MAX_IMAGE_BYTES,
        max_pixels: int = MAX_IMAGE_PIXELS,
    ):
        self.logo_index = logo_index
        self.ocr = ocr
        self.fetch = fetch or FetchPolicy()
        self.use_cache = use_cache
        self._cache_dir = cache_dir
        self.max_bytes = max_bytes
        self.max_pixels = max_pixels
        self.stats = {"analysed": 0, "cache_hits": 0, "errors": 0}
        # In front of the disk cache: a photo repeated within one run is not even re-read.
        self._records: dict[str, ImageRecord] = {}
        # (listing key, image index, hashes) of every image seen, to spot re-used photos.
        self._sightings: list[tuple[tuple[str, str], int, tuple[PhotoHash, ...]]] = []

    def __call__(self, listing, base_dir: str | Path | None) -> list[ImageAnalysis]:
        return self.analyse_listing(listing, base_dir)

    @property
    def cache_dir(self) -> Path:
        if self._cache_dir is None:
            self._cache_dir = data_dir() / "image-cache"
        return self._cache_dir

    @property
    def cache_tag(self) -> str:
        """What a cached analysis depends on besides the image bytes."""
        logos = self.logo_index.digest[:16] if self.logo_index is not None else "nologo"
        return f"{ANALYSER_VERSION}-{logos}-{'ocr' if self.ocr else 'noocr'}-{ANALYSIS_SIDE}"

    def analyse_listing(self, listing, base_dir: str | Path | None) -> list[ImageAnalysis]:
        results = []
        for index, source in enumerate(listing.images or ()):
            analysis = self.analyse_source(index, source, base_dir)
            if analysis.error is None and analysis.sha256 is not None:
                record = self._records.get(analysis.sha256)
                if record is not None:
                    self._sightings.append((listing.key, index, record.hashes))
            results.append(analysis)
        return results

    def analyse_source(self, index: int, source: str, base_dir: str | Path | None) -> ImageAnalysis:
        try:
            data = self._read(source, base_dir)
        except ImageFetchError as exc:
            self.stats["errors"] += 1
            return ImageAnalysis(index=index, source=source, error=str(exc))
        return self.analyse_bytes(index, source, data)

    def analyse_bytes(self, index: int, source: str, data: bytes) -> ImageAnalysis:
        record_or_reason = self.record_for(data)
        if isinstance(record_or_reason, ImageRejected):
            self.stats["errors"] += 1
            return ImageAnalysis(index=index, source=source, sha256=record_or_reason.sha256,
                                 error=record_or_reason.reason)
        record = record_or_reason
        return ImageAnalysis(index=index, source=source, sha256=record.sha256,
                             logo_hits=record.logo_hits, text_boxes=record.text_boxes)

    def record_for(self, data: bytes) -> ImageRecord | ImageRejected:
        """The cached analysis of `data`, computing and storing it on a miss."""
        digest = sha256_hex(data)
        cached = self._records.get(digest) or (self._load_cached(digest) if self.use_cache else None)
        if cached is not None:
            self.stats["cache_hits"] += 1
            self._records[digest] = cached
            return cached
        # Decoded no larger than analysis needs (JPEG scales in the decoder: a 40-megapixel photo
        # costs a fraction of a full decode); boxes are mapped back to the original's pixels.
        loaded = load_image_bytes(data, max_bytes=self.max_bytes, max_pixels=self.max_pixels,
                                  max_side=DECODE_SIDE)
        if isinstance(loaded, ImageRejected):
            return loaded
        image = loaded.image
        factor = max(loaded.width, loaded.height) / max(image.size)
        logo_hits = tuple(self.logo_index.find(image)) if self.logo_index is not None else ()
        text_boxes: tuple[TextBox, ...] = ()
        if self.ocr:
            from matchers.ocr import read_text

            text_boxes = tuple(read_text(image))
        if factor != 1.0:
            logo_hits = tuple(replace(hit, bbox=_scaled(hit.bbox, factor)) for hit in logo_hits)
            text_boxes = tuple(replace(box, bbox=_scaled(box.bbox, factor)) for box in text_boxes)
        record = ImageRecord(sha256=digest, width=round(image.width * factor), height=round(image.height * factor),
                             logo_hits=logo_hits, text_boxes=text_boxes, hashes=photo_hashes(image))
        self.stats["analysed"] += 1
        self._records[digest] = record
        if self.use_cache:
            self._store(record)
        return record

    def reused_photos(self, *, max_distance: int = REUSE_DISTANCE) -> list[list[tuple[tuple[str, str], int]]]:
        """Groups of (listing key, image index) across different listings showing the same photo
        (identical bytes, or a perceptual-hash distance of at most `max_distance`, at most 7).

        Each group is led by its first sighting; a photo joins the first group whose leader is
        near enough. Leaders are found through the hash's eight bytes: two 64-bit hashes
        within 7 bits agree on at least one whole byte, so only leaders sharing a byte are compared.
        """
        if not 0 <= max_distance <= 7:
            raise ValueError("max_distance must be between 0 and 7")
        groups: list[list[int]] = []
        leaders_by_byte: dict[tuple[int, str], list[int]] = {}
        for position, (_key, _index, hashes) in enumerate(self._sightings):
            phash = next((photo for photo in hashes if photo.algorithm == "phash"), None)
            if phash is None:
                continue
            bands = [(band, phash.hex[2 * band: 2 * band + 2]) for band in range(len(phash.hex) // 2)]
            candidates = sorted({group for band in bands for group in leaders_by_byte.get(band, ())})
            for group in candidates:
                leader = self._sightings[groups[group][0]][2]
                if _photo_distance(leader, hashes) <= max_distance:
                    groups[group].append(position)
                    break
            else:
                groups.append([position])
                for band in bands:
                    leaders_by_byte.setdefault(band, []).append(len(groups) - 1)
        result = []
        for group in groups:
            members = [(self._sightings[p][0], self._sightings[p][1]) for p in group]
            if len({key for key, _ in members}) > 1:
                result.append(members)
        return result

    # --- reading ------------------------------------------------------------------------------

    def _read(self, source: str, base_dir: str | Path | None) -> bytes:
        if not isinstance(source, str) or not source.strip():
            raise ImageFetchError("bad_source: 图片地址为空")
        scheme = urllib.parse.urlsplit(source).scheme.lower()
        if scheme in ("http", "https"):
            if not self.fetch.allow_urls:
                raise ImageFetchError("not_fetched: 网络图片未下载（需要 --fetch-images）")
            return fetch_image(source, self.fetch)
        if scheme and len(scheme) > 1:  # "c:" of a Windows path is not a scheme
            raise ImageFetchError(f"bad_scheme: 只支持 http/https 网址或相对路径，不支持 {scheme}:")
        return read_local_image(source, base_dir, max_bytes=self.max_bytes)

    # --- cache --------------------------------------------------------------------------------

    def _cache_path(self, digest: str) -> Path:
        return self.cache_dir / self.cache_tag / digest[:2] / f"{digest}.json"

    def _load_cached(self, digest: str) -> ImageRecord | None:
        try:
            payload = json.loads(self._cache_path(digest).read_text(encoding="utf-8"))
            return _record_from_json(payload)
        except (OSError, ValueError, KeyError, TypeError):
            # A missing or damaged cache entry is a miss, not a failure.
            return None

    def _store(self, record: ImageRecord) -> None:
        path = self._cache_path(record.sha256)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(_record_to_json(record), stream, ensure_ascii=False)
            # Atomic so a concurrent scan never reads half an entry.
            os.replace(temporary, path)
        except OSError:
            pass  # a read-only or full data directory costs speed, never results


def analyser_for_pack(pack, *, ocr: bool = True, fetch_urls: bool = False) -> ImageAnalyser:
    """The analyser `haopin scan` uses: the pack's logos, OCR, the on-disk cache, and URL
    fetching only when asked for."""
    logo_index = LogoIndex.from_pack(pack) if pack.logo_marks else None
    return ImageAnalyser(logo_index, ocr=ocr, fetch=FetchPolicy(allow_urls=fetch_urls))


def analyse_listing_images(
    listing,
    base_dir: str | Path | None,
    *,
    logo_index: LogoIndex | None = None,
    analyser: ImageAnalyser | None = None,
    ocr: bool = True,
    fetch: FetchPolicy | None = None,
) -> list[ImageAnalysis]:
    """One `ImageAnalysis` per entry of `listing.images`, in order (errors recorded, never raised)."""
    analyser = analyser or ImageAnalyser(logo_index, ocr=ocr, fetch=fetch)
    return analyser.analyse_listing(listing, base_dir)


def read_local_image(source: str, base_dir: str | Path | None, *, max_bytes: int = MAX_IMAGE_BYTES) -> bytes:
    """Bytes of an image path given relative to the listing file's folder (bounded read)."""
    path = Path(source)
    if not path.is_absolute():
        path = Path(base_dir or ".") / path
    try:
        with open(path, "rb") as handle:
            return handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise ImageFetchError(f"missing: 找不到图片文件 {source}") from None
    except IsADirectoryError:
        raise ImageFetchError(f"missing: {source} 是目录而不是图片文件") from None
    except OSError as exc:
        raise ImageFetchError(f"unreadable: 无法读取图片文件 {source}（{exc.strerror or exc}）") from None


def fetch_image(url: str, policy: FetchPolicy) -> bytes:
    """Download an image URL within the policy's limits; raises ImageFetchError with a reason.

    The host is resolved once, the address checked, and the connection made to that very
    address (TLS still verifies the host name), so a DNS answer that changes between the check
    and the connection cannot smuggle in a private address. Every redirect hop is checked alike.
    """
    deadline = time.monotonic() + policy.timeout
    current = url
    for _hop in range(_MAX_REDIRECTS + 1):
        parts = urllib.parse.urlsplit(current)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https") or not parts.hostname:
            raise ImageFetchError(f"bad_scheme: 只允许下载 http/https 图片（{_clip(current)}）")
        try:
            port = parts.port or (443 if scheme == "https" else 80)
        except ValueError:
            raise ImageFetchError(f"bad_source: 图片地址端口无效（{_clip(current)}）") from None
        address = _checked_address(parts.hostname, port, policy)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ImageFetchError(f"timeout: 下载图片超时（{policy.timeout:g} 秒）")
        pinned = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
        connection = pinned(parts.hostname, port, address, remaining)
        target = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
        try:
            connection.request("GET", target, headers={"User-Agent": policy.user_agent, "Accept": "image/*"})
            response = connection.getresponse()
            if response.status in (301, 302, 303, 307, 308) and response.getheader("Location"):
                current = urllib.parse.urljoin(current, response.getheader("Location"))
                continue
            if response.status != 200:
                raise ImageFetchError(f"http_error: 下载图片失败，HTTP {response.status}（{_clip(current)}）")
            return _read_bounded(response, policy, deadline)
        except TimeoutError:
            raise ImageFetchError(f"timeout: 下载图片超时（{policy.timeout:g} 秒）") from None
        except (OSError, http.client.HTTPException, ValueError) as exc:
            raise ImageFetchError(f"fetch_failed: 无法下载图片（{_clip(str(exc) or type(exc).__name__)}）") from None
        finally:
            connection.close()
    raise ImageFetchError(f"too_many_redirects: 图片地址重定向超过 {_MAX_REDIRECTS} 次")


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Speaks HTTP to `host` but connects to the address that was checked for it."""

    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As `_PinnedHTTPConnection`, with TLS verified against the host name."""

    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _read_bounded(response, policy: FetchPolicy, deadline: float) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > policy.max_bytes:
        raise ImageFetchError(f"too_large: 图片声明 {int(declared):,} 字节，超过上限 {policy.max_bytes:,} 字节")
    chunks, total = [], 0
    while True:
        if time.monotonic() > deadline:
            raise ImageFetchError(f"timeout: 下载图片超时（{policy.timeout:g} 秒）")
        try:
            chunk = response.read(64 * 1024)
        except (OSError, ValueError) as exc:
            raise ImageFetchError(f"fetch_failed: 下载中断（{_clip(str(exc))}）") from None
        if not chunk:
            break
        total += len(chunk)
        if total > policy.max_bytes:
            raise ImageFetchError(f"too_large: 图片超过上限 {policy.max_bytes:,} 字节")
        chunks.append(chunk)
    return b"".join(chunks)


def _checked_address(host: str, port: int, policy: FetchPolicy) -> str:
    """The address to connect to for `host`, once every address it resolves to is acceptable."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise ImageFetchError(f"fetch_failed: 无法解析图片主机 {host}（{exc}）") from None
    if not infos:
        raise ImageFetchError(f"fetch_failed: 无法解析图片主机 {host}")
    if not policy.allow_private:
        for info in infos:
            address = ipaddress.ip_address(info[4][0].split("%")[0])
            if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
                address = address.ipv4_mapped
            # Only globally routed unicast: this also excludes carrier-grade NAT (100.64/10),
            # cloud metadata (169.254.169.254) and IPv4-mapped IPv6 forms of private addresses.
            if not address.is_global or address.is_multicast:
                raise ImageFetchError(f"private_address: 拒绝从内网或本机地址下载图片（{host} → {address}）")
    return infos[0][4][0]


def photo_hashes(image) -> tuple[PhotoHash, ...]:
    """Whole-image perceptual hashes used to recognise the same photo re-used across listings."""
    functions = {"phash": imagehash.phash, "dhash": imagehash.dhash}
    return tuple(PhotoHash(name, size, str(functions[name](image, hash_size=size))) for name, size in PHOTO_HASHES)


def _photo_distance(first: Sequence[PhotoHash], second: Sequence[PhotoHash]) -> int:
    distances = [
        distance for a in first for b in second
        if a.algorithm == "phash" and (distance := a.distance(b)) is not None
    ]
    return min(distances) if distances else 1 << 30


def _record_to_json(record: ImageRecord) -> dict:
    return {
        "sha256": record.sha256,
        "width": record.width,
        "height": record.height,
        "logo_hits": [
            {"mark_id": hit.mark_id, "bbox": list(hit.bbox), "score": hit.score, "measurements": dict(hit.measurements)}
            for hit in record.logo_hits
        ],
        "text_boxes": [
            {"text": box.text, "bbox": list(box.bbox), "confidence": box.confidence} for box in record.text_boxes
        ],
        "hashes": [[photo.algorithm, photo.size, photo.hex] for photo in record.hashes],
    }


def _record_from_json(payload: dict) -> ImageRecord:
    return ImageRecord(
        sha256=str(payload["sha256"]),
        width=int(payload["width"]),
        height=int(payload["height"]),
        logo_hits=tuple(
            LogoHit(mark_id=str(hit["mark_id"]), bbox=tuple(int(v) for v in hit["bbox"]), score=float(hit["score"]),
                    measurements={str(k): float(v) for k, v in hit["measurements"].items()})
            for hit in payload["logo_hits"]
        ),
        text_boxes=tuple(
            TextBox(text=str(box["text"]), bbox=tuple(int(v) for v in box["bbox"]), confidence=float(box["confidence"]))
            for box in payload["text_boxes"]
        ),
        hashes=tuple(PhotoHash(str(a), int(s), str(h)) for a, s, h in payload["hashes"]),
    )


def _scaled(box: tuple[int, int, int, int], factor: float) -> tuple[int, int, int, int]:
    return tuple(int(round(value * factor)) for value in box)


def _clip(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
