"""同意の期限: a warning with the shares that will be recalled; expiry the day after the last
day, recall, both sides told — once, whoever runs the job."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from mailkit import attempt, leaks, share_data
from sqlalchemy import select

from hub import jp, workdays
from hub.documents.consent.models import ConsentStatus
from hub.jp import TOKYO
from hub.mailbox import send
from hub.mailbox.models import Delivery, DeliveryState, Notification, NotificationKind, OutboxMail
from hub.scheduler import jobs
from hub.scheduler.models import ConsentReminder, ConsentReminderStage

SUBJECT = "山田 太郎さんの滞納状況"


def at(clock, day, hour=10):
    clock.set(datetime.combine(day, time(hour), TOKYO))


def run(job):
    done = jobs.execute(jobs.get("consents"), job(), "manual")
    assert done.error == "", done.error
    return done.rows


def test_warn_then_expire_recall_and_tell_both_sides(db, city, consents, clock, job):
    last_day = jp.today() + timedelta(days=40)
    consent = consents.active(
        [
            {
                "from_department_id": city.nozei.id,
                "to_department_id": city.plat.id,
                "categories": ["arrears"],
            }
        ],
        valid_until=last_day,
    )
    data = share_data(city.case_id, [city.plat], subject=SUBJECT, body_categories=["arrears"])
    message = attempt(db, send.send, city.staff, data).message

    at(clock, last_day - timedelta(days=31))
    assert run(job) == 0
    warn_day = workdays.next_workday(last_day - timedelta(days=30))
    at(clock, warn_day)
    assert run(job) == 1
    assert run(job) == 0  # once
    mark = db.scalar(select(ConsentReminder))
    assert mark.stage == ConsentReminderStage.WARNING
    assert mark.shares == [{"message_id": message.id, "from": city.nozei.id, "to": city.plat.id}]
    warned = db.scalars(
        select(Notification).where(Notification.kind == NotificationKind.CONSENT_ENDING)
    ).all()
    assert {n.text for n in warned} == {
        f"同意書番号{consent.id}の有効期限（{last_day.month}月{last_day.day}日）が近づいています"
        "（期限後に取り消される共有 1件）"
    }
    assert all(
        n.link_path == f"/residents/{city.resident.id}/consents/{consent.id}" for n in warned
    )
    assert db.scalar(select(OutboxMail).where(OutboxMail.subject.contains("同意"))) is not None

    # On the last day it still covers; the day after (even a Sunday night) it expires.
    at(clock, last_day, hour=23)
    assert run(job) == 0
    at(clock, last_day + timedelta(days=1), hour=0)
    assert run(job) == 1
    assert run(job) == 0
    db.expire_all()
    db.refresh(consent)
    assert consent.status == ConsentStatus.EXPIRED
    delivery = db.scalar(select(Delivery).where(Delivery.message_id == message.id))
    assert delivery.state == DeliveryState.RECALLED
    told = {
        (n.kind, n.user_id)
        for n in db.scalars(select(Notification).where(Notification.read_at.is_(None)))
    }
    # The obtaining (and sending) side and the receiving side are told.
    assert (NotificationKind.CONSENT_EXPIRED, city.staff.id) in told
    assert (NotificationKind.RECALLED, city.staff.id) in told
    assert (NotificationKind.RECALLED, city.plat_staff.id) in told
    assert leaks(db, city.resident, SUBJECT) == []
