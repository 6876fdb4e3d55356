"""Write audit events, seal them onto a hash chain, and verify the chain.

A request only appends: :func:`record` adds its events to the caller's session (no shared row),
so a change and its audit event commit together and no two requests wait on each other. A web
request's events wait in the session and are written in one INSERT when its unit of work
commits (``BATCH``: a case page's four events are one round trip), or, for a read on SQLite,
in a short write after its read transaction (``DEFER``); elsewhere each is written at once.

One sequencer, :func:`seal`, later numbers the committed, unsealed events in id order and
chains their hashes (``seq``, ``prev_hash``, ``hash``), holding the chain's head row only in its
own short transaction — a queue of leaves and one integrator, as Certificate Transparency logs
work. The scheduler runs it every 2 seconds (the ``audit_seal`` job), and
``tsunagu audit seal`` by hand. An event is therefore on the chain within seconds of its commit
while the scheduler runs; :func:`verify` reports an event left unsealed for longer than
``audit.seal_grace_seconds`` (60 by default) as a fault, beside any edited, deleted or
reordered sealed event.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import event, func, insert, select, update
from sqlalchemy.orm import Session

from hub import settings
from hub.db import utcnow
from hub.models import AuditEvent, AuditHead, User
from hub.models.audit import GENESIS_HASH

ALLOWED, DENIED, FAILED = "allowed", "denied", "failed"
#: session.info key: set once a denied event was recorded in the unit of work, so the error
#: handlers know a refusal was audited with its details (and add a plain one otherwise).
REFUSAL_RECORDED = "audit_refusal_recorded"
#: session.info key: set on a SQLite GET's session (hub.web): its events wait in
#: ``session.info[LATER]`` and are written after its read transaction, in one short write.
DEFER = "audit_defer"
#: session.info key: set on every other web request's session (hub.web): its events wait in
#: ``session.info[LATER]`` and are written in one INSERT as its transaction commits; a rollback
#: drops them (the denied and failed ones are written again, :func:`hub.db.finish`).
BATCH = "audit_batch"
LATER = "audit_later"
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")
E = TypeVar("E", bound=Exception)

#: The setting that bounds how long an event may wait for the sealer (hub.settings).
SEAL_GRACE_KEY = "audit.seal_grace_seconds"
#: How many events one sealing transaction numbers at most.
SEAL_BATCH = 2000

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
) -> None:
    """Write an audit event in the session's transaction; denied and failed events survive a
    rollback (:func:`hub.db.finish`)."""
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
    if session.info.get(DEFER) or session.info.get(BATCH):
        session.info.setdefault(LATER, []).append(values)
    else:
        # At once, as the ORM's autoflush would: what follows in the unit of work sees it.
        session.connection().execute(_INSERT, values)
    if outcome != ALLOWED:
        session.info.setdefault("audit_keep", []).append(values)
        session.info[REFUSAL_RECORDED] = True


#: One event: a plain INSERT, no unit of work (every request writes one, and the ORM's flush
#: of it cost three times the statement).
_INSERT = insert(AuditEvent.metadata.tables[AuditEvent.__tablename__])


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


def write_later(session: Session) -> None:
    """Write a deferred read's events (all of them: its transaction succeeded) and commit."""
    later = session.info.pop(LATER, [])
    session.info.pop(DEFER, None)
    if later:
        session.execute(_INSERT, later)
        session.commit()


def restore(session: Session, kept: list[dict]) -> None:
    """Add again, after a rollback, the denied and failed events of the failed unit of work."""
    if kept:
        session.execute(_INSERT, kept)


def event_hash(values: dict) -> str:
    """Hash one event's fields together with the previous hash."""
    payload = {name: values[name] for name in _HASHED_FIELDS}
    payload["created_at"] = values["created_at"].isoformat(timespec="microseconds")
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def _row_values(row: AuditEvent) -> dict:
    return {name: getattr(row, name) for name in (*_HASHED_FIELDS, "hash")}


