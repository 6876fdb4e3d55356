"""Concurrency and faults: two people of a department opening at once, two sends with the same
idempotency key at once, and a database error in the middle of a send.

Threads use sessions of their own on the test's database (PostgreSQL: real concurrent
transactions; SQLite: BEGIN IMMEDIATE serialises them). Either way nothing is lost or doubled.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from mailkit import attempt, audit_count, row_counts, share_data
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError

from hub import audit
from hub.db import finish
from hub.errors import Conflict
from hub.mailbox import notify, read, send
from hub.mailbox.models import Delivery, Message
from hub.models import AuditEvent, User


def race(database, *jobs: Callable[[Any], Any]) -> list[Any]:
    """Run each job(session) in its own thread and session, released together; commit each
    (rolling back on an error, like a request). Return each result or exception."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(i: int, job) -> None:
        session = database.session()
        try:
            barrier.wait(timeout=10)
            try:
                value = job(session)
            except Exception as exc:
                finish(session, ok=False)
                results[i] = exc
                return
            try:
                finish(session, ok=True)
            except Exception as exc:
                session.rollback()
                results[i] = exc
                return
            results[i] = value
        finally:
            session.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread hung (lock never released?)"
    return results


@pytest.fixture
def shared(db, city, consents, grant):
    consents.active([grant(city.nozei, city.hokenryo, "arrears")])
    data = share_data(city.case_id, [city.hokenryo], subject="共有", body_categories=["arrears"])
    message = attempt(db, send.send, city.staff, data).message
    db.commit()
    return message


@pytest.mark.parametrize("round_", range(3))
def test_two_people_opening_at_once_record_one_first_reader(
    db, database, city, shared, make_user, round_
):
    colleague = make_user(department=city.hokenryo, login_id=f"hokenryo-{round_}")
    readers = [city.hokenryo_staff.id, colleague.id]
    opens_before = db.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "message.open")
    )
    db.commit()

    def opener(user_id):
        def job(session):
            view = read.open_message(session, session.get(User, user_id), shared.id)
            return (view.is_recalled, len(view.documents), view.message.body)

        return job

    results = race(database, *(opener(u) for u in readers))
    # Both reads succeed and show the content (the body; this share carries no document).
    assert not any(isinstance(r, Exception) for r in results), results
    assert results[0] == results[1] and results[0][0] is False  # not recalled, same content
    db.expire_all()
    [delivery] = db.scalars(select(Delivery).where(Delivery.message_id == shared.id)).all()
    assert delivery.first_read_by_id in readers and delivery.first_read_at is not None
    assert delivery.read_rank == 1
    opens = db.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "message.open")
    )
    assert opens == opens_before + 2  # both reads happened and were audited
    # And the receipt survives: a later acknowledgement by either keeps the first reader.
    first = delivery.first_read_by_id
    acked = attempt(db, read.acknowledge, db.get(User, readers[1]), shared.id)
    assert acked.first_read_by_id == first and acked.acknowledged_by_id == readers[1]


def test_two_sends_with_the_same_key_at_once_make_one_message(db, database, city, consents, grant):
    consents.active(
        [grant(city.nozei, city.hokenryo, "arrears"), grant(city.nozei, city.plat, "arrears")]
    )
    data = share_data(
        city.case_id,
        [city.hokenryo, city.plat],
        subject="二重送信",
        body_categories=["arrears"],
    )
    user_id = city.staff.id
    before = row_counts(db)
    db.commit()

    def sender(session):
        return send.send(session, session.get(User, user_id), dict(data)).message.id

    results = race(database, sender, sender)
    ids = [r for r in results if isinstance(r, int)]
    errors = [r for r in results if not isinstance(r, int)]
    assert ids, results
    assert len(set(ids)) == 1
    assert all(isinstance(e, IntegrityError | Conflict) for e in errors), errors
    db.expire_all()
    after = row_counts(db)
    assert after["messages"] == before["messages"] + 1
    assert after["deliveries"] == before["deliveries"] + 2  # both recipients, once each
    assert after["outbox_mails"] == before["outbox_mails"] + 2
    [message] = db.scalars(
        select(Message).where(Message.idempotency_key == data["idempotency_key"])
    )
    assert sorted(d.department_id for d in message.deliveries) == sorted(
        [city.hokenryo.id, city.plat.id]
    )
    # The same key once more (a late retry) returns the message, nothing new.
    again = attempt(db, send.send, city.staff, dict(data)).message
    assert again.id == ids[0] and row_counts(db) == after


def test_concurrent_sends_by_two_users_lose_nothing(db, database, city, consents, grant):
    consents.active([grant(city.nozei, city.hokenryo, "arrears")])
    users = [city.staff.id, city.staff.id]
    db.commit()
    jobs = []
    for n, user_id in enumerate(users):
        data = share_data(
            city.case_id, [city.hokenryo], subject=f"同時送信{n}", body_categories=["arrears"]
        )

        def job(session, data=data, user_id=user_id):
            return send.send(session, session.get(User, user_id), data).message.id

        jobs.append(job)
    results = race(database, *jobs)
    assert all(isinstance(r, int) for r in results), results
    db.expire_all()
    got = db.scalars(select(Delivery.message_id).where(Delivery.department_id == city.hokenryo.id))
    assert sorted(got) == sorted(results)


def test_a_database_error_mid_send_rolls_back_everything(db, city, consents, grant, monkeypatch):
    consents.active(
        [grant(city.nozei, city.hokenryo, "arrears"), grant(city.nozei, city.plat, "arrears")]
    )
    data = share_data(
        city.case_id, [city.hokenryo, city.plat], subject="障害", body_categories=["arrears"]
    )
    before = row_counts(db)
    allowed_before = audit_count(db, outcome=audit.ALLOWED)
    calls = []

    def broken(session, depts, link_path="/mailbox/inbox"):
        calls.extend(d.id for d in depts)
        session.flush()  # the message and the deliveries are in the transaction by now
        for dept in depts:
            assert session.scalar(select(Delivery).where(Delivery.department_id == dept.id))
        raise OperationalError("INSERT INTO outbox_mails", {}, Exception("disk I/O error"))

    monkeypatch.setattr(notify, "queue_mails", broken)
    with pytest.raises(OperationalError):
        attempt(db, send.send, city.staff, data)
    assert calls  # the failure came after deliveries were written
    db.expire_all()
    assert row_counts(db) == before
    assert audit_count(db, outcome=audit.ALLOWED) == allowed_before
    # The same form sent again once the database is back goes out whole (the key is free).
    monkeypatch.undo()
    message = attempt(db, send.send, city.staff, data).message
    assert len(message.deliveries) == 2
    assert row_counts(db)["messages"] == before["messages"] + 1
