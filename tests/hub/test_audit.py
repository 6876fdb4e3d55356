"""The audit chain: every event is linked; altering or deleting any row is detected."""

import itertools

from sqlalchemy import select, text

from hub import audit
from hub.models import AuditEvent


def _events(db, n, actor=None):
    for i in range(n):
        audit.record(db, actor, "test.event", object_type="case", object_id=i)
    db.commit()


def test_events_are_numbered_and_linked_in_commit_order(db, make_user):
    user = make_user()
    _events(db, 3, user)
    _events(db, 2)
    rows = db.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == "0" * 64
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))
    assert audit.verify(db).ok


def test_altered_row_is_reported_at_its_position(db):
    _events(db, 5)
    db.execute(
        text("UPDATE audit_events SET outcome = 'allowed', action = 'case.view' WHERE seq = 3")
    )
    db.commit()
    report = audit.verify(db)
    assert not report.ok
    assert report.broken_seq == 3
    assert report.checked == 2


def test_deleted_row_in_the_middle_is_reported(db):
    _events(db, 5)
    db.execute(text("DELETE FROM audit_events WHERE seq = 2"))
    db.commit()
    report = audit.verify(db)
    assert (report.ok, report.broken_seq) == (False, 2)


def test_deleted_last_row_is_reported(db):
    _events(db, 4)
    db.execute(text("DELETE FROM audit_events WHERE seq = 4"))
    db.commit()
    report = audit.verify(db)
    assert not report.ok
    assert "end of the chain" in report.problem


def test_denied_event_survives_the_rollback_of_its_request(db, database, make_user):
    from hub.db import finish

    user = make_user()
    session = database.session()
    audit.record(
        session,
        user,
        "case.view",
        object_type="case",
        object_id=99,
        outcome=audit.DENIED,
        reason="department not involved",
    )
    audit.record(session, user, "case.update", object_type="case", object_id=99)
    finish(session, ok=False)
    session.close()
    actions = db.scalars(select(AuditEvent.action)).all()
    assert actions == ["case.view"]
    assert audit.verify(db).ok
