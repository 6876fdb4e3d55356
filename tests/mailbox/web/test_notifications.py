"""Notifications tried as a new user would: they say what happened, one per event, and they
clear when the thing they point to is opened (the badge goes down)."""

from __future__ import annotations

import re

from mailkit import personal_words
from sqlalchemy import select

from helpers import csrf_token
from hub import jp
from hub.mailbox import send
from hub.mailbox.models import Notification, NotificationKind
from hub.models import Resident


def _badge(client) -> int:
    page = client.get("/mailbox/notifications").get_data(as_text=True)
    match = re.search(r'aria-label="通知（未読(\d+)件）"', page)
    return int(match.group(1))


def _share(db, setagaya, **extra):
    data = {
        "kind": "share",
        "case_id": setagaya.case_id,
        "recipient_ids": [setagaya.departments["plat"]],
        "subject": "山田 太郎さんのシート",
        "sheet_version": "1",
        "sheet_categories": ["arrears"],
        **extra,
    }
    message = send.send(db, setagaya.users["nozei01"], data).message
    db.commit()
    return message


def test_a_share_says_who_sent_what_on_which_case_and_clears_when_opened(setagaya, as_user, db):
    message = _share(db, setagaya, feedback_due=jp.today().isoformat())
    plat = as_user("plat01")
    before = _badge(plat)
    page = plat.get("/mailbox/notifications").get_data(as_text=True)
    text = f"納税課から情報共有が届きました（ケース{setagaya.case_id}）"
    assert text in page
    resident = db.scalar(select(Resident).where(Resident.id == message.resident_id))
    assert not [w for w in personal_words(resident, message.subject) if w in page.split("<main")[0]]
    plat.get(f"/mailbox/messages/{message.id}")  # opening the message reads its notification
    assert _badge(plat) == before - 1

    # The feedback is one event: 納税課 gets one notification of it, not two.
    nozei = as_user("nozei01")
    token = csrf_token(plat, "/mailbox/")
    feedback = {
        "csrf_token": token,
        "done": "初回面談を実施",
        "support_status": "in_support",
        "idempotency_key": "feedback-key-n1",
    }
    assert plat.post(f"/mailbox/messages/{message.id}/feedback", data=feedback).status_code == 302
    nozei_id = setagaya.users["nozei01"].id
    reply = db.scalar(
        select(Notification)
        .where(Notification.user_id == nozei_id)
        .order_by(Notification.id.desc())
    )
    told = db.scalars(
        select(Notification).where(
            Notification.user_id == nozei_id, Notification.message_id == reply.message_id
        )
    ).all()
    db.rollback()
    assert [n.text for n in told] == [
        f"ぷらっとホーム世田谷からフィードバックが届きました（ケース{setagaya.case_id}）"
    ]
    before = _badge(nozei)
    # Clicking the notification opens the feedback and reads it.
    opened = nozei.get(f"/mailbox/notifications/{told[0].id}")
    assert opened.status_code == 302
    assert opened.headers["Location"].endswith(f"/mailbox/messages/{reply.message_id}")
    assert _badge(nozei) == before - 1
    # Someone else's notification does not exist for this user.
    assert plat.get(f"/mailbox/notifications/{told[0].id}").status_code == 404


def test_the_request_page_shows_its_reminder_history_to_both_sides(setagaya, as_user, db):
    from hub.mailbox.models import Delivery, FeedbackReminder, ReminderStage

    message = _share(db, setagaya, feedback_due=jp.today().isoformat())
    delivery = db.scalar(select(Delivery).where(Delivery.message_id == message.id))
    db.add(
        FeedbackReminder(
            delivery_id=delivery.id,
            message_id=message.id,
            department_id=delivery.department_id,
            stage=ReminderStage.BEFORE,
            due_on=message.feedback_due,
        )
    )
    db.commit()
    for login in ("nozei01", "plat01"):
        page = as_user(login).get(f"/mailbox/messages/{message.id}").get_data(as_text=True)
        assert "督促の履歴" in page and "期限前のお知らせ" in page, login
        assert "ぷらっとホーム世田谷" in page.split("督促の履歴")[1]


def test_the_menu_counts_up_to_99_and_then_says_99_plus(setagaya, as_user, db):
    """A badge reads at most 100 index entries per page: 99 is shown as it is, more as 99+."""
    user_id = setagaya.users["plat01"].id

    def notices(count: int) -> None:
        db.add_all(
            Notification(user_id=user_id, kind=NotificationKind.MEETING, text="ケース会議")
            for _ in range(count)
        )
        db.commit()

    plat = as_user("plat01")
    notices(99)
    page = plat.get("/mailbox/").get_data(as_text=True)
    assert 'aria-label="通知（未読99件）"' in page
    assert re.search(r'class="nav-count"[^>]*>99<', page)
    notices(1)
    page = plat.get("/mailbox/").get_data(as_text=True)
    assert 'aria-label="通知（未読99件以上）"' in page
    assert re.search(r'class="nav-count"[^>]*>99\+<', page)
