"""The listing and finding records of CONTRACT.md §2–3 as typed values.

`Listing.from_record` validates a decoded JSON object and names the offending
field on failure; `to_record` gives back exactly the keys that were present, so
records round-trip unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

VIOLATION_CODES = (
    "MARK_UNAUTHORISED",
    "MARK_SIMILAR",
    "LOGO_UNAUTHORISED",
    "GI_FALSE_ORIGIN",
    "FALSE_AUTH_CLAIM",
    "FALSE_TRACE_CLAIM",
    "LICENCE_LAPSED",
    "OUT_OF_SCOPE",
)

LISTING_REQUIRED = ("platform", "listing_id", "url", "title", "captured_at")
SELLER_FIELDS = ("id", "name", "company", "location", "shop_url")
_SELLER_FIELDS = frozenset(SELLER_FIELDS)
DEFAULT_CURRENCY = "CNY"


class RecordError(ValueError):
    """A record that does not follow the contract; `field` is the dotted key path."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class Seller:
    id: str | None = None
    name: str | None = None
    company: str | None = None
    location: str | None = None
    shop_url: str | None = None

    @classmethod
    def from_record(cls, data: Any) -> Seller:
        if not isinstance(data, Mapping):
            raise RecordError("seller", f"must be an object, not {_json_type(data)}")
        unknown = sorted(data.keys() - _SELLER_FIELDS)
        if unknown:
            raise RecordError(f"seller.{unknown[0]}", "is not a seller field")
        return cls(**{key: _optional_str(data, key, f"seller.{key}") for key in SELLER_FIELDS})

    def to_record(self) -> dict[str, str]:
        return {key: getattr(self, key) for key in SELLER_FIELDS if getattr(self, key) is not None}


@dataclass(frozen=True, slots=True)
class Listing:
    platform: str
    listing_id: str
    url: str
    title: str
    captured_at: str
    description: str | None = None
    price: float | None = None
    currency: str | None = None
    unit: str | None = None
    seller: Seller | None = None
    ship_from: str | None = None
    images: tuple[str, ...] | None = None
    attributes: Mapping[str, str] | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.platform, self.listing_id)

    @property
    def currency_or_default(self) -> str:
        return self.currency or DEFAULT_CURRENCY

    @property
    def captured_datetime(self) -> datetime:
        return datetime.fromisoformat(self.captured_at)

    @classmethod
    def from_record(cls, data: Any) -> Listing:
        if not isinstance(data, Mapping):
            raise RecordError("(record)", f"must be a JSON object, not {_json_type(data)}")
        unknown = sorted(data.keys() - _LISTING_FIELDS)
        if unknown:
            raise RecordError(unknown[0], "is not a listing field")
        for key in LISTING_REQUIRED:
            if key not in data:
                raise RecordError(key, "is required")
        values: dict[str, Any] = {}
        for key in ("platform", "listing_id", "url"):
            values[key] = _required_str(data, key, non_empty=True)
        values["title"] = _required_str(data, "title", non_empty=False)
        values["captured_at"] = _timestamp(data, "captured_at")
        for key in ("description", "currency", "unit", "ship_from"):
            values[key] = _optional_str(data, key, key)
        values["price"] = _price(data)
        if data.get("seller") is not None:
            values["seller"] = Seller.from_record(data["seller"])
        values["images"] = _images(data)
        values["attributes"] = _attributes(data)
        return cls(**values)

    def to_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "platform": self.platform,
            "listing_id": self.listing_id,
            "url": self.url,
            "title": self.title,
        }
        for key in ("description", "price", "currency", "unit"):
            if getattr(self, key) is not None:
                record[key] = getattr(self, key)
        if self.seller is not None:
            record["seller"] = self.seller.to_record()
        if self.ship_from is not None:
            record["ship_from"] = self.ship_from
        if self.images is not None:
            record["images"] = list(self.images)
        if self.attributes is not None:
            record["attributes"] = dict(self.attributes)
        record["captured_at"] = self.captured_at
        return record


