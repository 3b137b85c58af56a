"""The brand pack of CONTRACT.md §1 as typed, immutable values.

Loading and validation live beside the model (see `load_pack`); everything here
is plain data so matchers, spiders, the case database and reports can share it.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from PIL import Image

from matchers.records import VIOLATION_CODES

MARK_KINDS = ("word", "gi", "logo")
LICENSEE_STATUSES = ("active", "suspended", "revoked", "withdrawn", "eliminated")
# The register's Chinese terms, as an association may type them.
STATUS_SYNONYMS = {
    "有效": "active",
    "暂停": "suspended",
    "授权取消": "revoked",
    "主动退出": "withdrawn",
    "末位淘汰": "eliminated",
}
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


# ---------------------------------------------------------------------------
# Loading and validation
# ---------------------------------------------------------------------------

BRAND_FILE = "brand.yaml"
DEFAULT_TIMEZONE = "Asia/Shanghai"
LICENSEES_FILE = "licensees.csv"
LICENSEE_COLUMNS = (
    "licensee_id",
    "name",
    "uscc",
    "status",
    "marks",
    "goods",
    "valid_from",
    "valid_to",
    "exit_date",
    "disposal_deadline",
    "shops",
)
TOP_LEVEL_KEYS = (
    "brand",
    "owner",
    "timezone",
    "marks",
    "claims",
    "exceptions",
    "legal_basis",
    "reference_prices",
)
MARK_KEYS_BY_KIND = {
    "word": ("id", "kind", "text", "aliases", "registration", "goods"),
    "gi": ("id", "kind", "text", "aliases", "registration", "goods", "origin", "season"),
    "logo": ("id", "kind", "file", "of", "registration"),
}
MARK_ID_PATTERN = re.compile(r"[A-Z0-9_]+")
SEASON_PATTERN = re.compile(r"(\d\d)-(\d\d)")
PLATFORM_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]*")
# Bounds on what the pack may make us read: the pack is edited by hand and a
# wrong file dropped into logos/ must not exhaust memory.
MAX_TEXT_FILE_BYTES = 16 * 1024 * 1024
MAX_LOGO_FILE_BYTES = 20 * 1024 * 1024
MAX_LOGO_PIXELS = 40_000_000

# GB 32100-2015 统一社会信用代码: 18 characters from this alphabet (no I, O, Z, S, V),
# the last a check character over the first 17.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_character(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters of a code."""
    total = sum(
        USCC_ALPHABET.index(char) * weight for char, weight in zip(first17, USCC_WEIGHTS, strict=True)
    )
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_problem(code: str) -> str | None:
    """Why `code` is not a valid 统一社会信用代码, or None when it is."""
    if len(code) != 18:
        return f"统一社会信用代码 {code!r} has {len(code)} characters, not 18"
    bad = sorted({char for char in code if char not in USCC_ALPHABET})
    if bad:
        return f"统一社会信用代码 {code!r} contains {''.join(bad)!r}, not allowed by GB 32100-2015"
    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        return (
            f"统一社会信用代码 {code!r} has check character {code[17]!r}, "
            f"but GB 32100-2015 gives {expected!r} (a typo in the code?)"
        )
    return None


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a pack: the file, where in it, and what is wrong."""

    file: str
    location: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.location}" if self.location else self.file
        return f"{where}: {self.message}"


class PackError(Exception):
    """A brand pack that cannot be used; `problems` lists everything found."""

    def __init__(self, root: Path | str, problems: list[Problem]):
        self.root = Path(root)
        self.problems = list(problems)
        count = len(self.problems)
        summary = f"brand pack {self.root} has {count} problem{'s' if count != 1 else ''}"
        super().__init__(summary + "".join(f"\n  {problem}" for problem in self.problems))


def load_pack(path: Path | str) -> BrandPack:
    """Read and validate the brand pack folder at `path`; raise PackError listing every problem."""
    pack, problems = _PackReader(Path(path)).read()
    if problems or pack is None:
        raise PackError(path, problems)
    return pack


def check_pack(path: Path | str) -> list[Problem]:
    """Every problem in the pack at `path` (empty when it can be used)."""
    return _PackReader(Path(path)).read()[1]


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys: the second would silently win."""


def _construct_unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, int] = {}
    for key_node, _value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark
            ) from None
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (first on line {seen[key] + 1})",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping)


def _type_name(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "a yes/no value"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, (date, datetime)):
        return "a date"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


