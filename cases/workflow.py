"""The case workflow: which state may follow which, and the audit trail every change leaves.

    new → triaged → confirmed → notice_sent → removed
    any open state → dismissed (false flag: reason required, feeds the allow-list)
    any open state → escalated (立案), and escalated → removed or dismissed (investigation found no infringement)

Every function here records a CaseEvent in the caller's transaction.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.labels import status_label
from cases.models import (
    CLOSED_STATUSES,
    STATUS_CONFIRMED,
    STATUS_DISMISSED,
    STATUS_ESCALATED,
    STATUS_NEW,
    STATUS_NOTICE_SENT,
    STATUS_REMOVED,
    STATUS_TRIAGED,
    AllowListEntry,
    Case,
    CaseEvent,
    utcnow,
)

TRANSITIONS: dict[str, tuple[str, ...]] = {
    STATUS_NEW: (STATUS_TRIAGED, STATUS_DISMISSED, STATUS_ESCALATED),
    STATUS_TRIAGED: (STATUS_CONFIRMED, STATUS_DISMISSED, STATUS_ESCALATED),
    STATUS_CONFIRMED: (STATUS_NOTICE_SENT, STATUS_DISMISSED, STATUS_ESCALATED),
    STATUS_NOTICE_SENT: (STATUS_REMOVED, STATUS_DISMISSED, STATUS_ESCALATED),
    STATUS_ESCALATED: (STATUS_REMOVED, STATUS_DISMISSED),
    STATUS_REMOVED: (),
    STATUS_DISMISSED: (),
}


class WorkflowError(ValueError):
    """A change the workflow does not allow; the message says what is allowed instead."""


class CaseNotFound(LookupError):
    pass


def get_case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise CaseNotFound(f"案件 #{case_id} 不存在 (no case {case_id})")
    return case


def allowed_transitions(status: str) -> tuple[str, ...]:
    return TRANSITIONS.get(status, ())


def set_status(
    session: Session, case: Case, new_status: str, *, actor: str, note: str | None = None
) -> CaseEvent:
    """Move a case to `new_status`, or raise WorkflowError naming the states it may move to."""
    if not actor.strip():
        raise WorkflowError("who is making the change must be given (--by)")
    if new_status not in TRANSITIONS:
        raise WorkflowError(f"unknown status {new_status!r}; statuses are: {', '.join(TRANSITIONS)}")
    allowed = allowed_transitions(case.status)
    if new_status not in allowed:
        if allowed:
            choices = ", ".join(status_label(status) for status in allowed)
            raise WorkflowError(
                f"案件 #{case.id} 当前为 {status_label(case.status)}，不能改为 {status_label(new_status)}；"
                f"可改为: {choices}"
            )
        raise WorkflowError(
            f"案件 #{case.id} 已结案 {status_label(case.status)}，不能再改为 {status_label(new_status)}"
        )
    reason = (note or "").strip() or None
    if new_status == STATUS_DISMISSED and reason is None:
        raise WorkflowError("排除（误报）必须说明理由: dismissing a case needs a reason (--note)")
    now = utcnow()
    event = CaseEvent(
        at=now, actor=actor, kind="status", from_status=case.status, to_status=new_status, note=reason
    )
    case.events.append(event)
    case.status = new_status
    case.updated_at = now
    if new_status in CLOSED_STATUSES:
        case.open_key = None
        case.closed_at = now
        case.status_reason = reason
    if new_status == STATUS_DISMISSED:
        _allow_listings(session, case, reason or "", actor)
    session.flush()
    return event


def _allow_listings(session: Session, case: Case, reason: str, actor: str) -> None:
    """A false flag must not come back: allow-list each of the case's listings for its mark and code
    (re-instating an entry that was revoked earlier)."""
    existing = {
        entry.listing_id: entry
        for entry in session.scalars(
            select(AllowListEntry).where(
                AllowListEntry.mark == case.mark,
                AllowListEntry.code == case.code,
                AllowListEntry.listing_id.in_([link.listing_id for link in case.listings]),
            )
        )
    }
    for link in case.listings:
        entry = existing.get(link.listing_id)
        if entry is not None:
            if not entry.active:
                entry.revoked_at = entry.revoked_by = entry.revoked_reason = None
                entry.reason, entry.actor, entry.case_id, entry.created_at = reason, actor, case.id, utcnow()
            continue
        session.add(
            AllowListEntry(
                listing_id=link.listing_id,
                mark=case.mark,
                code=case.code,
                reason=reason,
                actor=actor,
                case_id=case.id,
                created_at=utcnow(),
            )
        )


def add_note(session: Session, case: Case, note: str, *, actor: str) -> CaseEvent:
    text = note.strip()
    if not text:
        raise WorkflowError("a note must not be empty")
    if not actor.strip():
        raise WorkflowError("who is writing the note must be given (--by)")
    now = utcnow()
    event = CaseEvent(at=now, actor=actor, kind="note", note=text)
    case.events.append(event)
    case.updated_at = now
    session.flush()
    return event


def assign(session: Session, case: Case, assignee: str | None, *, actor: str) -> CaseEvent:
    """Give the case to an officer (None or an empty name: unassign)."""
    if not actor.strip():
        raise WorkflowError("who is assigning must be given (--by)")
    assignee = (assignee or "").strip() or None
    now = utcnow()
    before = case.assignee
    event = CaseEvent(
        at=now,
        actor=actor,
        kind="assign",
        note=f"{before or '（无）'} → {assignee or '（无）'}",
    )
    case.events.append(event)
    case.assignee = assignee
    case.updated_at = now
    session.flush()
    return event


def revoke_allow_entry(session: Session, entry_id: int, *, actor: str, note: str) -> AllowListEntry:
    """Take a (listing, mark, code) off the allow-list, so it is flagged again; noted on the dismissed case."""
    if not actor.strip():
        raise WorkflowError("who is revoking the entry must be given (--by)")
    reason = note.strip()
    if not reason:
        raise WorkflowError("revoking an allow-list entry needs a reason (--note)")
    entry = session.get(AllowListEntry, entry_id)
    if entry is None:
        raise CaseNotFound(f"白名单条目 #{entry_id} 不存在 (no allow-list entry {entry_id})")
    if not entry.active:
        raise WorkflowError(f"白名单条目 #{entry_id} 已于 {entry.revoked_at:%Y-%m-%d} 撤销 (already revoked)")
    now = utcnow()
    entry.revoked_at, entry.revoked_by, entry.revoked_reason = now, actor, reason
    if entry.case_id is not None:
        session.add(
            CaseEvent(
                case_id=entry.case_id,
                at=now,
                actor=actor,
                kind="allow_removed",
                note=f"白名单条目 #{entry.id} 已撤销（{entry.mark} {entry.code}）: {reason}",
            )
        )
    session.flush()
    return entry
