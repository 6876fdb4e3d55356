"""Who sees a message, and what the lookup hands the read services: the message with the
department's own delivery (None for the sender), found by one lookup, not asked for twice."""

from __future__ import annotations

import pytest
from mailkit import attempt, share_data
from sqlalchemy import event, inspect

from hub.errors import Forbidden, NotFound
from hub.mailbox import access, read, send


def lookup(db, user, message_id: int) -> tuple[access.Visible, int]:
    """Look a message up on fresh state; return what was found and the statements it took."""
    db.expire_all()
    assert user.department_id and user.role  # the user is loaded before counting
    issued: list[str] = []
    engine = db.get_bind()

    def count(_conn, _cursor, statement, *_args) -> None:
        issued.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        found = access.message(db, user, message_id, "message.open")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return found, len(issued)


def test_the_lookup_returns_the_departments_delivery_at_no_extra_cost(db, city):
    notice = share_data(None, [city.hokenryo, city.plat], subject="勉強会のお知らせ")
    message_id = attempt(db, send.send, city.staff, notice).message.id
    mine, sender_cost = lookup(db, city.staff, message_id)
    assert mine.message.id == message_id and mine.delivery is None and mine.is_sender
    theirs, recipient_cost = lookup(db, city.hokenryo_staff, message_id)
    assert theirs.delivery is not None and theirs.delivery.department_id == city.hokenryo.id
    assert theirs.delivery.message_id == message_id and not theirs.is_sender
    # The recipient's own delivery comes with the message: no query of its own.
    assert recipient_cost == sender_cost
    # Nor are the other departments' deliveries or the recipient list read for it: only the
    # sender's copy shows them (loaded when it does).
    assert {"deliveries", "recipients"} <= inspect(theirs.message).unloaded
    assert {d.department_id for d in mine.message.deliveries} == {city.hokenryo.id, city.plat.id}
    with pytest.raises(NotFound):
        access.message(db, city.outsider, message_id, "message.open")
    with pytest.raises(Forbidden):
        access.message(db, city.admin, message_id, "message.open")


def test_the_lookup_brings_the_documents_in_the_same_statement(db, city, consents, grant):
    """Opening a message shows its documents: they come with the message, not by a query of
    their own."""
    consents.active([grant(city.nozei, city.plat, "collection_decision")])
    policy = share_data(
        city.case_id, [city.plat], subject="方針", policy={"pattern": "2", "note": "分納"}
    )
    message_id = attempt(db, send.send, city.staff, policy).message.id
    found, cost = lookup(db, city.plat_staff, message_id)
    assert "documents" not in inspect(found.message).unloaded
    assert [d.title for d in found.message.documents] == ["徴収可否の判断・今後の方針"]
    assert cost == 1


def test_opening_a_message_again_writes_nothing_but_its_audit_event(db, city):
    """The first open records the read and clears the notification; a second open only reads
    (on SQLite any UPDATE, even of no row, would take the database's write lock)."""
    notice = share_data(None, [city.hokenryo], subject="勉強会のお知らせ")
    message_id = attempt(db, send.send, city.staff, notice).message.id

    def writes_of_an_open() -> list[str]:
        issued: list[str] = []
        engine = db.get_bind()

        def listen(_conn, _cursor, statement, *_args) -> None:
            if statement.lstrip().split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
                issued.append(statement.split("(")[0].strip())

        event.listen(engine, "before_cursor_execute", listen)
        try:
            attempt(db, read.open_message, city.hokenryo_staff, message_id)
        finally:
            event.remove(engine, "before_cursor_execute", listen)
        return issued

    first = writes_of_an_open()
    assert any(w.startswith("UPDATE deliveries") for w in first)
    assert any(w.startswith("UPDATE notifications") for w in first)
    again = writes_of_an_open()
    assert again and all(w.startswith("INSERT INTO audit_events") for w in again), again
