"""Page objects driven by a YAML platform definition (crawler/platforms/<slug>.yaml), for platforms without Python.

A selector is written `css: <CSS>`, `xpath: <XPath>` or `json: <JMESPath>` (a bare
string is CSS), or as a mapping with options:

    title: {css: "div.item-title h2", required: true}
    listing_id: {css: "a.feed-link::attr(href)", re: "id=(\\d+)"}   # first group of the regex
    price: {json: "price", scale: 0.01}                             # fen -> yuan
    images: {css: "div.pics img::attr(src)", all: true}             # every match, made absolute
    ship_from: {css: "div.loc", strip: ["发货地："]}                  # labels cut from the front

See docs/platforms.md for the whole file format and a worked example.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import jmespath
from parsel import Selector

from crawler.items import ExtractionError, Listing, build_listing, clean_text, parse_price

LISTING_FIELDS = ("listing_id", "title", "description", "price", "currency", "unit", "ship_from", "images")
SELLER_FIELDS = ("seller.id", "seller.name", "seller.company", "seller.location", "seller.shop_url")
FIELD_NAMES = (*LISTING_FIELDS, *SELLER_FIELDS)
SELECTOR_KINDS = ("css", "xpath", "json")
SELECTOR_OPTIONS = {"re", "all", "required", "scale", "strip", "attr"}
PAGINATION_KINDS = ("page_number", "next_link", "cursor")
TOP_KEYS = {"platform", "name", "base_url", "demo_path", "render", "encoding", "max_pages", "allowed_hosts",
            "search", "item"}
SEARCH_KEYS = {"url", "format", "results", "empty", "listing_id", "item_url", "fields", "pagination", "ready"}
ITEM_KEYS = {"format", "fields", "attributes", "ready"}
PAGINATION_KEYS = {"kind", "first", "next", "cursor", "has_more"}


class DefinitionError(ValueError):
    """A platform definition that cannot be used; the message names the key path."""


@dataclass(frozen=True)
class FieldSelector:
    kind: str
    expression: str
    regex: re.Pattern[str] | None = None
    all: bool = False
    required: bool = False
    scale: float | None = None
    strip: tuple[str, ...] = ()

    @classmethod
    def parse(cls, spec: Any, where: str) -> FieldSelector:
        if isinstance(spec, str):
            kind, sep, expression = spec.partition(":")
            if sep and kind.strip() in SELECTOR_KINDS:
                return cls(kind.strip(), expression.strip())
            return cls("css", spec.strip())
        if not isinstance(spec, Mapping):
            raise DefinitionError(f"{where}: must be a selector string or a mapping")
        kinds = [k for k in SELECTOR_KINDS if k in spec]
        if len(kinds) != 1:
            raise DefinitionError(f"{where}: give exactly one of css, xpath or json")
        unknown = sorted(set(spec) - SELECTOR_OPTIONS - set(SELECTOR_KINDS))
        if unknown:
            raise DefinitionError(f"{where}.{unknown[0]}: unknown option (expected {sorted(SELECTOR_OPTIONS)})")
        regex = spec.get("re")
        try:
            compiled = re.compile(regex) if regex is not None else None
        except (re.error, TypeError) as error:
            raise DefinitionError(f"{where}.re: not a regular expression ({error})") from None
        scale = spec.get("scale")
        if scale is not None and (isinstance(scale, bool) or not isinstance(scale, (int, float))):
            raise DefinitionError(f"{where}.scale: must be a number")
        strip = spec.get("strip", [])
        if isinstance(strip, str):
            strip = [strip]
        return cls(kinds[0], str(spec[kinds[0]]).strip(), compiled, bool(spec.get("all", False)),
                   bool(spec.get("required", False)), scale, tuple(strip))

    def describe(self) -> str:
        return f"{self.kind}: {self.expression}"

    def nodes(self, node: Any) -> list[Any]:
        """The matched nodes themselves (sub-documents for json), to select further inside each."""
        if self.kind == "json":
            found = jmespath.search(self.expression, node)
            if found is None:
                return []
            return found if isinstance(found, list) else [found]
        return list(node.css(self.expression) if self.kind == "css" else node.xpath(self.expression))

    def values(self, node: Any) -> list[Any]:
        """Every raw match under `node`: JSON values as they are, an element as its text, a string as is."""
        if self.kind == "json":
            return self.nodes(node)
        return [match.root if isinstance(match.root, str) else " ".join(match.xpath(".//text()").getall())
                for match in self.nodes(node)]

    def clean(self, value: Any) -> Any:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return round(value * self.scale, 2) if self.scale is not None else value
        if not isinstance(value, str):
            value = json.dumps(value, ensure_ascii=False) if value is not None else None
        text = clean_text(value)
        if text is None:
            return None
        for label in self.strip:
            if text.startswith(label):
                text = clean_text(text[len(label):])
                if text is None:
                    return None
        if self.regex is not None:
            match = self.regex.search(text)
            if match is None:
                return None
            text = match.group(1) if match.groups() else match.group(0)
        if self.scale is not None:
            amount = parse_price(text)
            return None if amount is None else round(amount * self.scale, 2)
        return text


@dataclass(frozen=True)
class Pagination:
    kind: str
    first: int = 1
    next: FieldSelector | None = None
    cursor: FieldSelector | None = None
    has_more: FieldSelector | None = None


@dataclass(frozen=True)
class PlatformDefinition:
    platform: str
    search_url: str
    search_format: str
    results: FieldSelector
    empty: FieldSelector | None
    result_listing_id: FieldSelector | None
    item_url: FieldSelector | None
    search_fields: Mapping[str, FieldSelector]
    pagination: Pagination
    item_format: str
    item_fields: Mapping[str, FieldSelector]
    attributes: Mapping[str, FieldSelector] | None
    render: bool = False
    encoding: str | None = None
    search_ready: str | None = None
    item_ready: str | None = None

    @classmethod
    def parse(cls, data: Mapping[str, Any], source: str = "platform definition") -> PlatformDefinition:
        unknown = sorted(set(data) - TOP_KEYS)
        if unknown:
            raise DefinitionError(f"{source}: unknown key {unknown[0]!r} (expected {sorted(TOP_KEYS)})")
        search = _mapping(data.get("search"), f"{source}: search", required=True)
        _no_unknown(search, SEARCH_KEYS, f"{source}: search")
        url = search.get("url")
        if not isinstance(url, str) or "{keyword}" not in url:
            raise DefinitionError(f"{source}: search.url must be a URL template containing {{keyword}}")
        search_format = _format(search.get("format", "html"), f"{source}: search.format")
        pagination = _pagination(search.get("pagination"), url, f"{source}: search.pagination")
        if "results" not in search:
            raise DefinitionError(f"{source}: search.results (the selector of one search result) is required")
        item = _mapping(data.get("item"), f"{source}: item", required=False)
        _no_unknown(item, ITEM_KEYS, f"{source}: item")
        item_url = _selector(search.get("item_url"), f"{source}: search.item_url")
        if item and item_url is None:
            raise DefinitionError(f"{source}: search.item_url is required when an item page is defined")
        attributes = None
        if "attributes" in item:
            spec = _mapping(item["attributes"], f"{source}: item.attributes", required=True)
            _no_unknown(spec, {"rows", "key", "value", "keys", "values"}, f"{source}: item.attributes")
            attributes = {k: FieldSelector.parse(v, f"{source}: item.attributes.{k}") for k, v in spec.items()}
            if not ({"rows", "key", "value"} <= set(attributes) or {"keys", "values"} <= set(attributes)):
                raise DefinitionError(f"{source}: item.attributes needs rows+key+value or keys+values")
        encoding = data.get("encoding")
        if encoding is not None:
            try:
                codecs.lookup(str(encoding))
            except LookupError:
                raise DefinitionError(f"{source}: encoding {encoding!r} is not a known text encoding") from None
        return cls(
            platform=str(data.get("platform")),
            search_url=url,
            search_format=search_format,
            results=FieldSelector.parse(search["results"], f"{source}: search.results"),
            empty=_selector(search.get("empty"), f"{source}: search.empty"),
            result_listing_id=_selector(search.get("listing_id"), f"{source}: search.listing_id"),
            item_url=item_url,
            search_fields=_fields(search.get("fields", {}), f"{source}: search.fields"),
            pagination=pagination,
            item_format=_format(item.get("format", "html"), f"{source}: item.format"),
            item_fields=_fields(item.get("fields", {}), f"{source}: item.fields"),
            attributes=attributes,
            render=bool(data.get("render", False)),
            encoding=encoding,
            search_ready=search.get("ready"),
            item_ready=item.get("ready"),
        )

    @property
    def has_item_page(self) -> bool:
        return self.item_url is not None


def _mapping(value: Any, where: str, *, required: bool) -> Mapping[str, Any]:
    if value is None and not required:
        return {}
    if not isinstance(value, Mapping):
        raise DefinitionError(f"{where}: must be a mapping")
    return value


def _no_unknown(value: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise DefinitionError(f"{where}.{unknown[0]}: unknown key (expected one of {sorted(allowed)})")


def _format(value: Any, where: str) -> str:
    if value not in ("html", "json"):
        raise DefinitionError(f"{where}: must be html or json")
    return value


def _selector(spec: Any, where: str) -> FieldSelector | None:
    return None if spec is None else FieldSelector.parse(spec, where)


def _fields(spec: Any, where: str) -> dict[str, FieldSelector]:
    spec = _mapping(spec, where, required=True)
    fields = {}
    for name, selector in spec.items():
        if name not in FIELD_NAMES:
            raise DefinitionError(f"{where}.{name}: not a listing field (expected one of {list(FIELD_NAMES)})")
        fields[name] = FieldSelector.parse(selector, f"{where}.{name}")
    return fields


def _pagination(spec: Any, url: str, where: str) -> Pagination:
    spec = _mapping(spec, where, required=False) or {"kind": "page_number"}
    _no_unknown(spec, PAGINATION_KEYS, where)
    kind = spec.get("kind", "page_number")
    if kind not in PAGINATION_KINDS:
        raise DefinitionError(f"{where}.kind: must be one of {list(PAGINATION_KINDS)}")
    if kind == "page_number" and "{page}" not in url:
        raise DefinitionError(f"{where}: page_number pagination needs {{page}} in search.url")
    if kind == "next_link" and "next" not in spec:
        raise DefinitionError(f"{where}.next: the selector of the next-page link is required")
    if kind == "cursor" and ("cursor" not in spec or "{cursor}" not in url):
        raise DefinitionError(f"{where}: cursor pagination needs a cursor selector and {{cursor}} in search.url")
    first = spec.get("first", 1)
    if isinstance(first, bool) or not isinstance(first, int):
        raise DefinitionError(f"{where}.first: must be a whole number")
    return Pagination(kind, first, _selector(spec.get("next"), f"{where}.next"),
                      _selector(spec.get("cursor"), f"{where}.cursor"),
                      _selector(spec.get("has_more"), f"{where}.has_more"))


def _document(definition: PlatformDefinition, url: str, text: str, fmt: str, field: str) -> Any:
    if fmt == "json":
        try:
            return json.loads(text)
        except ValueError as error:
            raise ExtractionError(definition.platform, url, field, f"the response is not JSON ({error})") from None
    return Selector(text=text)


def extract(definition: PlatformDefinition, url: str, node: Any, fields: Mapping[str, FieldSelector]
            ) -> dict[str, Any]:
    """Field values under `node`; a required field with no value raises ExtractionError naming it."""
    values: dict[str, Any] = {}
    for name, selector in fields.items():
        cleaned = [v for v in (selector.clean(raw) for raw in selector.values(node)) if v not in (None, "")]
        if not cleaned:
            if selector.required:
                raise ExtractionError(definition.platform, url, name,
                                      f"nothing at {selector.describe()!r}; the page layout may have changed")
            continue
        if name == "images" or selector.all:
            values[name] = [urljoin(url, v) if name == "images" else v for v in cleaned]
        else:
            values[name] = cleaned[0]
    if "price" in values and not isinstance(values["price"], (int, float)):
        price = parse_price(values["price"])
        if price is None:
            raise ExtractionError(definition.platform, url, "price", f"{values['price']!r} is not a price")
        values["price"] = price
    return values


@dataclass(frozen=True)
class SearchResult:
    listing_id: str | None
    url: str | None
    fields: Mapping[str, Any]


class GenericSearchPage:
    def __init__(self, definition: PlatformDefinition, url: str, text: str):
        self.definition = definition
        self.url = url
        self.doc = _document(definition, url, text, definition.search_format, "search")

    def results(self) -> list[SearchResult]:
        d = self.definition
        if d.results.kind == "json" and not isinstance(jmespath.search(d.results.expression, self.doc), list):
            raise ExtractionError(d.platform, self.url, "search.results",
                                  f"{d.results.describe()!r} is not a list in the answer")
        nodes = d.results.nodes(self.doc)
        if not nodes:
            if d.empty is not None and d.empty.values(self.doc):
                return []
            if d.search_format == "html" and d.empty is not None:
                raise ExtractionError(d.platform, self.url, "search.results",
                                      f"neither results at {d.results.describe()!r} nor the empty-result marker;"
                                      " the page layout may have changed")
            return []
        results = []
        for index, node in enumerate(nodes):
            fields = extract(d, self.url, node, d.search_fields)
            listing_id = _first(d.result_listing_id, node) if d.result_listing_id else fields.get("listing_id")
            item_url = _first(d.item_url, node) if d.item_url else None
            if d.item_url is not None and item_url is None:
                raise ExtractionError(d.platform, self.url, f"search.results[{index}].item_url",
                                      f"nothing at {d.item_url.describe()!r}")
            if listing_id is not None:
                fields["listing_id"] = str(listing_id)
            results.append(SearchResult(fields.get("listing_id"),
                                        urljoin(self.url, item_url) if item_url else None, fields))
        return results

    def next_page_url(self) -> str | None:
        selector = self.definition.pagination.next
        href = _first(selector, self.doc) if selector else None
        return urljoin(self.url, href) if href else None

    def next_cursor(self) -> str | None:
        pagination = self.definition.pagination
        if pagination.has_more is not None:
            more = pagination.has_more.values(self.doc)
            if not more or more[0] in (False, "false", "0", 0, None):
                return None
        cursor = _first(pagination.cursor, self.doc) if pagination.cursor else None
        return None if cursor in (None, "") else str(cursor)


def _first(selector: FieldSelector, node: Any) -> Any:
    for raw in selector.values(node):
        value = selector.clean(raw)
        if value not in (None, ""):
            return value
    return None


class GenericListingPage:
    def __init__(self, definition: PlatformDefinition, url: str, text: str, *, captured_at: str | None = None):
        self.definition = definition
        self.url = url
        self.doc = _document(definition, url, text, definition.item_format, "item")
        self.captured_at = captured_at

    def fields(self) -> dict[str, Any]:
        return extract(self.definition, self.url, self.doc, self.definition.item_fields)

    def attributes(self) -> dict[str, str]:
        spec = self.definition.attributes
        if not spec:
            return {}
        if "rows" in spec:
            pairs = [(_first(spec["key"], row), _first(spec["value"], row)) for row in spec["rows"].nodes(self.doc)]
        else:
            keys = [spec["keys"].clean(v) for v in spec["keys"].values(self.doc)]
            values = [spec["values"].clean(v) for v in spec["values"].values(self.doc)]
            pairs = list(zip(keys, values, strict=False))
        return {str(k).rstrip("：:").strip(): str(v or "") for k, v in pairs if k}

    def to_listing(self, search_fields: Mapping[str, Any] | None = None) -> Listing:
        """Search-result fields first, the item page's on top (it is the fuller view of the listing)."""
        merged: dict[str, Any] = dict(search_fields or {})
        merged.update(self.fields())
        return listing_from_fields(self.definition, self.url, merged, self.attributes(), self.captured_at)


def listing_from_fields(definition: PlatformDefinition, url: str, fields: Mapping[str, Any],
                        attributes: Mapping[str, str] | None, captured_at: str | None) -> Listing:
    record: dict[str, Any] = {name: fields[name] for name in LISTING_FIELDS if name in fields}
    seller = {name.split(".", 1)[1]: fields[name] for name in SELLER_FIELDS if name in fields}
    if seller.get("shop_url"):
        seller["shop_url"] = urljoin(url, seller["shop_url"])
    for name in ("listing_id", "title"):
        if name not in record:
            raise ExtractionError(definition.platform, url, name, "no selector produced it; the page layout"
                                  " may have changed")
    record.update({"seller": seller, "attributes": dict(attributes or {}), "captured_at": captured_at,
                   "currency": record.get("currency", "CNY")})
    if isinstance(record.get("images"), str):
        record["images"] = [urljoin(url, record["images"])]
    return build_listing(definition.platform, url, record)
