"""The brand pack of CONTRACT.md §1 as typed, immutable values.

Loading and validation live beside the model (see `load_pack`); everything here
is plain data so matchers, spiders, the case database and reports can share it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

MARK_KINDS = ("word", "gi", "logo")
LICENSEE_STATUSES = ("active", "suspended", "revoked", "withdrawn", "eliminated")
CLAIM_KINDS = ("authorisation", "traceability", "origin")


@dataclass(frozen=True, slots=True)
class Mark:
    id: str
    kind: str
    text: str | None = None
    aliases: tuple[str, ...] = ()
    registration: str | None = None
    goods: tuple[str, ...] = ()
    origin: tuple[str, ...] = ()
    season: tuple[str, str] | None = None
    file: str | None = None
    of: str | None = None

    @property
    def is_word(self) -> bool:
        return self.kind == "word"

    @property
    def is_gi(self) -> bool:
        return self.kind == "gi"

    @property
    def is_logo(self) -> bool:
        return self.kind == "logo"


@dataclass(frozen=True, slots=True)
class ShopRef:
    """One `platform:shop` entry of licensees.csv; `ref` is a shop id or a shop name."""

    platform: str
    ref: str


@dataclass(frozen=True, slots=True)
class Licensee:
    licensee_id: str
    name: str
    uscc: str
    status: str
    marks: frozenset[str]
    goods: frozenset[str]
    valid_from: date
    valid_to: date | None
    exit_date: date | None
    disposal_deadline: date | None
    shops: tuple[ShopRef, ...]


@dataclass(frozen=True, slots=True)
class ReferencePrice:
    unit: str
    min: float


@dataclass(frozen=True, slots=True)
class Claims:
    authorisation: tuple[str, ...] = ()
    traceability: tuple[str, ...] = ()
    origin: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class BrandPack:
    root: Path
    brand: str
    owner: str
    timezone: str
    marks: tuple[Mark, ...]
    claims: Claims = field(default_factory=Claims)
    exceptions: tuple[str, ...] = ()
    legal_basis: Mapping[str, str] = field(default_factory=dict)
    reference_prices: Mapping[str, ReferencePrice] = field(default_factory=dict)
    licensees: tuple[Licensee, ...] = ()

    def mark(self, mark_id: str) -> Mark:
        for mark in self.marks:
            if mark.id == mark_id:
                return mark
        raise KeyError(mark_id)

    @property
    def word_marks(self) -> tuple[Mark, ...]:
        return tuple(mark for mark in self.marks if mark.is_word)

    @property
    def gi_marks(self) -> tuple[Mark, ...]:
        return tuple(mark for mark in self.marks if mark.is_gi)

    @property
    def logo_marks(self) -> tuple[Mark, ...]:
        return tuple(mark for mark in self.marks if mark.is_logo)

    def logo_path(self, mark: Mark) -> Path:
        if mark.file is None:
            raise ValueError(f"mark {mark.id} has no logo file")
        return self.root / mark.file
