"""Write audit events and verify their hash chain.

Events are added to the caller's session and sealed (numbered and hashed onto the chain) in
the same transaction, just before it commits: a change and its audit event land together.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from hub.models import AuditEvent, AuditHead, User
from hub.models.audit import GENESIS_HASH

ALLOWED, DENIED, FAILED = "allowed", "denied", "failed"
#: session.info key: set once a denied event was recorded in the unit of work, so the error
#: handlers know a refusal was audited with its details (and add a plain one otherwise).
REFUSAL_RECORDED = "audit_refusal_recorded"
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")
E = TypeVar("E", bound=Exception)

_HASHED_FIELDS = (
    "seq",
    "created_at",
    "user_id",
    "login_id",
    "department_id",
    "action",
    "object_type",
    "object_id",
    "outcome",
    "reason",
    "client_addr",
    "prev_hash",
)


def record(
    session: Session,
    actor: User | None,
    action: str,
    obj: object | None = None,
    *,
    outcome: str = ALLOWED,
    reason: str = "",
    login_id: str = "",
    client_addr: str = "",
    object_type: str = "",
    object_id: str | int = "",
) -> AuditEvent:
    """Add an audit event to the session; denied and failed events survive a rollback."""
    # Routes may hand over Flask-Login's current_user proxy: audit the object behind it.
    actor = _unproxy(actor)
    obj = _unproxy(obj)
    if obj is not None:
        object_type = object_type or type_name(obj)
        object_id = object_id or getattr(obj, "id", "") or ""
    values = dict(
        user_id=actor.id if actor else None,
        login_id=(actor.login_id if actor else login_id)[:64],
        department_id=actor.department_id if actor else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        outcome=outcome,
        reason=reason[:255],
        client_addr=client_addr or session.info.get("client_addr", ""),
    )
    event_row = AuditEvent(**values)
    session.add(event_row)
    session.info.setdefault("audit_pending", []).append(event_row)
    if outcome != ALLOWED:
        session.info.setdefault("audit_keep", []).append(values)
        session.info[REFUSAL_RECORDED] = True
    return event_row


def type_name(obj: object) -> str:
    """The object type of an audit event: the model's class in snake case (``delivery``)."""
    return _CAMEL.sub("_", type(obj).__name__).lower()


def refuse(
    session: Session,
    actor: User | None,
    action: str,
    error: E,
    obj: object | None = None,
    *,
    object_type: str = "",
    object_id: str | int = "",
    reason: str = "",
) -> E:
    """Audit a refusal (403, 404, 409 …) and return the error for the caller to raise.

    The one way services refuse: ``raise audit.refuse(session, user, "case.view", NotFound(),
    object_type="case", object_id=case_id, reason="department not involved")``. The event
    survives the rollback of the refused request.
    """
    record(
        session,
        actor,
        action,
        obj,
        outcome=DENIED,
        object_type=object_type,
        object_id=object_id,
        reason=reason or getattr(error, "code", type(error).__name__),
    )
    return error


def _unproxy(value):
    unwrap = getattr(value, "_get_current_object", None)
    return unwrap() if unwrap is not None else value


def restore(session: Session, kept: list[dict]) -> None:
    """Add again, after a rollback, the denied and failed events of the failed unit of work."""
    for values in kept:
        row = AuditEvent(**values)
        session.add(row)
        session.info.setdefault("audit_pending", []).append(row)


def event_hash(values: dict) -> str:
    """Hash one event's fields together with the previous hash."""
    payload = {name: values[name] for name in _HASHED_FIELDS}
    payload["created_at"] = values["created_at"].isoformat(timespec="microseconds")
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def _row_values(row: AuditEvent) -> dict:
    return {name: getattr(row, name) for name in (*_HASHED_FIELDS, "hash")}


def seal(session: Session) -> None:
    """Number and hash the session's new audit events onto the end of the chain."""
    pending = [
        row for row in session.info.pop("audit_pending", []) if row in session and row.seq is None
    ]
    if not pending:
        return
    # The UPDATE takes the head's row lock (PostgreSQL) or the write lock (SQLite), so two
    # transactions never extend the chain from the same end.
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(id=1))
    head = session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=1, last_seq=0, last_hash=GENESIS_HASH)
        session.add(head)
    for row in pending:
        row.seq = head.last_seq + 1
        row.prev_hash = head.last_hash
        row.hash = event_hash(_row_values(row))
        head.last_seq, head.last_hash = row.seq, row.hash


@event.listens_for(Session, "before_commit")
def _seal_before_commit(session: Session) -> None:
    session.flush()
    seal(session)
    session.info.pop("audit_keep", None)


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, _previous_transaction) -> None:
    session.info.pop("audit_pending", None)


@dataclass
class ChainReport:
    ok: bool
    checked: int
    broken_seq: int | None = None
    problem: str = ""


def verify(session: Session, *, batch: int = 5000) -> ChainReport:
    """Walk the chain in order and report the first broken link."""
    head = session.get(AuditHead, 1)
    expected_prev, expected_seq, checked = GENESIS_HASH, 1, 0
    last_seen = 0
    while True:
        rows = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.seq > last_seen)
            .order_by(AuditEvent.seq)
            .limit(batch)
        ).all()
        if not rows:
            break
        for row in rows:
            if row.seq != expected_seq:
                return ChainReport(False, checked, expected_seq, "missing event (row deleted)")
            if row.prev_hash != expected_prev:
                return ChainReport(False, checked, row.seq, "previous hash does not match")
            if event_hash(_row_values(row)) != row.hash:
                return ChainReport(False, checked, row.seq, "event content was altered")
            expected_prev, expected_seq, checked = row.hash, expected_seq + 1, checked + 1
            last_seen = row.seq
        session.expunge_all()
    head_seq = head.last_seq if head else 0
    head_hash = head.last_hash if head else GENESIS_HASH
    if head_seq != checked or head_hash != expected_prev:
        return ChainReport(False, checked, checked + 1, "events missing at the end of the chain")
    unsealed = session.scalar(select(AuditEvent.id).where(AuditEvent.seq.is_(None)).limit(1))
    if unsealed is not None:
        return ChainReport(False, checked, None, "an event without a place in the chain")
    return ChainReport(True, checked)