class _PackReader:
    """Collects every problem instead of stopping at the first, so one `pack check` shows them all."""

    def __init__(self, root: Path):
        self.root = root
        self.problems: list[Problem] = []

    def problem(self, file: str, location: str, message: str) -> None:
        self.problems.append(Problem(file, location, message))

    # -- entry ---------------------------------------------------------------

    def read(self) -> tuple[BrandPack | None, list[Problem]]:
        if not self.root.is_dir():
            self.problem(str(self.root), "", "is not a folder (a brand pack is a folder with brand.yaml)")
            return None, self.problems
        brand = self._read_brand()
        # Without a readable brand.yaml the mark ids of licensees.csv cannot be checked: better
        # no verdict on them than one spurious "not defined" per row.
        known = {mark.id: mark for mark in brand["marks"]} if brand is not None else None
        licensees = self._read_licensees(known)
        if self.problems or brand is None:
            return None, self.problems
        pack = BrandPack(root=self.root, licensees=licensees, **brand)
        return pack, self.problems

    def _read_text(self, name: str) -> str | None:
        path = self.root / name
        if not path.is_file():
            self.problem(name, "", "is missing")
            return None
        size = path.stat().st_size
        if size > MAX_TEXT_FILE_BYTES:
            self.problem(name, "", f"is {size} bytes; a pack file is at most {MAX_TEXT_FILE_BYTES} bytes")
            return None
        raw = path.read_bytes()
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = raw[: error.start].count(b"\n") + 1
            hint = "save the file as UTF-8"
            try:
                raw.decode("gb18030")
                hint = "it looks like GBK/GB18030 (Excel's default); save it as UTF-8 (Excel: CSV UTF-8)"
            except UnicodeDecodeError:
                pass
            self.problem(
                name,
                f"line {line}",
                f"is not UTF-8 (byte 0x{raw[error.start]:02x} at offset {error.start}); {hint}",
            )
            return None

    # -- brand.yaml ----------------------------------------------------------

    def _read_brand(self) -> dict[str, Any] | None:
        text = self._read_text(BRAND_FILE)
        if text is None:
            return None
        try:
            data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            reason = getattr(error, "problem", None) or str(error)
            context = getattr(error, "context", None)
            self.problem(
                BRAND_FILE, where, f"is not valid YAML: {reason}" + (f" ({context})" if context else "")
            )
            return None
        if not isinstance(data, dict):
            self.problem(
                BRAND_FILE, "", f"must be a mapping of keys (brand, owner, marks …), not {_type_name(data)}"
            )
            return None
        for key in data:
            if key not in TOP_LEVEL_KEYS:
                self.problem(
                    BRAND_FILE,
                    str(key),
                    f"unknown key{_did_you_mean(key, TOP_LEVEL_KEYS)}; allowed keys are {', '.join(TOP_LEVEL_KEYS)}",
                )
        result: dict[str, Any] = {}
        result["brand"] = self._required_text(data, "brand", "brand")
        result["owner"] = self._optional_text(data, "owner", "owner") or ""
        result["timezone"] = self._timezone(data)
        result["marks"] = self._marks(data.get("marks"))
        result["claims"] = self._claims(data.get("claims"))
        result["exceptions"] = self._text_list(data.get("exceptions"), "exceptions")
        result["legal_basis"] = self._legal_basis(data.get("legal_basis"))
        result["reference_prices"] = self._reference_prices(data.get("reference_prices"))
        return result

    def _required_text(self, data: dict, key: str, path: str) -> str:
        if key not in data or data[key] is None:
            self.problem(BRAND_FILE, path, "is required")
            return ""
        value = data[key]
        if not isinstance(value, str):
            self.problem(BRAND_FILE, path, f"must be text, not {_type_name(value)}")
            return ""
        if not value.strip():
            self.problem(BRAND_FILE, path, "must not be empty")
            return ""
        return value.strip()

    def _optional_text(self, data: dict, key: str, path: str) -> str | None:
        if data.get(key) is None:
            return None
        return self._required_text(data, key, path) or None

    def _text_list(self, value: Any, path: str, *, required: bool = False) -> tuple[str, ...]:
        if value is None:
            if required:
                self.problem(BRAND_FILE, path, "is required (a list of text)")
            return ()
        if not isinstance(value, list):
            self.problem(BRAND_FILE, path, f"must be a list of text, not {_type_name(value)}")
            return ()
        items: list[str] = []
        for index, item in enumerate(value):
            if not isinstance(item, str):
                self.problem(BRAND_FILE, f"{path}[{index}]", f"must be text, not {_type_name(item)}")
            elif not item.strip():
                self.problem(BRAND_FILE, f"{path}[{index}]", "must not be empty")
            elif item.strip() not in items:  # a repeated entry is harmless: kept once
                items.append(item.strip())
        if required and not items and isinstance(value, list) and not value:
            self.problem(BRAND_FILE, path, "must list at least one entry")
        return tuple(items)

    def _timezone(self, data: dict) -> str:
        if data.get("timezone") is None:
            return DEFAULT_TIMEZONE  # regional brands of China: licence dates are China Standard Time
        name = self._required_text(data, "timezone", "timezone")
        if name:
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                self.problem(
                    BRAND_FILE, "timezone", f"{name!r} is not an IANA time zone (e.g. Asia/Shanghai)"
                )
                return ""
        return name

    def _marks(self, value: Any) -> tuple[Mark, ...]:
        if value is None:
            self.problem(BRAND_FILE, "marks", "is required (the list of protected signs)")
            return ()
        if not isinstance(value, list):
            self.problem(BRAND_FILE, "marks", f"must be a list, not {_type_name(value)}")
            return ()
        if not value:
            self.problem(BRAND_FILE, "marks", "must list at least one mark")
        marks: list[Mark] = []
        first_index: dict[str, int] = {}
        for index, entry in enumerate(value):
            mark = self._mark(entry, f"marks[{index}]")
            if mark is None:
                continue
            if mark.id in first_index:
                self.problem(
                    BRAND_FILE,
                    f"marks[{index}].id",
                    f"duplicate id {mark.id!r} (also marks[{first_index[mark.id]}])",
                )
                continue
            first_index[mark.id] = index
            marks.append(mark)
        self._check_mark_references(marks, first_index)
        return tuple(marks)

    def _mark(self, entry: Any, path: str) -> Mark | None:
        if not isinstance(entry, dict):
            self.problem(BRAND_FILE, path, f"must be a mapping with id and kind, not {_type_name(entry)}")
            return None
        kind = entry.get("kind")
        if kind not in MARK_KINDS:
            if kind is None:
                self.problem(BRAND_FILE, f"{path}.kind", f"is required: one of {', '.join(MARK_KINDS)}")
            else:
                self.problem(BRAND_FILE, f"{path}.kind", f"{kind!r} is not one of {', '.join(MARK_KINDS)}")
            allowed = set().union(*MARK_KEYS_BY_KIND.values())
        else:
            allowed = set(MARK_KEYS_BY_KIND[kind])
        for key in entry:
            if key not in allowed:
                known_elsewhere = any(key in keys for keys in MARK_KEYS_BY_KIND.values())
                hint = (
                    f"not used by {kind} marks"
                    if known_elsewhere and kind in MARK_KINDS
                    else f"allowed keys are {', '.join(MARK_KEYS_BY_KIND.get(kind, sorted(allowed)))}"
                )
                suggestion = _did_you_mean(key, allowed)
                self.problem(BRAND_FILE, f"{path}.{key}", f"unknown key{suggestion}; {hint}")
        mark_id = self._required_text(entry, "id", f"{path}.id")
        if mark_id and not MARK_ID_PATTERN.fullmatch(mark_id):
            self.problem(BRAND_FILE, f"{path}.id", f"{mark_id!r} must use only A-Z, 0-9 and _")
        if kind not in MARK_KINDS:
            return None
        values: dict[str, Any] = {"id": mark_id, "kind": kind}
        values["registration"] = self._optional_text(entry, "registration", f"{path}.registration")
        if kind in ("word", "gi"):
            values["text"] = self._required_text(entry, "text", f"{path}.text") or None
            values["aliases"] = self._text_list(entry.get("aliases"), f"{path}.aliases")
            values["goods"] = self._text_list(entry.get("goods"), f"{path}.goods")
        if kind == "gi":
            values["origin"] = self._text_list(entry.get("origin"), f"{path}.origin", required=True)
            values["season"] = self._season(entry.get("season"), f"{path}.season")
        if kind == "logo":
            values["file"] = self._logo_file(entry, f"{path}.file")
            values["of"] = self._optional_text(entry, "of", f"{path}.of")
        return Mark(**values)

    def _season(self, value: Any, path: str) -> tuple[str, str] | None:
        if value is None:
            return None
        if not isinstance(value, list) or len(value) != 2:
            self.problem(BRAND_FILE, path, 'must be a list of two "MM-DD" dates, e.g. ["11-01", "06-30"]')
            return None
        days: list[str] = []
        for index, item in enumerate(value):
            where = f"{path}[{index}]"
            if not isinstance(item, str):
                self.problem(BRAND_FILE, where, f'must be a quoted "MM-DD" date, not {_type_name(item)}')
                continue
            match = SEASON_PATTERN.fullmatch(item.strip())
            if not match:
                self.problem(BRAND_FILE, where, f'{item!r} is not an "MM-DD" date')
                continue
            try:
                date(2000, int(match.group(1)), int(match.group(2)))  # a leap year, so 02-29 is allowed
            except ValueError:
                self.problem(BRAND_FILE, where, f"{item!r} is not a day of the year")
                continue
            days.append(item.strip())
        if len(days) != 2:
            return None
        return (days[0], days[1])

    def _logo_file(self, entry: dict, path: str) -> str | None:
        name = self._required_text(entry, "file", path)
        if not name:
            return None
        candidate = (self.root / name).resolve()
        if Path(name).is_absolute() or not candidate.is_relative_to(self.root.resolve()):
            self.problem(
                BRAND_FILE, path, f"{name!r} must be a path inside the pack folder, e.g. logos/main.png"
            )
            return None
        if not candidate.is_file():
            self.problem(BRAND_FILE, path, f"logo file {name!r} does not exist in the pack")
            return None
        size = candidate.stat().st_size
        if size > MAX_LOGO_FILE_BYTES:
            self.problem(
                BRAND_FILE, path, f"logo file {name!r} is {size} bytes, more than {MAX_LOGO_FILE_BYTES}"
            )
            return None
        reason = _undecodable_image_reason(candidate)
        if reason:
            self.problem(BRAND_FILE, path, f"logo file {name!r} cannot be used: {reason}")
            return None
        return name

    def _check_mark_references(self, marks: list[Mark], index_of: dict[str, int]) -> None:
        by_id = {mark.id: mark for mark in marks}
        owner_of_text: dict[str, str] = {}
        for mark in marks:
            if mark.is_logo and mark.of is not None:
                target = by_id.get(mark.of)
                if target is None:
                    self.problem(
                        BRAND_FILE, f"marks[{index_of[mark.id]}].of", f"mark {mark.of!r} is not defined"
                    )
                elif target.is_logo:
                    self.problem(
                        BRAND_FILE,
                        f"marks[{index_of[mark.id]}].of",
                        f"{mark.of!r} is a logo, not a word mark",
                    )
            if mark.text is None:
                continue
            for spelling_index, spelling in enumerate((mark.text, *mark.aliases)):
                key = spelling.casefold()
                other = owner_of_text.get(key)
                if other is not None and other != mark.id:
                    where = "text" if spelling_index == 0 else f"aliases[{spelling_index - 1}]"
                    self.problem(
                        BRAND_FILE,
                        f"marks[{index_of[mark.id]}].{where}",
                        f"{spelling!r} is already a spelling of mark {other!r}; a hit could not be attributed",
                    )
                owner_of_text.setdefault(key, mark.id)

    def _claims(self, value: Any) -> Claims:
        if value is None:
            return Claims()
        if not isinstance(value, dict):
            self.problem(
                BRAND_FILE,
                "claims",
                f"must be a mapping of {', '.join(CLAIM_KINDS)}, not {_type_name(value)}",
            )
            return Claims()
        for key in value:
            if key not in CLAIM_KINDS:
                self.problem(
                    BRAND_FILE,
                    f"claims.{key}",
                    f"unknown key{_did_you_mean(key, CLAIM_KINDS)}; allowed keys are {', '.join(CLAIM_KINDS)}",
                )
        return Claims(**{kind: self._text_list(value.get(kind), f"claims.{kind}") for kind in CLAIM_KINDS})

    def _legal_basis(self, value: Any) -> dict[str, str]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem(
                BRAND_FILE, "legal_basis", f"must map violation codes to citations, not {_type_name(value)}"
            )
            return {}
        result: dict[str, str] = {}
        for code, citation in value.items():
            where = f"legal_basis.{code}"
            if code not in VIOLATION_CODES:
                self.problem(
                    BRAND_FILE,
                    where,
                    f"{code!r} is not a violation code{_did_you_mean(code, VIOLATION_CODES)}; "
                    f"codes are {', '.join(VIOLATION_CODES)}",
                )
                continue
            if not isinstance(citation, str) or not citation.strip():
                self.problem(BRAND_FILE, where, f"must be the citation text, not {_type_name(citation)}")
                continue
            result[code] = citation.strip()
        return result

    def _reference_prices(self, value: Any) -> dict[str, ReferencePrice]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem(
                BRAND_FILE,
                "reference_prices",
                f"must map goods words to {{unit, min}}, not {_type_name(value)}",
            )
            return {}
        result: dict[str, ReferencePrice] = {}
        for goods, entry in value.items():
            where = f"reference_prices.{goods}"
            if not isinstance(goods, str) or not goods.strip():
                self.problem(BRAND_FILE, where, "the goods word must be text")
                continue
            if not isinstance(entry, dict):
                self.problem(
                    BRAND_FILE, where, f"must be a mapping {{unit: 斤, min: 3.0}}, not {_type_name(entry)}"
                )
                continue
            for key in entry:
                if key not in ("unit", "min"):
                    self.problem(BRAND_FILE, f"{where}.{key}", "unknown key; allowed keys are unit, min")
            unit = self._required_text(entry, "unit", f"{where}.unit")
            minimum = entry.get("min")
            if minimum is None:
                self.problem(BRAND_FILE, f"{where}.min", "is required (the lowest plausible price per unit)")
                continue
            if (
                isinstance(minimum, bool)
                or not isinstance(minimum, (int, float))
                or not math.isfinite(minimum)
            ):
                self.problem(BRAND_FILE, f"{where}.min", f"must be a number, not {_type_name(minimum)}")
                continue
            if minimum <= 0:
                self.problem(BRAND_FILE, f"{where}.min", f"{minimum} must be more than 0")
                continue
            if unit:
                result[goods.strip()] = ReferencePrice(unit=unit, min=float(minimum))
        return result

    # -- licensees.csv -------------------------------------------------------

    def _read_licensees(self, marks: dict[str, Mark] | None) -> tuple[Licensee, ...]:
        text = self._read_text(LICENSEES_FILE)
        if text is None:
            return ()
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            header = next(reader, None)
        except csv.Error as error:
            self.problem(LICENSEES_FILE, "line 1", f"is not valid CSV: {error}")
            return ()
        if header is None:
            self.problem(
                LICENSEES_FILE, "", f"is empty; it needs the header row {','.join(LICENSEE_COLUMNS)}"
            )
            return ()
        header = [column.strip() for column in header]
        header_ok = True
        for position, column in enumerate(header, start=1):
            if column not in LICENSEE_COLUMNS:
                self.problem(
                    LICENSEES_FILE,
                    f"line 1, column {position}",
                    f"unknown column {column!r}{_did_you_mean(column, LICENSEE_COLUMNS)}",
                )
                header_ok = False
            elif header.index(column) != position - 1:
                self.problem(LICENSEES_FILE, f"line 1, column {position}", f"column {column!r} appears twice")
                header_ok = False
        for column in LICENSEE_COLUMNS:
            if column not in header:
                self.problem(LICENSEES_FILE, "line 1", f"required column {column!r} is missing")
                header_ok = False
        if not header_ok:
            return ()
        licensees: list[Licensee] = []
        ids: dict[str, int] = {}
        line = reader.line_num
        while True:
            start = line + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                self.problem(LICENSEES_FILE, f"line {start}", f"is not valid CSV: {error}")
                break
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                self.problem(
                    LICENSEES_FILE, f"line {start}", f"has {len(row)} fields but the header has {len(header)}"
                )
                continue
            licensee = self._licensee(dict(zip(header, row, strict=True)), start, marks)
            if licensee is None:
                continue
            if licensee.licensee_id in ids:
                self.problem(
                    LICENSEES_FILE,
                    f"line {start}, column licensee_id",
                    f"duplicate licensee_id {licensee.licensee_id!r} (also line {ids[licensee.licensee_id]})",
                )
                continue
            ids[licensee.licensee_id] = start
            licensees.append(licensee)
        return tuple(licensees)

    def _licensee(self, row: dict[str, str], line: int, marks: dict[str, Mark] | None) -> Licensee | None:
        before = len(self.problems)

        def bad(column: str, message: str) -> None:
            self.problem(LICENSEES_FILE, f"line {line}, column {column}", message)

        cells = {key: value.strip() for key, value in row.items()}
        for column in ("licensee_id", "name", "uscc", "status", "valid_from"):
            if not cells[column]:
                bad(column, "is required")
        uscc = cells["uscc"].upper()
        if uscc:
            reason = uscc_problem(uscc)
            if reason:
                bad("uscc", reason)
        status = STATUS_SYNONYMS.get(cells["status"].lower(), cells["status"].lower())
        if status and status not in LICENSEE_STATUSES:
            bad("status", f"{status!r} is not one of {', '.join(LICENSEE_STATUSES)}")
        mark_ids = _split_list(cells["marks"])
        for mark_id in mark_ids:
            if marks is not None and mark_id not in marks:
                known = ", ".join(marks) or "none"
                bad("marks", f"mark {mark_id!r} is not defined in brand.yaml (defined: {known})")
        goods = _split_list(cells["goods"])
        dates: dict[str, date | None] = {}
        for column in ("valid_from", "valid_to", "exit_date", "disposal_deadline"):
            dates[column] = None
            if cells[column]:
                parsed = _register_date(cells[column])
                if parsed is None:
                    bad(column, f"{cells[column]!r} is not a date (write YYYY-MM-DD, e.g. 2026-06-30)")
                dates[column] = parsed
        valid_from, valid_to = dates["valid_from"], dates["valid_to"]
        exit_date, deadline = dates["exit_date"], dates["disposal_deadline"]
        if valid_from and valid_to and valid_to < valid_from:
            bad("valid_to", f"{valid_to} is before valid_from {valid_from}")
        if valid_from and exit_date and exit_date < valid_from:
            bad("exit_date", f"{exit_date} is before valid_from {valid_from}")
        ended = exit_date or valid_to
        if deadline and ended and deadline < ended:
            which = "exit_date" if exit_date else "valid_to"
            bad("disposal_deadline", f"{deadline} is before {which} {ended}")
        if deadline and not ended:
            bad("disposal_deadline", "is set but the licence has neither exit_date nor valid_to")
        if status in ("active", "suspended") and exit_date:
            bad(
                "exit_date",
                f"is set ({exit_date}) but status is {status!r}; an exit means revoked, withdrawn or eliminated",
            )
        shops: list[ShopRef] = []
        for entry in _split_list(cells["shops"]):
            platform, sep, ref = entry.partition(":")
            platform, ref = platform.strip(), ref.strip()
            if not sep or not platform or not ref:
                bad(
                    "shops",
                    f"{entry!r} must be platform:shop_id or platform:shop name, e.g. demo-taobao:tb_123",
                )
                continue
            if not PLATFORM_PATTERN.fullmatch(platform):
                bad(
                    "shops",
                    f"{entry!r}: platform {platform!r} must be a listing platform value such as demo-taobao",
                )
                continue
            shop = ShopRef(platform, ref)
            if shop not in shops:
                shops.append(shop)
        if len(self.problems) != before or valid_from is None:
            return None
        return Licensee(
            licensee_id=cells["licensee_id"],
            name=cells["name"],
            uscc=uscc,
            status=status,
            marks=frozenset(mark_ids),
            goods=frozenset(goods),
            valid_from=valid_from,
            valid_to=valid_to,
            exit_date=exit_date,
            disposal_deadline=deadline,
            shops=tuple(shops),
        )


def _did_you_mean(word: object, choices) -> str:
    close = difflib.get_close_matches(str(word), [str(choice) for choice in choices], n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""


_SPREADSHEET_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")


def _register_date(cell: str) -> date | None:
    """An ISO date, or the same date as spreadsheets write it (2026/6/30, 2026年6月30日)."""
    match = _SPREADSHEET_DATE.fullmatch(cell.strip())
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def _split_list(cell: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;；]", cell) if part.strip()]


def _undecodable_image_reason(path: Path) -> str | None:
    try:
        with Image.open(path) as image:
            width, height = image.size
            if width * height > MAX_LOGO_PIXELS:
                return f"{width}x{height} pixels is more than the {MAX_LOGO_PIXELS} allowed"
            if image.format not in ("PNG", "JPEG"):
                return f"it is {image.format or 'an unknown format'}, not PNG or JPEG"
            image.load()
    except Image.DecompressionBombError as error:
        return f"too large to decode safely ({error})"
    except (OSError, SyntaxError, ValueError) as error:
        return f"not a readable PNG or JPEG image ({error})"
    return None
