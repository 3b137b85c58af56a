"""The case workflow: allowed moves, refused moves naming the alternatives, the audit trail."""

from __future__ import annotations

import pytest

from cases.models import Case
from cases.store import record_batch
from cases.testing import make_finding, make_listing
from cases.workflow import TRANSITIONS, WorkflowError, add_note, assign, set_status

CHAIN = ["new", "triaged", "confirmed", "notice_sent", "removed"]


@pytest.fixture
def case_id(Session):
    listing = make_listing("1")
    with Session.begin() as session:
        return record_batch(
            session, [(listing, make_finding(listing, ("GI_FALSE_ORIGIN", "FJQC")))]
        ).opened_case_ids[0]


def walk(Session, case_id, *statuses, note=None):
    with Session.begin() as session:
        case = session.get(Case, case_id)
        for status in statuses:
            set_status(session, case, status, actor="李四", note=note)


def test_the_main_chain_closes_the_case(Session, case_id):
    walk(Session, case_id, *CHAIN[1:])
    with Session() as session:
        case = session.get(Case, case_id)
        assert case.status == "removed" and case.open_key is None and case.closed_at is not None
        assert [(e.from_status, e.to_status) for e in case.events if e.kind == "status"] == list(
            zip(CHAIN, CHAIN[1:], strict=False)
        )


@pytest.mark.parametrize("start", ["new", "triaged", "confirmed", "notice_sent", "escalated"])
@pytest.mark.parametrize("end", ["dismissed", "escalated"])
def test_any_open_state_can_be_dismissed_or_escalated(Session, case_id, start, end):
    path = {
        "new": [],
        "triaged": ["triaged"],
        "confirmed": ["triaged", "confirmed"],
        "notice_sent": ["triaged", "confirmed", "notice_sent"],
        "escalated": ["escalated"],
    }[start]
    walk(Session, case_id, *path)
    if start == end:
        with pytest.raises(WorkflowError):
            walk(Session, case_id, end, note="理由")
        return
    walk(Session, case_id, end, note="理由")
    with Session() as session:
        assert session.get(Case, case_id).status == end


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ([], "removed"),
        ([], "confirmed"),
        (["triaged"], "notice_sent"),
        (["triaged"], "new"),
        (CHAIN[1:], "new"),
    ],
)
def test_skipping_or_going_back_is_refused(Session, case_id, path, target):
    walk(Session, case_id, *path)
    with pytest.raises(WorkflowError) as refused:
        walk(Session, case_id, target)
    current = (["new"] + path)[-1]
    for allowed in TRANSITIONS[current]:
        assert f"({allowed})" in str(refused.value)
    with Session() as session:
        assert session.get(Case, case_id).status == current  # nothing half-applied


def test_blank_actor_or_note_is_refused(Session, case_id):
    with Session.begin() as session:
        case = session.get(Case, case_id)
        with pytest.raises(WorkflowError):
            set_status(session, case, "triaged", actor="  ")
        with pytest.raises(WorkflowError):
            add_note(session, case, "   ", actor="李四")
        with pytest.raises(WorkflowError, match="unknown status"):
            set_status(session, case, "closed", actor="李四")
        assign(session, case, "王五", actor="李四")
        assign(session, case, "", actor="李四")
        assert case.assignee is None
        assert [e.note for e in case.events if e.kind == "assign"] == ["（无） → 王五", "王五 → （无）"]
