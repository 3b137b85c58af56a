"""The item every spider yields: a CONTRACT §2 listing record as `matchers.records.Listing`.

Page objects build listings through `build_listing`, which drops absent optional
fields and turns a contract violation into an `ExtractionError` naming the field,
so a page whose layout changed fails loudly instead of yielding empty fields.
This module imports no Scrapy: page objects depend on it and stay I/O-free.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from matchers.records import Listing, RecordError, Seller

__all__ = [
    "ExtractionError",
    "Listing",
    "Seller",
    "build_listing",
    "captured_now",
    "clean_text",
    "parse_price",
]

CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")

_PRICE = re.compile(r"(\d+(?:[.,]\d+)*)")
# HTML's own whitespace only: an ideographic space (U+3000) or a no-break space in a title is
# something the seller wrote, often to disguise a mark, and must reach the matchers untouched.
_HTML_SPACE = " \t\n\r\f"
_SPACE = re.compile(f"[{_HTML_SPACE}]+")


class ExtractionError(Exception):
    """A page lacks a field the page object needs: the layout changed or the page is not what we asked for."""

    def __init__(self, platform: str, url: str, field: str, detail: str):
        super().__init__(f"{platform}: cannot extract {field!r} from {url}: {detail}")
        self.platform = platform
        self.url = url
        self.field = field
        self.detail = detail


def captured_now() -> str:
    """The capture time stamp of a listing: ISO 8601, China time, whole seconds."""
    return datetime.now(CHINA_TZ).replace(microsecond=0).isoformat()


def clean_text(value: str | None) -> str | None:
    """Collapse runs of HTML whitespace as a browser does (pages indent and wrap freely); blank is None."""
    if value is None:
        return None
    collapsed = _SPACE.sub(" ", value).strip(_HTML_SPACE)
    return collapsed or None


def parse_price(value: Any) -> float | None:
    """39.9 from '¥39.90', '39.90元', '1,299.00' or a number; None when there is no amount."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    match = _PRICE.search(str(value).replace("，", ","))
    if match is None:
        return None
    return float(match.group(1).replace(",", ""))


def build_listing(platform: str, url: str, fields: Mapping[str, Any]) -> Listing:
    """A validated Listing from extracted fields; None values and empty seller/attributes are left out."""
    record: dict[str, Any] = {"platform": platform, "url": url}
    for key, value in fields.items():
        if value is None:
            continue
        if key == "seller":
            value = {k: v for k, v in value.items() if v is not None}
            if not value:
                continue
        if key in ("attributes", "images") and not value:
            continue
        if key == "images":
            value = list(value)
        record[key] = value
    try:
        return Listing.from_record(record)
    except RecordError as error:
        raise ExtractionError(platform, url, error.field, error.message) from None
