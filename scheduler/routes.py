"""The scheduler's screens: 管理 → ジョブ (administrators) and the consents ending soon (staff).

Each route loads, checks access (the administrator for the jobs page, a case worker for the
consents), calls a service and renders.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from hub import audit, jp
from hub import clock as clocks
from hub.errors import Forbidden, NotFound
from hub.mailbox.models import OutboxMail, OutboxStatus
from hub.models import AuditCheckpoint
from hub.scheduler import consents, jobs
from hub.scheduler.context import JobContext
from hub.web import actor, config, database, db

bp = Blueprint("scheduler", __name__)
ADMIN_ONLY = "ジョブの画面はシステム管理者が使います。"


def require_admin() -> None:
    user = actor()
    if not user.is_admin:
        audit.record(
            db(),
            user,
            "admin.access",
            object_type="job",
            outcome=audit.DENIED,
            reason=f"role {user.role.value}",
        )
        raise Forbidden(ADMIN_ONLY)


def _context(dry_run: bool = False) -> JobContext:
    cfg = config()
    return JobContext(
        database=database(),
        config=cfg,
        clock=clocks.from_config(cfg.fixed_now),
        storage=current_app.extensions["tsunagu.storage"],
        dry_run=dry_run,
    )


@bp.get("/admin/jobs")
def index():
    """List the jobs: schedule, last run, outcome, last error, rows due; failed mails."""
    require_admin()
    ctx = _context()
    failed = list(
        db().scalars(
            select(OutboxMail)
            .where(OutboxMail.status == OutboxStatus.FAILED)
            .order_by(OutboxMail.id.desc())
            .limit(100)
        )
    )
    checkpoint = db().scalar(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1))
    audit.record(db(), actor(), "admin.jobs", object_type="job")
    return render_template(
        "scheduler/jobs.html",
        statuses=jobs.statuses(db(), ctx.now()),
        failed=failed,
        checkpoint=checkpoint,
        smtp_host=config().smtp_host,
    )


@bp.post("/admin/jobs/<name>/run")
def run(name: str):
    """Run a job now (or only list what it would do) and show the outcome."""
    require_admin()
    job = jobs.get(name)
    dry_run = request.form.get("dry_run") == "1"
    ctx = _context(dry_run)
    # The job writes in its own transactions: end the request's first (on SQLite it holds
    # the write lock from its first statement).
    db().commit()
    done = jobs.run_by_hand(job, ctx)
    audit.record(db(), actor(), "job.run", object_type="job", object_id=name)
    if done.error:
        flash(f"{job.label}は失敗しました: {done.error}", "error")
    else:
        verb = "対象" if dry_run else "処理"
        flash(f"{job.label}を実行しました（{verb} {done.rows}件）。", "success")
        for line in ctx.report[:20]:
            flash(line, "info")
    return redirect(url_for(".index"))


@bp.post("/admin/jobs/mails/<int:mail_id>/retry")
def retry_mail(mail_id: int):
    """Put a failed mail back in the queue (after the mail server was fixed)."""
    require_admin()
    mail = db().get(OutboxMail, mail_id)
    if mail is None:
        raise NotFound()
    if mail.status == OutboxStatus.FAILED:
        mail.status, mail.attempts, mail.next_attempt_at = OutboxStatus.QUEUED, 0, None
        mail.failed_at = None
        audit.record(db(), actor(), "outbox.retry", mail)
        flash(f"メール{mail.id}を送信待ちに戻しました。", "success")
    return redirect(url_for(".index", _anchor="failed-title"))


@bp.get("/consents/ending")
def ending():
    """Consents our department obtained that end within the warning period, with the shares
    (to or from our department) that will be recalled."""
    user = actor()
    if not user.can_read_cases:
        raise Forbidden("同意の一覧は各課の職員が使います。")
    today = jp.today()
    rows = []
    for consent in consents.ending_soon(db(), user.department_id, today):
        shares = [
            s
            for s in consents.shares_to_recall(db(), consent)
            if user.department_id in (s["from"], s["to"])
        ]
        rows.append((consent, shares))
    audit.record(
        db(), user, "consent.list_ending", object_type="consent", reason=f"{len(rows)} rows"
    )
    return render_template(
        "scheduler/consents_ending.html",
        rows=rows,
        until=consents.ending_within(db(), today),
        names=consents.department_names(db()),
    )
