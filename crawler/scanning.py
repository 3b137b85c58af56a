"""Scanning listing records with a brand pack: the per-listing step and the JSONL stream.

`Scanner(pack).scan(listing, base_dir)` is the step the crawl pipeline reuses;
`scan_stream` is `haopin scan`: one finding per valid input line, in input
order, invalid lines reported (stderr and `<output>.rejects.jsonl`) without
stopping, and memory flat in the input size (one line at a time).

Images: `analyse_images(listing, base_dir)` is the seam for image analysis
(logo detection, OCR). Without it a listing's images are not looked at and the
verdict rests on its text.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from matchers.pack import BrandPack
from matchers.records import Finding, Listing, RecordError
from matchers.verdict import Judge
from matchers.vision_types import ImageAnalysis

AnalyseImages = Callable[[Listing, Path], Sequence[ImageAnalysis]]

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_REJECTS = 3
REJECTS_SUFFIX = ".rejects.jsonl"
# A line longer than this is not a listing record; reading it whole would let one bad
# line exhaust memory.
MAX_LINE_BYTES = 8 * 1024 * 1024


class Scanner:
    """Judges listings against one brand pack; reusable across files and crawls."""

    def __init__(self, pack: BrandPack, *, analyse_images: AnalyseImages | None = None):
        self.pack = pack
        self.judge = Judge(pack)
        self.analyse_images = analyse_images
        # Listings whose images could not be analysed at all: judged on their text, counted here.
        self.image_failures = 0
        self.last_image_failure: str | None = None

    def scan(self, listing: Listing, base_dir: Path | None = None) -> Finding:
        images: Sequence[ImageAnalysis] = ()
        if self.analyse_images is not None and listing.images:
            try:
                images = self.analyse_images(listing, base_dir or Path.cwd())
            except Exception as error:  # one broken image must not stop a scan of thousands
                self.image_failures += 1
                self.last_image_failure = (
                    f"{listing.platform}/{listing.listing_id}: {type(error).__name__}: {error}"
                )
        return self.judge.judge(listing, images=images)


@dataclass(frozen=True, slots=True)
class Reject:
    line: int
    reason: str
    raw: str

    def to_record(self) -> dict[str, Any]:
        return {"line": self.line, "reason": self.reason, "raw": self.raw}


@dataclass(slots=True)
class ScanSummary:
    scanned: int = 0
    flagged: int = 0
    rejected: int = 0
    rejects_path: Path | None = None
    codes: dict[str, int] = field(default_factory=dict)

    @property
    def exit_status(self) -> int:
        return EXIT_REJECTS if self.rejected else EXIT_OK


def parse_line(raw: bytes, number: int) -> Listing | Reject | None:
    """A listing, a reject with its reason, or None for a blank line."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        shown = raw.decode("utf-8", errors="backslashreplace").rstrip("\r\n")
        return Reject(number, f"not UTF-8: byte 0x{raw[error.start]:02x} at byte {error.start + 1}", shown)
    if number == 1:
        text = text.removeprefix("\ufeff")
    stripped = text.strip()
    if not stripped:
        return None
    try:
        data = json.loads(stripped)
    except json.JSONDecodeError as error:
        return Reject(number, f"not valid JSON: {error.msg} at column {error.colno}", text.rstrip("\r\n"))
    except RecursionError:
        return Reject(number, "not valid JSON: nested too deeply", text.rstrip("\r\n"))
    try:
        return Listing.from_record(data)
    except RecordError as error:
        return Reject(number, f"field {error.field}: {error.message}", text.rstrip("\r\n"))


def read_lines(stream: IO[bytes]) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) per line; bytes is None for a line over MAX_LINE_BYTES (skipped to its end)."""
    number = 0
    while True:
        chunk = stream.readline(MAX_LINE_BYTES + 1)
        if not chunk:
            return
        number += 1
        if len(chunk) > MAX_LINE_BYTES and not chunk.endswith(b"\n"):
            while chunk and not chunk.endswith(b"\n"):
                chunk = stream.readline(MAX_LINE_BYTES)
            yield number, None
            continue
        yield number, chunk


def finding_line(finding: Finding) -> str:
    """The finding as one JSON line; most listings are clean, so those skip the generic encoder."""
    if not finding.violations and finding.risk == 0:
        licensee = "null" if finding.licensee_id is None else _string(finding.licensee_id)
        return (
            f'{{"platform":{_string(finding.platform)},"listing_id":{_string(finding.listing_id)},'
            f'"violations":[],"risk":0.0,"licensee_id":{licensee}}}\n'
        )
    return json.dumps(finding.to_record(), ensure_ascii=False, separators=(",", ":")) + "\n"


_string = json.JSONEncoder(ensure_ascii=False).encode


def rejects_path_for(output: Path) -> Path:
    return output.with_name(output.name + REJECTS_SUFFIX)


def scan_stream(
    scanner: Scanner,
    input_path: Path,
    output_path: Path,
    *,
    report: Callable[[str], None] | None = None,
    progress: bool = False,
    on_finding: Callable[[Listing, Finding], None] | None = None,
) -> ScanSummary:
    """Scan `input_path` (JSONL listings) into `output_path` (JSONL findings).

    `on_finding(listing, finding)` sees every pair as it is written: the case store hooks in here.
    """
    report = report or (lambda message: print(message, file=sys.stderr))
    summary = ScanSummary()
    rejects_path = rejects_path_for(output_path)
    if rejects_path.exists():
        rejects_path.unlink()  # a stale file from an earlier run would misreport this one
    base_dir = input_path.resolve().parent
    rejects: IO[str] | None = None
    bar = _progress_bar(input_path) if progress else None
    try:
        with input_path.open("rb") as source, output_path.open("w", encoding="utf-8", newline="\n") as out:
            for number, raw in read_lines(source):
                if bar is not None:
                    bar.update(len(raw) if raw is not None else MAX_LINE_BYTES)
                if raw is None:
                    parsed: Listing | Reject | None = Reject(
                        number, f"line longer than {MAX_LINE_BYTES} bytes; not a listing record", ""
                    )
                else:
                    parsed = parse_line(raw, number)
                if parsed is None:
                    continue
                if isinstance(parsed, Reject):
                    summary.rejected += 1
                    if rejects is None:
                        rejects = rejects_path.open("w", encoding="utf-8", newline="\n")
                        summary.rejects_path = rejects_path
                    rejects.write(json.dumps(parsed.to_record(), ensure_ascii=False) + "\n")
                    message = f"{input_path}: line {parsed.line}: {parsed.reason}"
                    if bar is not None:
                        bar.write(message, file=sys.stderr)
                    else:
                        report(message)
                    continue
                finding = scanner.scan(parsed, base_dir)
                out.write(finding_line(finding))
                if on_finding is not None:
                    on_finding(parsed, finding)
                summary.scanned += 1
                if finding.violations:
                    summary.flagged += 1
                    for violation in finding.violations:
                        summary.codes[violation.code] = summary.codes.get(violation.code, 0) + 1
    finally:
        if rejects is not None:
            rejects.close()
        if bar is not None:
            bar.close()
    return summary


def _progress_bar(input_path: Path):
    from tqdm import tqdm

    total = os.path.getsize(input_path)
    return tqdm(total=total, unit="B", unit_scale=True, desc="scan", file=sys.stderr, leave=False)