def seal(session: Session, *, limit: int = SEAL_BATCH) -> int:
    """Number and hash committed, unsealed events onto the end of the chain, in id order, and
    return how many; the caller commits at once. The one sequencer: the head's row lock
    (PostgreSQL) or the write lock (SQLite) makes a second sealer wait until that commit, and
    it then finds those events sealed."""
    # The UPDATE takes the lock before anything is read.
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(id=1))
    head = session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=1, last_seq=0, last_hash=GENESIS_HASH)
        session.add(head)
    rows = session.scalars(
        select(AuditEvent).where(AuditEvent.seq.is_(None)).order_by(AuditEvent.id).limit(limit)
    ).all()
    for row in rows:
        row.seq = head.last_seq + 1
        row.prev_hash = head.last_hash
        row.hash = event_hash(_row_values(row))
        head.last_seq, head.last_hash = row.seq, row.hash
    session.flush()
    return len(rows)


def seal_all(session: Session) -> int:
    """Seal batch after batch, each committed, until nothing is left; return how many."""
    total = 0
    while done := seal(session):
        session.commit()
        total += done
    session.commit()
    return total


def unsealed_before(session: Session, moment: datetime | None = None) -> int:
    """How many events (recorded before ``moment``) are still off the chain."""
    query = select(func.count()).select_from(AuditEvent).where(AuditEvent.seq.is_(None))
    if moment is not None:
        query = query.where(AuditEvent.created_at < moment)
    return session.scalar(query) or 0


@event.listens_for(Session, "before_commit")
def _forget_kept(session: Session) -> None:
    session.info.pop("audit_keep", None)


@event.listens_for(Session, "before_commit")
def _write_batched(session: Session) -> None:
    """A batching unit of work writes its events, in one statement, as part of its commit."""
    if session.info.get(BATCH):
        later = session.info.pop(LATER, [])
        if later:
            session.connection().execute(_INSERT, later if len(later) > 1 else later[0])


@event.listens_for(Session, "after_soft_rollback")
def _drop_batched(session: Session, previous_transaction: object) -> None:
    """Events of a rolled-back batching unit of work were never written: drop them too."""
    if session.info.get(BATCH):
        forget_pending(session)


def forget_pending(session: Session) -> None:
    """Drop the events waiting to be written (their unit of work is rolled back)."""
    session.info.pop(LATER, None)


@dataclass
class ChainReport:
    ok: bool
    checked: int
    broken_seq: int | None = None
    problem: str = ""


def verify(session: Session, *, batch: int = 5000, now: datetime | None = None) -> ChainReport:
    """Walk the sealed chain in order and report the first broken link; events waiting for
    the sealer longer than the grace setting are a fault too."""
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
                return ChainReport(False, checked, expected_seq, "記録が欠けています（行の削除）")
            if row.prev_hash != expected_prev:
                return ChainReport(
                    False, checked, row.seq, "前の記録のハッシュと一致しません（削除・並べ替え）"
                )
            if event_hash(_row_values(row)) != row.hash:
                return ChainReport(False, checked, row.seq, "記録の内容が書き換えられています")
            expected_prev, expected_seq, checked = row.hash, expected_seq + 1, checked + 1
            last_seen = row.seq
        session.expunge_all()
    head_seq = head.last_seq if head else 0
    head_hash = head.last_hash if head else GENESIS_HASH
    if head_seq != checked or head_hash != expected_prev:
        return ChainReport(False, checked, checked + 1, "連鎖の末尾の記録が欠けています")
    grace = timedelta(seconds=int(settings.get(session, SEAL_GRACE_KEY)))
    late = unsealed_before(session, (now or utcnow()) - grace)
    if late:
        return ChainReport(False, checked, None, f"{late}件、{grace.seconds}秒以上")
    return ChainReport(True, checked)
