"""The demo mail, as a new user of `make run` would meet it (the due-feedback reminders are the
scheduler's: tests/scheduler/test_feedback_job.py)."""

from __future__ import annotations

from sqlalchemy import func, select

from hub import demo
from hub.documents.consent import demo as consent_demo
from hub.documents.hearing import demo as hearing_demo
from hub.mailbox import demo as mailbox_demo
from hub.mailbox import inbox
from hub.mailbox.models import Message, MessageKind
from hub.models import User
from hub.storage import Storage, bind


def _load(db, hasher, config) -> dict[str, User]:
    bind(db, Storage.from_config(config))
    demo.load(db, hasher)
    hearing_demo.load(db)
    consent_demo.load(db)
    assert mailbox_demo.load(db) is True
    db.commit()
    return {u.login_id: u for u in db.scalars(select(User))}


def test_demo_mail_shows_a_share_its_receipts_feedback_and_a_notice(db, hasher, config):
    users = _load(db, hasher, config)
    assert mailbox_demo.load(db) is False  # loading twice changes nothing
    assert db.scalar(select(func.count()).select_from(Message)) == 3

    share = db.scalars(select(Message).where(Message.kind == MessageKind.SHARE)).one()
    assert share.categories == ["arrears", "household_budget"]
    receipts = {d.department.code: d for d in share.deliveries}
    assert set(receipts) == {"hokenryo", "plat"}
    assert receipts["plat"].first_read_by_id == users["plat01"].id
    assert receipts["plat"].acknowledged_at is not None
    assert receipts["plat"].feedback_received_at is not None
    assert receipts["hokenryo"].first_read_at is None

    # 納税課 sees the feedback unread; 保険料収納課 owes feedback and has two unread.
    nozei_inbox = inbox.inbox(db, users["nozei01"])
    assert [d.message.kind for d in nozei_inbox.rows] == [MessageKind.FEEDBACK]
    counts = inbox.counts(db, users["hokenryo01"])
    assert (counts.unread, counts.owed, counts.overdue) == (2, 1, 0)
    # The notice reached every working department but the sender's, the admin's none.
    notice = db.scalars(select(Message).where(Message.kind == MessageKind.NOTICE)).one()
    assert notice.case_id is None
    assert {d.department.code for d in notice.deliveries} == {
        "hokenryo",
        "kokuho",
        "kaigo",
        "plat",
        "hokenfukushi",
    }
