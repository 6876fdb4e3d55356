"""SQLite mode: a page read runs in a read transaction (plain BEGIN, no write lock held while
it reads) and writes its audit events afterwards in one short write; a read that writes (the
first open of a message) and meets a newer commit is run again holding the lock — answered
200, the first read recorded once, every access audited."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import event, func, select

from hub.mailbox import read, send
from hub.mailbox.models import Delivery
from hub.models import AuditEvent


def _share(db, setagaya):
    """納税課 shares the sheet's 滞納状況 with ぷらっとホーム (within the demo consent)."""
    data = {
        "kind": "share",
        "case_id": setagaya.case_id,
        "recipient_ids": [setagaya.departments["plat"]],
        "subject": "共有",
        "body": "滞納状況を共有します。",
        "sheet_version": "1",
        "sheet_categories": ["arrears"],
    }
    message = send.send(db, setagaya.users["nozei01"], data).message
    db.commit()
    return message


@pytest.fixture
def statements(app, database):
    seen: list[str] = []

    def listen(_conn, _cursor, statement, *_args):
        seen.append(
            statement.split()[0].upper() + (" IMMEDIATE" if "IMMEDIATE" in statement else "")
        )

    engine = app.extensions["tsunagu.db"].engine  # the app's own engine on the same file
    event.listen(engine, "before_cursor_execute", listen)
    yield seen
    event.remove(engine, "before_cursor_execute", listen)


def _audits(db, action: str) -> int:
    found = db.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    )
    db.rollback()
    return found


@pytest.mark.only_backend("sqlite")  # PostgreSQL reads take no table lock
def test_a_page_reads_without_the_write_lock_and_audits_after(db, setagaya, as_user, statements):
    _share(db, setagaya)
    before = _audits(db, "mailbox.inbox")
    plat = as_user("plat01")
    statements.clear()
    assert plat.get("/mailbox/").status_code == 200
    begins = [s for s in statements if s.startswith("BEGIN")]
    assert begins, statements
    assert begins[0] == "BEGIN", statements  # the read transaction
    assert begins[-1] == "BEGIN IMMEDIATE"  # the audit events' short write, at the end
    writes = statements[statements.index(begins[-1]) :]
    assert any(s == "INSERT" for s in writes)
    assert not any(
        s in ("INSERT", "UPDATE", "DELETE") for s in statements[: statements.index(begins[-1])]
    )
    assert _audits(db, "mailbox.inbox") == before + 1
    # A POST still takes the lock from its first statement.
    statements.clear()
    plat.post("/notifications/read", data={})
    assert next(s for s in statements if s.startswith("BEGIN")) == "BEGIN IMMEDIATE"


@pytest.mark.only_backend("sqlite")
def test_a_read_that_writes_and_meets_a_newer_commit_runs_again_with_the_lock(
    db, setagaya, as_user, statements, database, monkeypatch
):
    message = _share(db, setagaya)
    path = database.url.removeprefix("sqlite:///")
    original = read.access.message
    interrupted = []

    def check_then_another_commit(*args, **kwargs):
        found = original(*args, **kwargs)  # this read's snapshot is taken
        if not interrupted:  # another worker commits while this read is under way
            interrupted.append(True)
            other = sqlite3.connect(path, timeout=30)
            other.execute("UPDATE departments SET contact_phone = '03-0000-0001' WHERE id = 1")
            other.commit()
            other.close()
        return found

    monkeypatch.setattr(read.access, "message", check_then_another_commit)
    statements.clear()
    page = as_user("plat01").get(f"/mailbox/messages/{message.id}")
    assert page.status_code == 200
    assert interrupted == [True]
    assert "BEGIN IMMEDIATE" in [s for s in statements if s.startswith("BEGIN")][:2]
    plat = setagaya.departments["plat"]
    delivery = db.scalar(
        select(Delivery).where(Delivery.message_id == message.id, Delivery.department_id == plat)
    )
    assert delivery.first_read_at is not None
    assert _audits(db, "message.open") >= 1
