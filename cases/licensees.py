"""The licence register in the database, with the history of every change between imports.

A licensee that leaves licensees.csv is not deleted (its cases and its history
still refer to it): it is marked `in_register = False` and the change recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.models import Licensee, LicenseeChange, utcnow
from matchers.pack import Licensee as PackLicensee


@dataclass(frozen=True)
class ImportResult:
    added: int
    changed: int
    unchanged: int
    removed: int


def _fields(licensee: PackLicensee) -> dict[str, Any]:
    def day(value):
        return value.isoformat() if value else None

    return {
        "name": licensee.name,
        "uscc": licensee.uscc,
        "status": licensee.status,
        "marks": sorted(licensee.marks),
        "goods": sorted(licensee.goods),
        "valid_from": day(licensee.valid_from),
        "valid_to": day(licensee.valid_to),
        "exit_date": day(licensee.exit_date),
        "disposal_deadline": day(licensee.disposal_deadline),
        "shops": [f"{shop.platform}:{shop.ref}" for shop in licensee.shops],
    }


def _snapshot(row: Licensee) -> dict[str, Any]:
    def day(value):
        return value.isoformat() if value else None

    return {
        "name": row.name,
        "uscc": row.uscc,
        "status": row.status,
        "marks": list(row.marks),
        "goods": list(row.goods),
        "valid_from": day(row.valid_from),
        "valid_to": day(row.valid_to),
        "exit_date": day(row.exit_date),
        "disposal_deadline": day(row.disposal_deadline),
        "shops": list(row.shops),
        "in_register": row.in_register,
    }


def _apply(row: Licensee, licensee: PackLicensee) -> None:
    fields = _fields(licensee)
    row.name, row.uscc, row.status = fields["name"], fields["uscc"], fields["status"]
    row.marks, row.goods, row.shops = fields["marks"], fields["goods"], fields["shops"]
    row.valid_from, row.valid_to = licensee.valid_from, licensee.valid_to
    row.exit_date, row.disposal_deadline = licensee.exit_date, licensee.disposal_deadline
    row.in_register = True


def import_licensees(session: Session, licensees: Iterable[PackLicensee], *, source: str) -> ImportResult:
    """Bring the register in line with the pack's licensees, recording before/after for every change."""
    now = utcnow()
    existing = {row.licensee_id: row for row in session.scalars(select(Licensee))}
    added = changed = unchanged = removed = 0
    seen: set[str] = set()
    for licensee in licensees:
        seen.add(licensee.licensee_id)
        row = existing.get(licensee.licensee_id)
        if row is None:
            row = Licensee(licensee_id=licensee.licensee_id, imported_at=now, updated_at=now)
            _apply(row, licensee)
            session.add(row)
            row.history.append(LicenseeChange(at=now, source=source, before=None, after=_snapshot(row)))
            added += 1
            continue
        before = _snapshot(row)
        _apply(row, licensee)
        after = _snapshot(row)
        if after == before:
            unchanged += 1
            continue
        row.updated_at = now
        row.history.append(LicenseeChange(at=now, source=source, before=before, after=after))
        changed += 1
    for licensee_id, row in existing.items():
        if licensee_id in seen or not row.in_register:
            continue
        before = _snapshot(row)
        row.in_register = False
        row.updated_at = now
        row.history.append(LicenseeChange(at=now, source=source, before=before, after=_snapshot(row)))
        removed += 1
    session.flush()
    return ImportResult(added=added, changed=changed, unchanged=unchanged, removed=removed)
