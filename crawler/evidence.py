"""Evidence capture: what a listing page showed, when, captured how, and proof nothing changed since.

One capture is one directory:

    screenshot.png          full-page screenshot (Chromium through Playwright)
    dom.html                the rendered DOM after scripts ran
    page.pdf                the page printed by Chromium
    exchange.warc.gz        the raw HTTP request and response of every plain fetch (warcio)
    images/<sha256>.<ext>   product images, named by their own hash
    environment.json        tool and browser versions, capture time with offset, URL, final URL, status
    MANIFEST.sha256         `sha256sum -c` compatible hashes of every other file

File names come only from hashes and fixed names, never from page content, so
a hostile page cannot choose where anything is written. Files are made
read-only; the manifest's and every file's hash also go into the case database.
`verify_directory` re-hashes a capture and names every file changed, missing or added.

    result = capture_page_sync(url, directory, image_urls=[...])
    capture_case(session_factory, case_id)          # capture + store in the DB, for CLI and pipeline
    report = verify_directory(directory)
"""

from __future__ import annotations

import asyncio
import hashlib
import http.client
import io
import json
import logging
import os
import platform
import ssl
import stat
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
MANIFEST = "MANIFEST.sha256"
SCREENSHOT = "screenshot.png"
DOM = "dom.html"
PDF = "page.pdf"
WARC = "exchange.warc.gz"
ENVIRONMENT = "environment.json"
FLAGGED = "listing.json"
IMAGES_DIR = "images"

OFFICE_TZ = ZoneInfo("Asia/Shanghai")
log = logging.getLogger(__name__)
USER_AGENT = "haopin-evidence/0.1 (+regional brand protection; county market-supervision bureau)"
VIEWPORT = {"width": 1280, "height": 900}
MAX_PAGE_BYTES = 16 * 1024 * 1024
MAX_IMAGE_BYTES = 8 * 1024 * 1024
MAX_IMAGES = 20
MAX_REDIRECTS = 5
MAX_SCREENSHOT_HEIGHT = 20_000
MAX_DOM_CHARS = 32 * 1024 * 1024
MAX_PDF_PAGES = 40
HTTP_TIMEOUT = 30.0
PAGE_TIMEOUT_MS = 45_000
_IMAGE_TYPES = {
    b"\x89PNG\r\n\x1a\n": "png",
    b"\xff\xd8\xff": "jpg",
    b"GIF87a": "gif",
    b"GIF89a": "gif",
}


class EvidenceError(Exception):
    """A capture that could not be made at all (bad URL, browser missing, directory exists)."""


@dataclass
class Fetched:
    url: str
    status: int | None
    content_type: str | None
    body: bytes
    final_url: str
    problem: str | None = None
    redirect_to: str | None = None


@dataclass
class CaptureResult:
    directory: Path
    url: str
    final_url: str | None
    http_status: int | None
    captured_at: datetime
    files: dict[str, str]
    sizes: dict[str, int]
    manifest_sha256: str
    problems: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return all(name in self.files for name in (SCREENSHOT, DOM, PDF, WARC, ENVIRONMENT))


# -- plain HTTP, recorded as WARC ------------------------------------------------------------------


