"""A page's audit events are written together: one INSERT however many the page records —
at its commit on PostgreSQL (and for a POST), after its read transaction for a read on SQLite —
and a refused request keeps its refusal once, nothing of what it did."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from hub.models import AuditEvent

CASE_PAGE_EVENTS = {"case.view", "hearing.summary", "mailbox.timeline", "meeting.case_list"}


@pytest.fixture
def statements(app):
    seen: list[tuple[str, int]] = []

    def listen(_conn, _cursor, statement, parameters, _context, executemany):
        rows = len(parameters) if executemany else 1
        seen.append((" ".join(statement.split()[:3]).upper(), rows))

    def commit(_conn):
        seen.append(("COMMIT", 0))

    engine = app.extensions["tsunagu.db"].engine
    event.listen(engine, "before_cursor_execute", listen)
    event.listen(engine, "commit", commit)
    yield seen
    event.remove(engine, "before_cursor_execute", listen)
    event.remove(engine, "commit", commit)


def _actions_since(db, last_id: int) -> list[str]:
    found = db.scalars(
        select(AuditEvent.action).where(AuditEvent.id > last_id).order_by(AuditEvent.id)
    ).all()
    db.rollback()
    return list(found)


def _last_id(db) -> int:
    found = db.scalar(select(func.coalesce(func.max(AuditEvent.id), 0)))
    db.rollback()
    return found


def test_a_case_page_writes_its_events_in_one_insert(db, setagaya, as_user, statements):
    nozei = as_user("nozei01")
    before = _last_id(db)
    statements.clear()
    assert nozei.get(f"/cases/{setagaya.case_id}").status_code == 200
    inserts = [(s, rows) for s, rows in statements if s == "INSERT INTO AUDIT_EVENTS"]
    assert inserts == [("INSERT INTO AUDIT_EVENTS", len(CASE_PAGE_EVENTS))], statements
    # Written as the page's unit of work ends: nothing is read after it but the commit.
    at = next(i for i, (s, _) in enumerate(statements) if s == "INSERT INTO AUDIT_EVENTS")
    assert [s for s, _ in statements[at + 1 :]] == ["COMMIT"], statements
    assert set(_actions_since(db, before)) == CASE_PAGE_EVENTS


def test_a_refused_request_keeps_its_refusal_once_and_nothing_else(db, setagaya, as_user):
    """国保・年金課 asks for a case its department is not part of: one denied event."""
    stranger = as_user("kokuho01")
    before = _last_id(db)
    missing = stranger.get(f"/cases/{setagaya.case_id}")
    assert missing.status_code == 404
    denied = db.scalars(
        select(AuditEvent.outcome).where(AuditEvent.id > before, AuditEvent.action == "case.view")
    ).all()
    db.rollback()
    assert denied == ["denied"]
