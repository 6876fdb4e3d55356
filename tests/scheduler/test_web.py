"""管理 → ジョブ and the dashboard tiles, through the test client."""

from __future__ import annotations

from sqlalchemy import update

from helpers import csrf_token, login
from hub.db import utcnow
from hub.mailbox.models import OutboxMail, OutboxStatus
from hub.models import Role
from hub.scheduler.models import JobRun, RunOutcome


def test_the_admin_sees_every_job_the_last_error_and_failed_mails(db, city, logged_in):
    db.add(
        JobRun(
            job="outbox",
            outcome=RunOutcome.FAILED,
            started_at=utcnow(),
            finished_at=utcnow(),
            error="ConnectionRefusedError: [Errno 111] Connection refused",
        )
    )
    db.add(
        OutboxMail(
            department_id=city.plat.id,
            to_address="plat@city.setagaya.example.jp",
            subject="【つなぐハブ】新しい連絡があります",
            body="新しい連絡が1件あります。",
            status=OutboxStatus.FAILED,
            attempts=10,
            failed_at=utcnow(),
            last_error="SMTPRecipientsRefused",
        )
    )
    db.commit()
    admin = logged_in(city.admin)
    page = admin.get("/admin/jobs").get_data(as_text=True)
    for label in ("フィードバック督促", "同意の期限", "送信キュー", "保存期間", "監査ログの封印"):
        assert label in page
    assert "1回続けて失敗: ConnectionRefusedError" in page
    assert "plat@city.setagaya.example.jp" in page and "SMTPRecipientsRefused" in page
    home = admin.get("/admin/").get_data(as_text=True)
    assert "送信に失敗したメール" in home and "/admin/jobs" in home

    token = csrf_token(admin, "/admin/jobs")
    ran = admin.post("/admin/jobs/feedback/run", data={"csrf_token": token, "dry_run": "1"})
    assert ran.status_code == 302
    assert "フィードバック督促を実行しました" in admin.get("/admin/jobs").get_data(as_text=True)
    mail_id = db.scalar(OutboxMail.__table__.select().with_only_columns(OutboxMail.id))
    db.rollback()
    again = admin.post(f"/admin/jobs/mails/{mail_id}/retry", data={"csrf_token": token})
    assert again.status_code == 302
    assert db.get(OutboxMail, mail_id).status == OutboxStatus.QUEUED
    assert admin.post("/admin/jobs/nothing/run", data={"csrf_token": token}).status_code == 404


def test_staff_cannot_open_the_jobs_page_and_see_their_tiles(db, city, logged_in, make_user, app):
    staff = logged_in(city.staff)
    assert staff.get("/admin/jobs").status_code == 403
    page = staff.get("/").get_data(as_text=True)
    assert "有効期限が近い同意" in page and "回答を待っているフィードバック" in page
    assert staff.get("/consents/ending").status_code == 200
    db.execute(update(OutboxMail).values(status=OutboxStatus.FAILED))
    db.commit()
    manager = make_user(Role.MANAGER, department=city.nozei)
    other = app.test_client()
    assert login(other, manager).status_code == 302
    assert "送信に失敗したメール" not in other.get("/").get_data(as_text=True)
