"""フィードバック督促: before, on and after the due date, once each, stopping at the answer."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

import pytest
from mailkit import attempt, leaks, personal_words, share_data
from sqlalchemy import func, select

from hub import jp, workdays
from hub.jp import TOKYO
from hub.mailbox import read, reminders, send, sharing_requests
from hub.mailbox.models import (
    FeedbackReminder,
    Notification,
    NotificationKind,
    OutboxMail,
    ReminderStage,
)
from hub.models import Role, User
from hub.scheduler import jobs

SUBJECT = "山田 太郎さんの滞納状況"


@pytest.fixture
def asked(db, city, consents, make_user):
    """A share asking 保険料収納課 and ぷらっとホーム for feedback in about three weeks."""
    consents.active(
        [
            {
                "from_department_id": city.nozei.id,
                "to_department_id": to.id,
                "categories": ["arrears"],
            }
            for to in (city.hokenryo, city.plat)
        ]
        + [
            {
                "from_department_id": city.plat.id,
                "to_department_id": city.nozei.id,
                "categories": ["support_status"],
            }
        ]
    )
    make_user(Role.MANAGER, department=city.hokenryo, login_id="hokenryo-mgr")
    due = workdays.add(jp.today(), 15)
    data = share_data(
        city.case_id,
        [city.hokenryo, city.plat],
        subject=SUBJECT,
        body_categories=["arrears"],
        feedback_due=due.isoformat(),
    )
    return attempt(db, send.send, city.staff, data).message


def at(clock, day, hour=10):
    clock.set(datetime.combine(day, time(hour), TOKYO))


def run(job, **kwargs):
    done = jobs.execute(jobs.get("feedback"), job(**kwargs), "manual")
    assert done.error == "", done.error
    return done.rows


def stages(db, message_id):
    rows = db.scalars(
        select(FeedbackReminder)
        .where(FeedbackReminder.message_id == message_id)
        .order_by(FeedbackReminder.id)
    )
    return [(r.department_id, r.stage, r.is_sent) for r in rows]


def test_reminds_before_and_on_the_due_day_then_escalates_once_each(
    db, city, asked, clock, job, caplog
):
    caplog.set_level(logging.INFO, logger="tsunagu.scheduler")
    due = asked.feedback_due
    at(clock, workdays.add(due, -3))
    assert run(job) == 0
    before = workdays.add(due, -2)
    at(clock, before)
    assert run(job) == 2  # both recipients owe it
    assert run(job) == 0  # running again (or a second scheduler) sends nothing more
    db.expire_all()
    told = db.scalars(
        select(Notification).where(Notification.kind == NotificationKind.FEEDBACK_DUE)
    ).all()
    expected = (
        f"納税課へのフィードバックの期限が近づいています"
        f"（{due.month}月{due.day}日まで、ケース{city.case_id}）"
    )
    assert {n.text for n in told} == {expected}
    assert {n.user_id for n in told} >= {city.hokenryo_staff.id, city.plat_staff.id}

    # ぷらっとホーム answers: the job stops chasing it.
    attempt(db, read.open_message, city.plat_staff, asked.id)
    attempt(
        db,
        sharing_requests.send_feedback,
        city.plat_staff,
        asked.id,
        {"done": "面談を実施", "support_status": "in_support"},
    )
    at(clock, workdays.effective_due(due), hour=9)
    assert run(job) == 1
    at(clock, workdays.add(due, 2))
    assert run(job) == 0
    at(clock, workdays.add(due, 3))
    assert run(job) == 1
    assert run(job) == 0
    assert stages(db, asked.id) == [
        (city.hokenryo.id, ReminderStage.BEFORE, True),
        (city.plat.id, ReminderStage.BEFORE, True),
        (city.hokenryo.id, ReminderStage.DUE, True),
        (city.hokenryo.id, ReminderStage.ESCALATION, True),
    ]
    # The escalation went to 保険料収納課's managers only.
    escalated = db.scalars(
        select(Notification).where(Notification.kind == NotificationKind.FEEDBACK_OVERDUE)
    ).all()
    manager = db.scalar(select(User.id).where(User.login_id == "hokenryo-mgr"))
    assert [n.user_id for n in escalated] == [manager]
    assert "期限" in escalated[0].text and "管理職" in escalated[0].text
    # Mails to the owing departments' addresses: 2 before, 1 on the day, 1 escalation.
    mails = db.scalars(select(OutboxMail).where(OutboxMail.subject.contains("フィードバック")))
    assert sorted(m.to_address.split("@")[0] for m in mails) == [
        "hokenryo",
        "hokenryo",
        "hokenryo",
        "plat",
    ]
    assert leaks(db, city.resident, SUBJECT) == []
    # The scheduler's log says job, rows, duration and outcome — nothing personal.
    lines = [r.getMessage() for r in caplog.records if r.name == "tsunagu.scheduler"]
    assert any(line.startswith("job=feedback rows=2 ") for line in lines)
    assert not [w for w in personal_words(city.resident, SUBJECT) if w in "\n".join(lines)]
    # Both sides see the history: the sender every recipient's, a recipient its own.
    assert len(reminders.history(db, asked.id)) == 4
    assert len(reminders.history(db, asked.id, city.plat.id)) == 1


def test_after_a_long_stop_only_the_latest_stage_is_sent(db, city, asked, clock, job):
    at(clock, workdays.add(asked.feedback_due, 4))
    assert run(job) == 2
    sent = [(d, s) for d, s, is_sent in stages(db, asked.id) if is_sent]
    assert sent == [
        (city.hokenryo.id, ReminderStage.ESCALATION),
        (city.plat.id, ReminderStage.ESCALATION),
    ]
    assert len(stages(db, asked.id)) == 6  # before and due recorded, not sent
    assert (
        db.scalar(select(func.count()).where(Notification.kind == NotificationKind.FEEDBACK_DUE))
        == 0
    )


def test_nothing_is_sent_when_the_city_is_closed_and_a_dry_run_writes_nothing(
    db, city, asked, clock, job
):
    day = workdays.add(asked.feedback_due, -2)
    at(clock, day, hour=18)
    assert run(job) == 0
    saturday = day + timedelta(days=(5 - day.weekday()) % 7)
    at(clock, saturday)
    assert run(job) == 0
    at(clock, day)
    ctx = job(dry_run=True)
    done = jobs.execute(jobs.get("feedback"), ctx, "manual")
    assert done.rows == 2 and len(ctx.report) == 2
    assert stages(db, asked.id) == []
    assert not any(w in " ".join(ctx.report) for w in personal_words(city.resident, SUBJECT))


def test_the_old_remind_command_runs_the_job(db, city, asked, config, monkeypatch):
    from click.testing import CliRunner

    from hub.cli import main

    monkeypatch.setenv("TSUNAGU_DATABASE_URL", config.database_url)
    monkeypatch.setenv("TSUNAGU_INSTANCE_PATH", config.instance_path)
    day = workdays.add(asked.feedback_due, -2)
    monkeypatch.setenv("TSUNAGU_FIXED_NOW", f"{day.isoformat()}T10:00")
    db.commit()
    result = CliRunner().invoke(main, ["mailbox", "remind"])
    assert result.exit_code == 0, result.output
    assert "正常（処理 2件）" in result.output
    db.expire_all()
    assert len(stages(db, asked.id)) == 2
