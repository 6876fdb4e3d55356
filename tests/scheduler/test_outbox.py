"""送信キュー against a real SMTP server (aiosmtpd on 127.0.0.1): what arrives, once."""

from __future__ import annotations

from mailkit import personal_words
from sqlalchemy import select

from hub.mailbox import notify
from hub.mailbox.models import OutboxMail, OutboxStatus
from hub.scheduler import jobs, outbox


def queue(db, city, n):
    for _ in range(n):
        notify.queue_mails(db, [city.plat, city.hokenryo], "/mailbox/messages/1")
    db.commit()


def run(job, **kwargs):
    return jobs.execute(jobs.get("outbox"), job(**kwargs), "manual")


def test_queued_mails_arrive_with_a_link_and_no_personal_data(db, city, job, smtp):
    queue(db, city, 2)
    done = run(job)
    assert (done.error, done.rows) == ("", 4)
    assert sorted(m["To"] for m in smtp.mails) == [
        "hokenryo@city.setagaya.example.jp",
        "hokenryo@city.setagaya.example.jp",
        "plat@city.setagaya.example.jp",
        "plat@city.setagaya.example.jp",
    ]
    mail = smtp.mails[0]
    assert mail["Subject"] == notify.MAIL_SUBJECT
    assert mail["From"] == "tsunagu@city.setagaya.example.jp"
    body = mail.get_content()
    assert "新しい連絡が1件あります" in body
    assert "https://hub.city.example.jp/mailbox/messages/1" in body
    words = personal_words(city.resident)
    for received in smtp.mails:
        text = f"{received['Subject']} {received['To']} {received.get_content()}"
        assert not [w for w in words if w in text]
    assert len({m["Message-ID"] for m in smtp.mails}) == 4
    assert run(job).rows == 0  # nothing is sent twice
    assert len(smtp.mails) == 4
    db.expire_all()
    assert {m.status for m in db.scalars(select(OutboxMail))} == {OutboxStatus.SENT}


def test_server_down_then_up_every_mail_arrives_once_with_its_message_id(
    db, city, job, smtp, clock
):
    queue(db, city, 3)
    smtp.stop()
    failed = run(job)
    # The run fails visibly (the administrator sees why); the mails wait for the next one.
    assert "MailServerUnavailable" in failed.error and "Connection" in failed.error
    db.expire_all()
    rows = db.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()
    assert {(m.status, m.attempts) for m in rows} == {(OutboxStatus.QUEUED, 1)}
    ids = {m.id: m.mail_id for m in rows}
    assert all(ids.values()) and "Connection" in rows[0].last_error
    # Still down a minute later: the second attempt waits twice as long.
    clock.advance(seconds=61)
    run(job)
    db.expire_all()
    rows = db.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()
    assert {(m.next_attempt_at - clock.now()).total_seconds() for m in rows} == {120.0}
    # Before the backoff ends nothing is tried; after it, the server is back.
    smtp.start()
    assert run(job).rows == 0 and smtp.mails == []
    clock.advance(minutes=2)
    assert run(job).rows == 6
    assert run(job).rows == 0
    clock.advance(hours=2)
    assert run(job).rows == 0
    assert sorted(m["Message-ID"] for m in smtp.mails) == sorted(ids.values())


def test_after_k_attempts_a_mail_fails_and_the_admin_sees_it(db, city, job, smtp, clock):
    queue(db, city, 1)
    smtp.stop()
    for _ in range(3):
        run(job)
        clock.advance(hours=1)
    db.expire_all()
    rows = db.scalars(select(OutboxMail)).all()
    assert {m.status for m in rows} == {OutboxStatus.QUEUED}  # 3 of 10 attempts so far
    for _ in range(8):
        run(job)
        clock.advance(hours=1)
    db.expire_all()
    assert {(m.status, m.attempts) for m in db.scalars(select(OutboxMail))} == {
        (OutboxStatus.FAILED, 10)
    }
    assert outbox.failed_count(db) == 2
    smtp.start()
    assert run(job).rows == 0  # failed for good: only the administrator's retry sends it


def test_a_sender_that_died_after_claiming_leaves_the_mail_for_another_after_the_lease(
    db, city, job, smtp, clock
):
    queue(db, city, 1)
    ctx = job()
    with ctx.transaction() as session:
        claimed = outbox.claim(session, ctx.now(), 10, "city.setagaya.example.jp")
        first_ids = {m.id: m.mail_id for m in claimed}
    # The process died here (after the attempt was recorded, perhaps after SMTP accepted).
    assert run(job).rows == 0  # leased: nobody else takes it yet
    clock.advance(minutes=11)
    assert run(job).rows == 2
    assert sorted(m["Message-ID"] for m in smtp.mails) == sorted(first_ids.values())