_LISTING_FIELDS = frozenset(Listing.__dataclass_fields__)


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a violation was seen: a text field and character span, or an image and box."""

    field: str
    span: tuple[int, int] | None = None
    matched: str | None = None
    bbox: tuple[int, int, int, int] | None = None
    distance: float | None = None

    def to_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {"field": self.field}
        if self.span is not None:
            record["span"] = list(self.span)
        if self.matched is not None:
            record["matched"] = self.matched
        if self.bbox is not None:
            record["bbox"] = list(self.bbox)
        if self.distance is not None:
            record["distance"] = self.distance
        return record

    @classmethod
    def from_record(cls, data: Mapping[str, Any]) -> Evidence:
        return cls(
            field=data["field"],
            span=tuple(data["span"]) if "span" in data else None,
            matched=data.get("matched"),
            bbox=tuple(data["bbox"]) if "bbox" in data else None,
            distance=data.get("distance"),
        )


@dataclass(frozen=True, slots=True)
class Violation:
    code: str
    mark: str
    score: float
    reason: str
    evidence: Evidence
    legal_basis: str

    def __post_init__(self) -> None:
        if self.code not in VIOLATION_CODES:
            raise ValueError(f"unknown violation code {self.code!r}")
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"score {self.score} is outside [0, 1]")

    def to_record(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "mark": self.mark,
            "score": round(self.score, 4),
            "reason": self.reason,
            "evidence": self.evidence.to_record(),
            "legal_basis": self.legal_basis,
        }

    @classmethod
    def from_record(cls, data: Mapping[str, Any]) -> Violation:
        return cls(
            code=data["code"],
            mark=data["mark"],
            score=float(data["score"]),
            reason=data["reason"],
            evidence=Evidence.from_record(data["evidence"]),
            legal_basis=data["legal_basis"],
        )


@dataclass(frozen=True, slots=True)
class Finding:
    platform: str
    listing_id: str
    violations: tuple[Violation, ...]
    risk: float
    licensee_id: str | None

    def to_record(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "listing_id": self.listing_id,
            "violations": [violation.to_record() for violation in self.violations],
            "risk": round(self.risk, 4),
            "licensee_id": self.licensee_id,
        }

    @classmethod
    def from_record(cls, data: Mapping[str, Any]) -> Finding:
        return cls(
            platform=data["platform"],
            listing_id=data["listing_id"],
            violations=tuple(Violation.from_record(v) for v in data["violations"]),
            risk=float(data["risk"]),
            licensee_id=data.get("licensee_id"),
        )


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _required_str(data: Mapping[str, Any], key: str, *, non_empty: bool) -> str:
    value = data[key]
    if not isinstance(value, str):
        raise RecordError(key, f"must be a string, not {_json_type(value)}")
    if non_empty and not value.strip():
        raise RecordError(key, "must not be empty")
    return value


def _optional_str(data: Mapping[str, Any], key: str, path: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise RecordError(path, f"must be a string, not {_json_type(value)}")
    return value


def _timestamp(data: Mapping[str, Any], key: str) -> str:
    value = _required_str(data, key, non_empty=True)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise RecordError(key, f"{value!r} is not an ISO 8601 date-time") from None
    if parsed.tzinfo is None:
        raise RecordError(key, f"{value!r} has no UTC offset (e.g. +08:00)")
    return value


def _price(data: Mapping[str, Any]) -> float | None:
    value = data.get("price")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RecordError("price", f"must be a number, not {_json_type(value)}")
    if not math.isfinite(value) or value < 0:
        raise RecordError("price", f"{value} is not a non-negative amount")
    return value


def _images(data: Mapping[str, Any]) -> tuple[str, ...] | None:
    value = data.get("images")
    if value is None:
        return None
    if not isinstance(value, list):
        raise RecordError("images", f"must be an array, not {_json_type(value)}")
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item:
            raise RecordError(f"images[{index}]", "must be a non-empty string (URL or relative path)")
    return tuple(value)


def _attributes(data: Mapping[str, Any]) -> Mapping[str, str] | None:
    value = data.get("attributes")
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise RecordError("attributes", f"must be an object, not {_json_type(value)}")
    for key, item in value.items():
        if not isinstance(item, str):
            raise RecordError(f"attributes.{key}", f"must be a string, not {_json_type(item)}")
    return dict(value)
