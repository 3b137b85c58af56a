"""What every page object shares: field lookups that fail loudly, naming the field.

A page object reads one saved or fetched page (no I/O) and has one method per
listing field. Fields the platform always shows are looked up with `required`,
so a changed layout raises `ExtractionError("title")` instead of yielding an
empty title that would silently scan as clean.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urljoin

from parsel import Selector, SelectorList

from crawler.items import ExtractionError, clean_text, parse_price


class PageObject:
    platform: str = ""

    def __init__(self, url: str, html: str, *, captured_at: str | None = None):
        self.url = url
        self.sel = Selector(text=html)
        self.captured_at = captured_at

    def fail(self, field: str, detail: str) -> ExtractionError:
        return ExtractionError(self.platform, self.url, field, detail)

    def required(self, field: str, css: str, *, root: Selector | SelectorList | None = None) -> str:
        """The whitespace-collapsed text at `css`; an ExtractionError naming `field` when absent or blank."""
        value = self.optional(css, root=root)
        if value is None:
            raise self.fail(field, f"nothing at {css!r}; the page layout may have changed")
        return value

    def optional(self, css: str, *, root: Selector | SelectorList | None = None) -> str | None:
        node = (root if root is not None else self.sel).css(css)
        if not node:
            return None
        if css.endswith("::text") or "::attr(" in css:
            return clean_text(node.get())
        return clean_text(" ".join(node.css("::text").getall()))

    def container(self, field: str, css: str) -> SelectorList:
        node = self.sel.css(css)
        if not node:
            raise self.fail(field, f"no {css!r} on the page; the page layout may have changed")
        return node

    def absolute(self, path: str) -> str:
        return urljoin(self.url, path)

    def absolute_all(self, paths: list[str]) -> list[str]:
        seen: dict[str, None] = {}
        for path in paths:
            if path and path.strip():
                seen.setdefault(self.absolute(path.strip()), None)
        return list(seen)

    def required_price(self, field: str, css: str, *, root: Selector | SelectorList | None = None) -> float:
        text = self.required(field, css, root=root)
        price = parse_price(text)
        if price is None:
            raise self.fail(field, f"{text!r} at {css!r} is not a price")
        return price

    def table(self, rows_css: str, key_css: str, value_css: str) -> dict[str, str]:
        """A spec table (品牌/产地/净含量 …) as attributes; rows without a key are skipped."""
        attributes: dict[str, str] = {}
        for row in self.sel.css(rows_css):
            key = self.optional(key_css, root=row)
            value = self.optional(value_css, root=row)
            if key:
                attributes[key.rstrip("：:").strip()] = value or ""
        return attributes


def strip_label(value: str | None, *labels: str) -> str | None:
    """'发货地：江西 赣州' -> '江西 赣州'."""
    if value is None:
        return None
    for label in labels:
        if value.startswith(label):
            value = value[len(label):]
    return clean_text(value.lstrip("：: "))


def strip_unit(value: str | None) -> str | None:
    """'/箱' -> '箱'."""
    if value is None:
        return None
    return value.lstrip("/").strip() or None


def load_json(platform: str, url: str, text: str, field: str = "(response)") -> Any:
    try:
        return json.loads(text)
    except ValueError as error:
        raise ExtractionError(platform, url, field, f"the response is not JSON ({error})") from None
