"""送信キュー: send the queued mails over SMTP, with retries and exponential backoff.

Each batch: claim due mails in one transaction — ``FOR UPDATE SKIP LOCKED`` on PostgreSQL,
``BEGIN IMMEDIATE`` on SQLite — recording the attempt (count, a lease until which no other
sender takes them, and the Message-ID the mail keeps on every retry), commit; then talk SMTP;
then record each outcome. A process that dies after the server accepted a mail leaves it
claimed: after the lease it is sent again with the same Message-ID, so the receiving side can
recognise the duplicate. A failure waits 1, 2, 4 … minutes (at most an hour) before the next
attempt; after the configured number of attempts the mail is marked failed and the
administrator sees it (管理 → ジョブ). Nothing is lost while the SMTP server is down.
"""

from __future__ import annotations

import secrets
import smtplib
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from hub import settings
from hub.db import count_rows, is_postgres
from hub.mailbox.models import OutboxMail, OutboxStatus
from hub.scheduler import mail
from hub.scheduler import settings as job_settings
from hub.scheduler.context import JobContext

#: How long a claimed mail belongs to the sender that claimed it.
LEASE = timedelta(minutes=10)


class MailServerUnavailable(RuntimeError):
    """Nothing of a batch could be sent: the run is recorded as failed (管理 → ジョブ)."""


MAX_BACKOFF = timedelta(hours=1)


def backoff(attempts: int, base_seconds: int) -> timedelta:
    """1×, 2×, 4× … the base after each failure, at most an hour."""
    return min(timedelta(seconds=base_seconds * 2 ** max(0, attempts - 1)), MAX_BACKOFF)


def _due(now: datetime):
    return (
        OutboxMail.status.in_((OutboxStatus.QUEUED, OutboxStatus.SENDING)),
        or_(OutboxMail.next_attempt_at.is_(None), OutboxMail.next_attempt_at <= now),
    )


def pending(session: Session, now: datetime) -> int:
    return count_rows(session, select(func.count()).select_from(OutboxMail).where(*_due(now)))


def failed_count(session: Session) -> int:
    return count_rows(
        session,
        select(func.count())
        .select_from(OutboxMail)
        .where(OutboxMail.status == OutboxStatus.FAILED),
    )


def claim(session: Session, now: datetime, limit: int, domain: str) -> list[OutboxMail]:
    """Take up to ``limit`` due mails: attempt recorded, leased, Message-ID fixed."""
    query = select(OutboxMail).where(*_due(now)).order_by(OutboxMail.id).limit(limit)
    if is_postgres(session):
        query = query.with_for_update(skip_locked=True)
    mails = list(session.scalars(query))
    for m in mails:
        m.status = OutboxStatus.SENDING
        m.attempts += 1
        m.next_attempt_at = now + LEASE
        m.mail_id = m.mail_id or f"<outbox-{m.id}.{secrets.token_hex(8)}@{domain}>"
    session.flush()
    return mails


def record(
    session: Session,
    now: datetime,
    sent: list[int],
    failed: dict[int, str],
    policy: tuple[int, int],
) -> None:
    """Write what happened to a claimed batch: sent, retry later, or failed for good."""
    max_attempts, base = policy
    if sent:
        session.execute(
            update(OutboxMail)
            .where(OutboxMail.id.in_(sent))
            .values(status=OutboxStatus.SENT, sent_at=now, next_attempt_at=None, last_error="")
        )
    for m in session.scalars(select(OutboxMail).where(OutboxMail.id.in_(list(failed)))):
        m.last_error = failed[m.id][:255]
        if m.attempts >= max_attempts:
            m.status, m.failed_at, m.next_attempt_at = OutboxStatus.FAILED, now, None
        else:
            m.status, m.next_attempt_at = OutboxStatus.QUEUED, now + backoff(m.attempts, base)
    session.flush()


def run(ctx: JobContext) -> int:
    """Drain the outbox in batches; return how many mails the SMTP server accepted."""
    cfg = ctx.config
    if not cfg.smtp_host:
        ctx.note("SMTPサーバーが設定されていないため送信しません（TSUNAGU_SMTP_HOST）。")
        return 0
    with ctx.transaction() as session:
        policy = (
            settings.get(session, job_settings.MAIL_MAX_ATTEMPTS.key),
            settings.get(session, job_settings.MAIL_RETRY_SECONDS.key),
        )
        if ctx.dry_run:
            count = pending(session, ctx.now())
            ctx.note(f"送信待ちのメール {count}件を送ります。")
            return count
    total = 0
    while True:
        with ctx.transaction() as session:
            batch = claim(session, ctx.now(), ctx.batch, mail.domain(cfg))
            messages = [(m.id, mail.build(cfg, m)) for m in batch]
        if not messages:
            return total
        sent, failed = _deliver(cfg, messages)
        with ctx.transaction() as session:
            record(session, ctx.now(), sent, failed, policy)
        total += len(sent)
        ctx.advance(total)
        if failed and not sent:
            # The server is down or refusing: the mails wait (backoff); the run fails visibly.
            raise MailServerUnavailable(
                f"SMTPサーバーに送信できません（{len(failed)}件は再送待ち）: "
                f"{next(iter(failed.values()))}"
            )


def _deliver(cfg, messages) -> tuple[list[int], dict[int, str]]:
    """Send over one SMTP connection; a connection failure fails the whole batch."""
    sent: list[int] = []
    failed: dict[int, str] = {}
    try:
        with mail.connect(cfg) as smtp:
            for outbox_id, message in messages:
                try:
                    smtp.send_message(message)
                    sent.append(outbox_id)
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as exc:
                    failed[outbox_id] = f"{type(exc).__name__}: {exc}"
    except (TimeoutError, OSError, smtplib.SMTPException) as exc:
        reason = f"{type(exc).__name__}: {exc}"
        failed.update({i: reason for i, _m in messages if i not in sent})
    return sent, failed