class WarcRecorder:
    """Fetches with a bounded plain HTTP client and writes each request and response to a WARC file."""

    def __init__(self, path: Path, *, timeout: float = HTTP_TIMEOUT):
        from warcio.warcwriter import WARCWriter

        self._stream = open(path, "wb")  # noqa: SIM115 - closed in close()
        self._writer = WARCWriter(self._stream, gzip=True)
        self.timeout = timeout
        self._write_warcinfo()

    def _write_warcinfo(self) -> None:
        info = {
            "software": f"haopin {_version('haopin')} / warcio {_version('warcio')}",
            "format": "WARC/1.1",
        }
        self._writer.write_record(self._writer.create_warcinfo_record("exchange.warc.gz", info))

    def fetch(self, url: str, *, max_bytes: int, accept: str = "*/*") -> Fetched:
        """GET `url` following up to MAX_REDIRECTS redirects; every hop is recorded."""
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            fetched = self._fetch_once(current, max_bytes=max_bytes, accept=accept)
            if fetched.redirect_to is not None:
                current = fetched.redirect_to
                continue
            fetched.url = url
            return fetched
        return Fetched(url, None, None, b"", current, problem=f"more than {MAX_REDIRECTS} redirects")

    def _fetch_once(self, url: str, *, max_bytes: int, accept: str) -> Fetched:
        from warcio.statusandheaders import StatusAndHeaders

        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return Fetched(url, None, None, b"", url, problem=f"not an http(s) URL: {url[:200]}")
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        host_header = parts.netloc.rsplit("@", 1)[-1]
        headers = [
            ("Host", host_header),
            ("User-Agent", USER_AGENT),
            ("Accept", accept),
            # Identity: the WARC then holds exactly the bytes the server sent.
            ("Accept-Encoding", "identity"),
            ("Connection", "close"),
        ]
        if parts.scheme == "https":
            connection: http.client.HTTPConnection = http.client.HTTPSConnection(
                parts.hostname, parts.port, timeout=self.timeout, context=ssl.create_default_context()
            )
        else:
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=self.timeout)
        try:
            connection.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
            for name, value in headers:
                connection.putheader(name, value)
            connection.endheaders()
            response = connection.getresponse()
            body, truncated, slow = _read_bounded(
                response, max_bytes, deadline=time.monotonic() + self.timeout * 2
            )
            status, reason = response.status, response.reason
            response_headers = [_archived_header(name, value) for name, value in response.getheaders()]
            version = "HTTP/1.1" if response.version == 11 else "HTTP/1.0"
        except (OSError, http.client.HTTPException) as error:
            return Fetched(
                url, None, None, b"", url, problem=f"fetch failed: {type(error).__name__}: {error}"
            )
        finally:
            connection.close()

        request_headers = StatusAndHeaders(f"GET {path} HTTP/1.1", headers, is_http_request=True)
        request_record = self._writer.create_warc_record(
            url, "request", payload=io.BytesIO(b""), http_headers=request_headers
        )
        response_record = self._writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            length=len(body),
            http_headers=StatusAndHeaders(f"{status} {reason}", response_headers, protocol=version),
            warc_headers_dict={"WARC-Truncated": "length" if truncated else "time"}
            if truncated or slow
            else None,
        )
        request_record.rec_headers.replace_header(
            "WARC-Concurrent-To", response_record.rec_headers["WARC-Record-ID"]
        )
        self._writer.write_record(response_record)
        self._writer.write_record(request_record)

        location = response.getheader("Location")
        redirect_to = urljoin(url, location) if location and status in (301, 302, 303, 307, 308) else None
        problem = None
        if truncated:
            problem = f"{url[:200]}: larger than {max_bytes} bytes, truncated"
        elif slow:
            problem = f"{url[:200]}: still sending after {self.timeout * 2:.0f} s, truncated"
        return Fetched(
            url, status, response.getheader("Content-Type"), body, redirect_to or url, problem, redirect_to
        )

    def close(self) -> None:
        self._stream.close()


def _read_bounded(response, max_bytes: int, *, deadline: float) -> tuple[bytes, bool, bool]:
    """Read at most `max_bytes`, giving up at `deadline` (a server dripping bytes must not hang a
    capture). Returns (body, cut for size, cut for time)."""
    chunks: list[bytes] = []
    size = 0
    while size <= max_bytes:
        if time.monotonic() > deadline:
            return b"".join(chunks), False, True
        chunk = response.read1(64 * 1024)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    body = b"".join(chunks)
    return body[:max_bytes], len(body) > max_bytes, False


def _archived_header(name: str, value: str) -> tuple[str, str]:
    """http.client has already undone chunked transfer coding, so the archived body is not chunked:
    keep the original header under another name rather than mislead WARC readers."""
    if name.lower() == "transfer-encoding":
        return "X-Archive-Orig-Transfer-Encoding", value
    return name, value


# -- the browser -----------------------------------------------------------------------------------


@asynccontextmanager
async def evidence_browser() -> AsyncIterator:
    """One Chromium for several captures (each capture still gets a fresh, isolated browser context)."""
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import async_playwright

    if not Path(CHROMIUM).exists():
        raise EvidenceError(f"Chromium not found at {CHROMIUM}: run .ci/system-packages.sh")
    async with async_playwright() as playwright:
        try:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        except PlaywrightError as error:
            raise EvidenceError(f"Chromium could not start: {error.message.splitlines()[0]}") from error
        try:
            yield browser
        finally:
            await browser.close()


