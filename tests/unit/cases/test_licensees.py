"""The licence register keeps its history across imports."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import select

from cases.licensees import import_licensees
from cases.models import Licensee
from matchers.pack import Licensee as PackLicensee
from matchers.pack import ShopRef

ORCHARD = PackLicensee(
    licensee_id="L001",
    name="重庆市奉节县某某农业开发有限公司",
    uscc="91500236MA5U000000",
    status="active",
    marks=frozenset({"FSHP", "FJQC"}),
    goods=frozenset({"脐橙"}),
    valid_from=date(2025, 1, 1),
    valid_to=None,
    exit_date=None,
    disposal_deadline=None,
    shops=(ShopRef("demo-taobao", "tb_fjqc_flagship"),),
)


def test_first_import_adds_and_reimport_changes_nothing(Session):
    with Session.begin() as session:
        first = import_licensees(session, [ORCHARD], source="licensees.csv")
    with Session.begin() as session:
        again = import_licensees(session, [ORCHARD], source="licensees.csv")
    assert (first.added, again.added, again.unchanged, again.changed) == (1, 0, 1, 0)
    with Session() as session:
        row = session.scalars(select(Licensee)).one()
        assert row.marks == ["FJQC", "FSHP"] and row.shops == ["demo-taobao:tb_fjqc_flagship"]
        assert len(row.history) == 1 and row.history[0].before is None


def test_revocation_and_removal_are_recorded_with_before_and_after(Session):
    with Session.begin() as session:
        import_licensees(session, [ORCHARD], source="v1")
    revoked = replace(
        ORCHARD, status="revoked", exit_date=date(2026, 6, 30), disposal_deadline=date(2026, 9, 30)
    )
    with Session.begin() as session:
        result = import_licensees(session, [revoked], source="v2")
    with Session.begin() as session:
        gone = import_licensees(session, [], source="v3")
    assert result.changed == 1 and gone.removed == 1
    with Session() as session:
        row = session.scalars(select(Licensee)).one()
        assert row.status == "revoked" and row.in_register is False
        assert row.disposal_deadline == date(2026, 9, 30)
        change = row.history[1]
        assert (change.source, change.before["status"], change.after["status"]) == ("v2", "active", "revoked")
        assert row.history[2].after["in_register"] is False
