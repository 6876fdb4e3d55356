"""The scheduler's tiles: consents ending soon (staff), failed mails and failing jobs (admins)."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub import jp
from hub.db import count_rows
from hub.documents.consent.models import Consent, ConsentStatus
from hub.models import User
from hub.panels import Tile
from hub.scheduler import consents, outbox
from hub.scheduler.models import JobRun, RunOutcome


def dashboard_tiles(session: Session, user: User) -> list[Tile]:
    if user.is_admin:
        return admin_tiles(session, user)
    if not user.can_read_cases:
        return []
    today = jp.today()
    until = consents.ending_within(session, today)
    ending = count_rows(
        session,
        select(func.count())
        .select_from(Consent)
        .where(
            Consent.obtaining_department_id == user.department_id,
            Consent.status == ConsentStatus.ACTIVE,
            Consent.valid_until >= today,
            Consent.valid_until <= until,
        ),
    )
    return [
        Tile(
            "有効期限が近い同意",
            ending,
            "件",
            f"{until.month}月{until.day}日までに期限（自課が取得）",
            url_for("scheduler.ending"),
            "warn" if ending else "",
        )
    ]


def admin_tiles(session: Session, user: User) -> list[Tile]:
    if not user.is_admin:
        return []
    failed = outbox.failed_count(session)
    last_runs = session.execute(
        select(JobRun.job, JobRun.outcome).where(
            JobRun.id.in_(select(func.max(JobRun.id)).group_by(JobRun.job))
        )
    ).all()
    failing = sum(1 for _job, outcome in last_runs if outcome == RunOutcome.FAILED)
    return [
        Tile(
            "送信に失敗したメール",
            failed,
            "件",
            "管理者の確認が必要です" if failed else "失敗はありません",
            url_for("scheduler.index", _anchor="failed-title"),
            "warn" if failed else "",
        ),
        Tile(
            "ジョブ",
            failing,
            "件失敗",
            "督促・同意の期限・メール送信・保存期間・封印",
            url_for("scheduler.index"),
            "warn" if failing else "",
        ),
    ]