async def _browser_capture(url: str, directory: Path, *, timeout_ms: int, browser=None) -> dict:
    if browser is None:
        async with evidence_browser() as own:
            return await _render(own, url, directory, timeout_ms=timeout_ms)
    return await _render(browser, url, directory, timeout_ms=timeout_ms)


async def _render(browser, url: str, directory: Path, *, timeout_ms: int) -> dict:
    """Screenshot, DOM and PDF of `url`. A step that fails is noted and the others still run: a
    partial capture of a hostile page is worth more than none."""
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import TimeoutError as PlaywrightTimeoutError

    facts: dict = {"problems": [], "image_urls": [], "browser": f"Chromium {browser.version}"}
    problems = facts["problems"]
    context = await browser.new_context(
        viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai", accept_downloads=False
    )
    try:
        page = await context.new_page()
        facts["user_agent"] = await page.evaluate("navigator.userAgent")
        navigations: list[int] = []

        def on_response(response) -> None:
            if response.request.is_navigation_request() and response.frame == page.main_frame:
                navigations.append(response.status)

        page.on("response", on_response)
        try:
            await page.goto(url, wait_until="load", timeout=timeout_ms)
        except PlaywrightTimeoutError:
            if not navigations:
                problems.append(
                    f"browser could not load the page: no response within {timeout_ms / 1000:.0f} s"
                )
                return facts
            # The document arrived but something on it never finished: capture what is shown.
            problems.append(
                f"page did not finish loading within {timeout_ms / 1000:.0f} s; captured as it was"
            )
        except PlaywrightError as error:
            problems.append(f"browser could not load the page: {_first_line(error)}")
            return facts
        facts["status"] = navigations[-1] if navigations else None
        facts["final_url"] = page.url
        try:
            await page.wait_for_load_state("networkidle", timeout=5_000)
        except PlaywrightError:
            problems.append("page kept loading; captured after the load event")

        async def screenshot() -> None:
            height = await page.evaluate(
                "Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0)"
            )
            if height > MAX_SCREENSHOT_HEIGHT:
                problems.append(
                    f"page is {height}px tall; screenshot keeps the first {MAX_SCREENSHOT_HEIGHT}px"
                )
                clip = {"x": 0, "y": 0, "width": VIEWPORT["width"], "height": MAX_SCREENSHOT_HEIGHT}
                await page.screenshot(path=str(directory / SCREENSHOT), full_page=True, clip=clip)
            else:
                await page.screenshot(path=str(directory / SCREENSHOT), full_page=True)

        async def dom() -> None:
            html = await page.content()
            if len(html) > MAX_DOM_CHARS:
                problems.append(f"rendered page has {len(html)} characters; kept the first {MAX_DOM_CHARS}")
                html = html[:MAX_DOM_CHARS]
            (directory / DOM).write_text(html, encoding="utf-8")

        async def images() -> None:
            facts["image_urls"] = await page.evaluate(
                "Array.from(document.images).map(i => i.currentSrc || i.src).filter(Boolean)"
            )

        async def pdf() -> None:
            await page.emulate_media(media="screen")
            await page.pdf(
                path=str(directory / PDF),
                format="A4",
                print_background=True,
                page_ranges=f"1-{MAX_PDF_PAGES}",
            )

        async def fonts() -> None:
            facts["fonts"] = await _fonts_used(context, page)

        for name, step in (
            ("screenshot", screenshot),
            ("rendered DOM", dom),
            ("images", images),
            ("fonts", fonts),
            ("PDF", pdf),
        ):
            try:
                await step()
            except PlaywrightError as error:
                problems.append(f"{name} failed: {_first_line(error)}")
    finally:
        await context.close()
    return facts


