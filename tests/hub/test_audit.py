"""The audit chain: a request only appends its events; the sealer numbers and links them;
altering, deleting or reordering a sealed row is detected, and so is an event the sealer left
waiting too long."""

import itertools
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from hub import audit, migrate
from hub.db import Database
from hub.models import AuditEvent, AuditHead
from hub.models.audit import GENESIS_HASH


def _events(db, n, actor=None, *, sealed=True):
    for i in range(n):
        audit.record(db, actor, "test.event", object_type="case", object_id=i)
    db.commit()
    if sealed:
        audit.seal_all(db)


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
    assert report.problem == "連鎖の末尾の記録が欠けています"


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
    audit.seal_all(db)
    assert audit.verify(db).ok


def _batching(database):
    session = database.session()
    session.info[audit.BATCH] = True
    return session


def test_a_batching_unit_of_work_writes_its_events_as_it_commits(db, database, make_user):
    user = make_user()
    db.commit()  # SQLite: one writer at a time
    session = _batching(database)
    audit.record(session, user, "case.view", object_type="case", object_id=1)
    audit.record(session, user, "case.update", object_type="case", object_id=1)
    assert session.scalars(select(AuditEvent.action)).all() == []  # not yet written
    session.commit()
    audit.record(session, user, "case.view", object_type="case", object_id=2)
    session.commit()
    session.close()
    found = db.execute(select(AuditEvent.action, AuditEvent.object_id).order_by(AuditEvent.id))
    assert found.all() == [("case.view", "1"), ("case.update", "1"), ("case.view", "2")]


def test_a_rolled_back_batching_unit_keeps_its_refusal_once(db, database, make_user):
    """What the unit did is dropped with it; its denied event is written once, after."""
    from hub.db import finish

    user = make_user()
    db.commit()
    session = _batching(database)
    audit.record(session, user, "case.update", object_type="case", object_id=7)
    session.commit()  # a unit that committed midway keeps what it had recorded by then
    audit.record(session, user, "case.view", object_type="case", object_id=8)
    audit.record(session, user, "case.view", object_type="case", object_id=9, outcome=audit.DENIED)
    finish(session, ok=False)
    session.close()
    found = db.execute(select(AuditEvent.object_id, AuditEvent.outcome).order_by(AuditEvent.id))
    assert found.all() == [("7", "allowed"), ("9", "denied")]
    db.commit()
    # A rollback on its own (a read run again) drops what waited too.
    session = _batching(database)
    audit.record(session, user, "case.view", object_type="case", object_id=10)
    session.connection()
    session.rollback()
    session.commit()
    session.close()
    assert "10" not in db.scalars(select(AuditEvent.object_id)).all()


def test_a_request_only_appends_and_the_sealer_chains_later(db, make_user):
    """The request's commit writes its events without a number; nothing touches the head."""
    user = make_user()
    _events(db, 3, user, sealed=False)
    assert db.scalars(select(AuditEvent.seq)).all() == [None, None, None]
    assert db.get(AuditHead, 1) is None or db.get(AuditHead, 1).last_seq == 0
    assert audit.unsealed_before(db) == 3
    assert audit.verify(db).ok  # within the grace: waiting is not a fault
    assert audit.seal_all(db) == 3
    assert audit.seal_all(db) == 0  # nothing twice
    assert [r.seq for r in db.scalars(select(AuditEvent).order_by(AuditEvent.id))] == [1, 2, 3]
    assert audit.verify(db).ok


def test_an_event_the_sealer_left_too_long_is_a_fault(db):
    _events(db, 1, sealed=False)
    later = datetime.now(UTC) + timedelta(seconds=61)
    report = audit.verify(db, now=later)
    assert not report.ok and report.problem == "1件、60秒以上"
    audit.seal_all(db)
    assert audit.verify(db, now=later).ok


def test_swapped_sealed_rows_are_reported(db):
    """Reordering: two sealed events exchange their places (seq) — the links no longer hold."""
    _events(db, 4)
    db.execute(text("UPDATE audit_events SET seq = -1 WHERE seq = 2"))
    db.execute(text("UPDATE audit_events SET seq = 2 WHERE seq = 3"))
    db.execute(text("UPDATE audit_events SET seq = 3 WHERE seq = -1"))
    db.commit()
    report = audit.verify(db)
    assert (report.ok, report.broken_seq) == (False, 2)


def test_a_new_database_starts_with_the_chain_head(tmp_path):
    """Migration 0015: the head row the sealers lock is there before the first seal."""
    fresh = Database(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    try:
        migrate.upgrade(fresh)
        with fresh.transaction() as session:
            head = session.get(AuditHead, 1)
            assert head is not None and (head.last_seq, head.last_hash) == (0, GENESIS_HASH)
            assert audit.verify(session).ok
    finally:
        fresh.dispose()


@pytest.mark.only_backend("postgresql")
def test_two_first_sealers_at_once_queue_on_the_head_and_neither_fails(db, database):
    """With the head row there from the start (as migrated), the second sealer waits for the
    first one's commit and then finds every event sealed."""
    db.add(AuditHead(id=1, last_seq=0, last_hash=GENESIS_HASH))  # as migration 0015 leaves it
    _events(db, 5, sealed=False)
    first = database.session()
    assert audit.seal(first) == 5  # holds the head's row lock until it commits
    outcome: list[object] = []

    def second_sealer() -> None:
        with database.transaction() as session:
            try:
                outcome.append(audit.seal(session))
            except Exception as exc:  # the test fails on it
                outcome.append(exc)

    waiting = threading.Thread(target=second_sealer)
    waiting.start()
    waiting.join(0.5)
    assert waiting.is_alive()  # queued on the head, not failing
    first.commit()
    first.close()
    waiting.join(10)
    assert outcome == [0]
    assert audit.verify(db).ok
