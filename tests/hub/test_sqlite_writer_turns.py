"""SQLite: this process's writers take turns at a lock of their own before BEGIN IMMEDIATE, and
every way a write transaction ends hands the turn on — a commit, a rollback, an error, a
connection given back to the pool open, or one thrown away. A turn never handed on would stop
every later write of the server."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import insert, select, text

from hub import audit
from hub.db import DEFERRED_READS, Database, writer_turns
from hub.models import AuditEvent

pytestmark = pytest.mark.only_backend("sqlite")


@pytest.fixture
def sqlite(database: Database) -> Iterator[Database]:
    """A second engine on the test's SQLite file: its own pool and turns, as a server has."""
    other = Database(database.url)
    yield other
    other.dispose()


def _event(login_id: str) -> dict:
    return dict(action="test.write", outcome=audit.ALLOWED, login_id=login_id)


def _write_in_thread(db: Database, login_id: str) -> bool:
    """Write one row from another thread; True when it committed within 10 s."""
    done = threading.Event()

    def write() -> None:
        with db.transaction() as session:
            session.execute(insert(AuditEvent), [_event(login_id)])
        done.set()

    worker = threading.Thread(target=write, daemon=True)
    worker.start()
    return done.wait(10)


def _written(db: Database, login_id: str) -> bool:
    with db.transaction() as session:
        return (
            session.scalar(select(AuditEvent.id).where(AuditEvent.login_id == login_id)) is not None
        )


def test_a_write_holds_the_turn_until_its_commit_and_the_next_writer_goes_on(sqlite):
    turns = writer_turns(sqlite.engine)
    assert turns is not None and not turns.taken
    session = sqlite.session()
    session.execute(insert(AuditEvent), [_event("first")])
    assert turns.taken  # BEGIN IMMEDIATE came after the turn
    waiting = threading.Thread(target=_write_in_thread, args=(sqlite, "second"), daemon=True)
    waiting.start()
    waiting.join(0.3)
    assert waiting.is_alive() and not _written_outside(sqlite, "second")  # it waits its turn
    session.commit()
    waiting.join(10)
    assert not waiting.is_alive()
    assert _written(sqlite, "first") and _written(sqlite, "second")
    session.close()
    assert not turns.taken


def _written_outside(db: Database, login_id: str) -> bool:
    """Read without taking a turn (as a GET does)."""
    token = DEFERRED_READS.set(True)
    try:
        with db.engine.connect() as conn:
            row = conn.execute(
                text("SELECT 1 FROM audit_events WHERE login_id = :l"), {"l": login_id}
            ).first()
            conn.rollback()
            return row is not None
    finally:
        DEFERRED_READS.reset(token)


@pytest.mark.parametrize("ending", ["rollback", "error", "close", "invalidate"])
def test_every_end_of_a_write_hands_the_turn_on(sqlite, ending):
    turns = writer_turns(sqlite.engine)
    assert turns is not None
    session = sqlite.session()
    session.execute(insert(AuditEvent), [_event("abandoned")])
    assert turns.taken
    if ending == "rollback":
        session.rollback()
    elif ending == "error":
        with pytest.raises(Exception, match="no such table"):
            session.execute(text("INSERT INTO no_such_table VALUES (1)"))
        session.rollback()
    elif ending == "close":
        session.close()  # the pool rolls the open transaction back on check-in
    else:
        session.connection().invalidate()
    assert not turns.taken
    assert _write_in_thread(sqlite, "after")
    assert not _written(sqlite, "abandoned") and _written(sqlite, "after")
    session.close()


def test_reads_take_no_turn(sqlite):
    turns = writer_turns(sqlite.engine)
    assert turns is not None
    holder = sqlite.session()
    holder.execute(insert(AuditEvent), [_event("holder")])
    token = DEFERRED_READS.set(True)
    try:
        reader = sqlite.session()
        assert reader.scalar(select(AuditEvent.id).where(AuditEvent.login_id == "holder")) is None
        reader.close()
    finally:
        DEFERRED_READS.reset(token)
    holder.commit()
    holder.close()
    assert not turns.taken