async def _fonts_used(context, page, *, max_nodes: int = 200) -> dict[str, int]:
    """Which fonts Chromium drew the page's text with, and how many glyphs each: shows an examiner
    that Chinese text was rendered with a CJK font, not as missing-glyph boxes."""
    session = await context.new_cdp_session(page)
    try:
        await session.send("DOM.enable")
        await session.send("CSS.enable")
        root = await session.send("DOM.getDocument", {"depth": 0})
        found = await session.send(
            "DOM.querySelectorAll", {"nodeId": root["root"]["nodeId"], "selector": "body, body *"}
        )
        used: dict[str, int] = {}
        for node_id in found["nodeIds"][:max_nodes]:
            reply = await session.send("CSS.getPlatformFontsForNode", {"nodeId": node_id})
            for font in reply.get("fonts", []):
                used[font["familyName"]] = used.get(font["familyName"], 0) + int(font["glyphCount"])
        return dict(sorted(used.items(), key=lambda item: -item[1]))
    finally:
        await session.detach()


def _first_line(error) -> str:
    return (getattr(error, "message", None) or str(error)).splitlines()[0][:300]


# -- one capture -----------------------------------------------------------------------------------


async def capture_page(
    url: str,
    directory: Path,
    *,
    image_urls: Iterable[str] = (),
    context: dict | None = None,
    timeout_ms: int = PAGE_TIMEOUT_MS,
    browser=None,
    flagged: dict | None = None,
) -> CaptureResult:
    """Capture `url` into the new directory `directory`; `context` (ids, case) goes into environment.json.

    `browser` (from `evidence_browser()`) shares one Chromium between captures; without it one is started.
    `flagged` (the listing record and why it was flagged) is kept as listing.json, so the folder
    explains itself to whoever opens it.
    """
    if urlsplit(url).scheme not in ("http", "https"):
        raise EvidenceError(f"only http(s) pages can be captured, not {url[:200]!r}")
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise EvidenceError(f"{directory} already holds a capture; evidence is never overwritten")
    directory.mkdir(parents=True, exist_ok=True)
    captured_at = datetime.now(UTC)
    problems: list[str] = []

    facts = await _browser_capture(url, directory, timeout_ms=timeout_ms, browser=browser)
    problems.extend(facts["problems"])

    recorder = WarcRecorder(directory / WARC, timeout=min(HTTP_TIMEOUT, timeout_ms / 1000))
    try:
        page = await asyncio.to_thread(recorder.fetch, url, max_bytes=MAX_PAGE_BYTES, accept="text/html,*/*")
        if page.problem:
            problems.append(page.problem)
        candidates = _image_candidates(page.final_url or url, [*image_urls, *facts.get("image_urls", [])])
        if len(candidates) > MAX_IMAGES:
            problems.append(f"{len(candidates)} images on the page; kept the first {MAX_IMAGES}")
        kept = await asyncio.to_thread(_keep_images, recorder, candidates[:MAX_IMAGES], directory, problems)
    finally:
        recorder.close()

    environment = {
        "captured_at": captured_at.astimezone(OFFICE_TZ).isoformat(timespec="seconds"),
        "captured_at_utc": captured_at.isoformat(timespec="seconds"),
        "url": url,
        "final_url": facts.get("final_url"),
        "http_status": facts.get("status"),
        "plain_http": {"status": page.status, "final_url": page.final_url, "content_type": page.content_type},
        "images": kept,
        "tools": {
            "haopin": _version("haopin"),
            "python": sys.version.split()[0],
            "playwright": _version("playwright"),
            "browser": facts.get("browser"),
            "warcio": _version("warcio"),
            "os": platform.platform(),
        },
        "fonts": facts.get("fonts", {}),
        "browser_settings": {
            "user_agent": facts.get("user_agent"),
            "viewport": VIEWPORT,
            "locale": "zh-CN",
            "timezone": "Asia/Shanghai",
        },
        "http_client": {
            "user_agent": USER_AGENT,
            "max_page_bytes": MAX_PAGE_BYTES,
            "max_image_bytes": MAX_IMAGE_BYTES,
        },
        "context": context or {},
        "problems": problems,
    }
    if flagged is not None:
        (directory / FLAGGED).write_text(json.dumps(flagged, ensure_ascii=False, indent=2), encoding="utf-8")
    (directory / ENVIRONMENT).write_text(
        json.dumps(environment, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    files, sizes = seal(directory)
    return CaptureResult(
        directory=directory,
        url=url,
        final_url=facts.get("final_url"),
        http_status=facts.get("status"),
        captured_at=captured_at,
        files=files,
        sizes=sizes,
        manifest_sha256=sha256_file(directory / MANIFEST),
        problems=problems,
    )


def capture_page_sync(url: str, directory: Path, **options) -> CaptureResult:
    """`capture_page` for callers without an event loop (the CLI)."""
    return asyncio.run(capture_page(url, directory, **options))


def _image_candidates(base: str, urls: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for raw in urls:
        absolute = urljoin(base, raw.strip())
        if urlsplit(absolute).scheme in ("http", "https") and absolute not in seen:
            seen[absolute] = None
    return list(seen)


def _keep_images(
    recorder: WarcRecorder, urls: Sequence[str], directory: Path, problems: list[str]
) -> list[dict]:
    kept = []
    for url in urls:
        fetched = recorder.fetch(url, max_bytes=MAX_IMAGE_BYTES, accept="image/*")
        if fetched.problem:
            problems.append(fetched.problem)
            if fetched.body and "truncated" in fetched.problem:
                continue
        if fetched.status != 200 or not fetched.body:
            problems.append(f"image {url[:200]}: HTTP {fetched.status}")
            continue
        digest = hashlib.sha256(fetched.body).hexdigest()
        name = f"{IMAGES_DIR}/{digest}.{_image_extension(fetched.body)}"
        target = directory / name
        target.parent.mkdir(exist_ok=True)
        if not target.exists():
            target.write_bytes(fetched.body)
        kept.append({"url": url, "file": name, "sha256": digest, "content_type": fetched.content_type})
    return kept


def _image_extension(body: bytes) -> str:
    for magic, extension in _IMAGE_TYPES.items():
        if body.startswith(magic):
            return extension
    if body[:4] == b"RIFF" and body[8:12] == b"WEBP":
        return "webp"
    return "bin"


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


# -- sealing and verifying -------------------------------------------------------------------------


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _evidence_files(directory: Path) -> list[str]:
    return sorted(
        path.relative_to(directory).as_posix()
        for path in directory.rglob("*")
        if path.is_file() and path.name != MANIFEST
    )


def seal(directory: Path) -> tuple[dict[str, str], dict[str, int]]:
    """Write MANIFEST.sha256 over every file and make them all read-only."""
    files = {name: sha256_file(directory / name) for name in _evidence_files(directory)}
    sizes = {name: (directory / name).stat().st_size for name in files}
    manifest = "".join(f"{digest}  {name}\n" for name, digest in files.items())
    (directory / MANIFEST).write_text(manifest, encoding="utf-8")
    read_only = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH
    for name in [*files, MANIFEST]:
        os.chmod(directory / name, read_only)
    return files, sizes


@dataclass
class VerifyReport:
    directory: Path
    ok: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not (self.changed or self.missing or self.added or self.problems)


def read_manifest(directory: Path) -> dict[str, str]:
    entries: dict[str, str] = {}
    text = (directory / MANIFEST).read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64:
            raise EvidenceError(f"{directory / MANIFEST}, line {number}: not '<sha256>  <file>'")
        entries[name] = digest
    return entries


def verify_directory(
    directory: Path,
    *,
    expected_files: dict[str, str] | None = None,
    expected_manifest_sha256: str | None = None,
) -> VerifyReport:
    """Re-hash every file. With the database's record (`expected_*`), a manifest rewritten to match
    tampered files is caught too."""
    directory = Path(directory)
    report = VerifyReport(directory)
    if not directory.is_dir():
        report.problems.append(f"{directory} is not a directory")
        return report
    if not (directory / MANIFEST).is_file():
        report.missing.append(MANIFEST)
        manifest: dict[str, str] = {}
    else:
        try:
            manifest = read_manifest(directory)
        except EvidenceError as error:
            report.problems.append(str(error))
            manifest = {}
        if expected_manifest_sha256 and sha256_file(directory / MANIFEST) != expected_manifest_sha256:
            report.changed.append(MANIFEST)
    expected = dict(expected_files) if expected_files is not None else manifest
    if expected_files is not None:
        for name in sorted(set(manifest) ^ set(expected_files)):
            report.problems.append(f"{MANIFEST} and the database disagree about {name}")
    present = set(_evidence_files(directory))
    for name, digest in sorted(expected.items()):
        if name not in present:
            report.missing.append(name)
        elif sha256_file(directory / name) != digest:
            report.changed.append(name)
        else:
            report.ok.append(name)
    report.added.extend(sorted(present - set(expected)))
    return report


# -- cases -----------------------------------------------------------------------------------------


def evidence_root() -> Path:
    from crawler.datadir import data_dir

    return data_dir() / "evidence"


def stored_directory(directory: Path) -> str:
    """How the database names a capture folder: relative to the data folder when it lies inside it,
    so the data folder can be moved or restored elsewhere and verify-by-case still finds it."""
    from crawler.datadir import data_dir

    try:
        return Path(directory).resolve().relative_to(data_dir()).as_posix()
    except ValueError:
        return str(directory)


def capture_directory(stored: str) -> Path:
    """The capture folder a database row names (see `stored_directory`)."""
    from crawler.datadir import data_dir

    path = Path(stored)
    return path if path.is_absolute() else data_dir() / path


def capture_case(
    session_factory,
    case_id: int,
    *,
    root: Path | None = None,
    listing_id: int | None = None,
    actor: str = "haopin",
    timeout_ms: int = PAGE_TIMEOUT_MS,
) -> list[CaptureResult]:
    """Capture the case's listings (or one of them) and record the captures in the database."""
    return asyncio.run(
        capture_case_async(
            session_factory, case_id, root=root, listing_id=listing_id, actor=actor, timeout_ms=timeout_ms
        )
    )


async def capture_case_async(
    session_factory,
    case_id: int,
    *,
    root: Path | None = None,
    listing_id: int | None = None,
    actor: str = "haopin",
    timeout_ms: int = PAGE_TIMEOUT_MS,
    browser=None,
) -> list[CaptureResult]:
    """The crawl pipeline's entry point for a flagged listing: call with the case ids the store opened.

    `browser` (from `evidence_browser()`) shares one Chromium across cases; without it one is started.
    """
    from cases.models import Case

    with session_factory() as session:
        case = session.get(Case, case_id)
        if case is None:
            raise EvidenceError(f"no case {case_id}")
        targets = []
        for link in case.listings:
            if listing_id is not None and link.listing_id != listing_id:
                continue
            listing = link.listing
            record = listing.sightings[-1].record if listing.sightings else {}
            images = [url for url in record.get("images", []) if urlsplit(url).scheme in ("http", "https")]
            flagged = _why_flagged(session, case, listing.id, record)
            targets.append(
                (listing.id, listing.platform.slug, listing.external_id, listing.url, images, flagged)
            )
    if not targets:
        raise EvidenceError(
            f"case {case_id} has no listing {listing_id}" if listing_id else f"case {case_id} has no listings"
        )
    results: list[CaptureResult] = []
    failures: list[str] = []
    async with nullcontext(browser) if browser is not None else evidence_browser() as browser:
        for db_listing_id, platform_slug, external_id, url, images, flagged in targets:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
            directory = (root or evidence_root()) / f"case-{case_id}" / f"{stamp}-listing-{db_listing_id}"
            context = {
                "case_id": case_id,
                "listing_db_id": db_listing_id,
                "platform": platform_slug,
                "listing_id": external_id,
            }
            try:
                result = await capture_page(
                    url,
                    directory,
                    image_urls=images,
                    context=context,
                    timeout_ms=timeout_ms,
                    browser=browser,
                    flagged=flagged,
                )
            except (EvidenceError, OSError) as error:
                # One listing failing (a bad URL, a full disk) must not cost the case its other captures.
                failures.append(f"{platform_slug}:{external_id}: {error}")
                log.warning(
                    "evidence for case %s, %s:%s failed: %s", case_id, platform_slug, external_id, error
                )
                continue
            record_capture(session_factory, result, case_id=case_id, listing_id=db_listing_id, actor=actor)
            results.append(result)
    if failures and not results:
        raise EvidenceError(f"case {case_id}: no capture succeeded: " + "; ".join(failures))
    return results


def capture_url(
    session_factory,
    url: str,
    *,
    case_id: int | None = None,
    root: Path | None = None,
    actor: str = "haopin",
    timeout_ms: int = PAGE_TIMEOUT_MS,
) -> CaptureResult:
    """Capture a page an officer found by hand; filed under `case_id` when given, else under manual/."""
    from cases.models import Case

    if case_id is not None:
        with session_factory() as session:
            if session.get(Case, case_id) is None:
                raise EvidenceError(f"no case {case_id}")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    folder = f"case-{case_id}" if case_id is not None else "manual"
    directory = (root or evidence_root()) / folder / f"{stamp}-url"
    context = {"case_id": case_id, "requested_by": actor}
    result = asyncio.run(capture_page(url, directory, context=context, timeout_ms=timeout_ms))
    record_capture(session_factory, result, case_id=case_id, listing_id=None, actor=actor)
    return result


def _why_flagged(session, case, listing_db_id: int, record: dict) -> dict:
    """The listing as the crawler recorded it and the violations that put it in this case."""
    from sqlalchemy import select

    from cases.models import Finding, Violation

    violations = session.scalars(
        select(Violation)
        .join(Finding, Violation.finding_id == Finding.id)
        .where(Violation.case_id == case.id, Finding.listing_id == listing_db_id)
        .order_by(Violation.id.desc())
        .limit(5)
    ).all()
    return {
        "case": {"id": case.id, "mark": case.mark, "code": case.code, "status": case.status},
        "listing": record,
        "violations": [
            {
                "code": v.code,
                "mark": v.mark,
                "score": v.score,
                "reason": v.reason,
                "legal_basis": v.legal_basis,
                "evidence": v.evidence,
            }
            for v in violations
        ],
    }


def record_capture(
    session_factory, result: CaptureResult, *, case_id: int | None, listing_id: int | None, actor: str
) -> int:
    from cases.models import CaseEvent, EvidenceCapture, EvidenceFile

    with session_factory.begin() as session:
        capture = EvidenceCapture(
            case_id=case_id,
            listing_id=listing_id,
            captured_at=result.captured_at,
            directory=stored_directory(result.directory),
            url=result.url,
            final_url=result.final_url,
            http_status=result.http_status,
            manifest_sha256=result.manifest_sha256,
            complete=result.complete,
            problems=list(result.problems),
        )
        for name, digest in result.files.items():
            capture.files.append(EvidenceFile(name=name, sha256=digest, size=result.sizes[name]))
        session.add(capture)
        if case_id is not None:
            session.add(
                CaseEvent(
                    case_id=case_id,
                    actor=actor,
                    kind="evidence",
                    note=f"{result.directory.name}: {len(result.files)} 个文件，清单 SHA-256 {result.manifest_sha256[:16]}…",
                )
            )
        session.flush()
        return capture.id


def verify_case(session_factory, case_id: int) -> list[VerifyReport]:
    """Verify every capture of a case against the hashes stored in the database."""
    from cases.models import Case

    with session_factory() as session:
        case = session.get(Case, case_id)
        if case is None:
            raise EvidenceError(f"no case {case_id}")
        captures = [
            (capture_directory(capture.directory), {f.name: f.sha256 for f in capture.files},
             capture.manifest_sha256)
            for capture in case.captures
        ]
    return [
        verify_directory(directory, expected_files=files, expected_manifest_sha256=manifest)
        for directory, files, manifest in captures
    ]


async def capture_cases_async(
    session_factory,
    case_ids: Iterable[int],
    *,
    root: Path | None = None,
    actor: str = "haopin",
    timeout_ms: int = PAGE_TIMEOUT_MS,
    concurrency: int = 1,
    on_done: Callable[[int, list[CaptureResult] | str], None] | None = None,
) -> dict[int, list[CaptureResult] | str]:
    """For the crawl pipeline and the weekly job: capture each newly opened case.

    One case failing does not stop the others: its entry is the error message instead.
    Up to `concurrency` captures run at once; `on_done(case_id, outcome)` reports each as it ends.
    """
    gate = asyncio.Semaphore(max(1, concurrency))
    outcomes: dict[int, list[CaptureResult] | str] = {}

    async def capture(case_id: int, browser) -> None:
        async with gate:
            try:
                outcome: list[CaptureResult] | str = await capture_case_async(
                    session_factory, case_id, root=root, actor=actor, timeout_ms=timeout_ms, browser=browser
                )
            except Exception as error:  # one hostile or dead page must not end a crawl's evidence run
                outcome = f"{type(error).__name__}: {error}"
        outcomes[case_id] = outcome
        if on_done is not None:
            on_done(case_id, outcome)

    async with evidence_browser() as browser:
        await asyncio.gather(*(capture(case_id, browser) for case_id in case_ids))
    return outcomes
