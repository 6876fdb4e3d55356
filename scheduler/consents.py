"""同意の期限: warn the obtaining department X days before a consent ends (listing the shares
that will be recalled), and on the day after its last day mark it expired — which recalls
shares as the mailbox defines — and tell both sides.

Done marks: a ``consent_reminders`` row per consent and stage (inserted with ON CONFLICT DO
NOTHING, in the same transaction as what it tells); the expiry itself is the consent's status,
changed under ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (``expire_due``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session

from hub import jp, settings, workdays
from hub.db import count_rows, insert_or_ignore
from hub.documents.consent import services as consent_services
from hub.documents.consent import settings as consent_settings
from hub.documents.consent.models import Consent, ConsentStatus
from hub.mailbox import notify
from hub.mailbox.models import (
    Delivery,
    DeliveryState,
    Message,
    MessageConsent,
    NotificationKind,
)
from hub.mailbox.read import still_covered
from hub.models import Department
from hub.scheduler.context import JobContext
from hub.scheduler.models import ConsentReminder, ConsentReminderStage

MAIL_SUBJECT = "【つなぐハブ】有効期限が近い同意があります"
MAIL_BODY = (
    "有効期限が近づいている同意が1件あります。期限を過ぎると、その同意で行った共有は取り消されます。\n"
    "有効期限: {day}\n"
    "内容はつなぐハブにログインして確認してください（このメールには内容を記載していません）。\n"
)


def consent_path(consent: Consent) -> str:
    return f"/residents/{consent.resident_id}/consents/{consent.id}"


def ending_within(session: Session, today: date) -> date:
    days = settings.get(session, consent_settings.WARNING_DAYS.key)
    return today + timedelta(days=days)


def ending_soon(session: Session, department_id: int, today: date) -> list[Consent]:
    """Active consents the department obtained that end within the warning period."""
    return list(
        session.scalars(
            select(Consent)
            .where(
                Consent.obtaining_department_id == department_id,
                Consent.status == ConsentStatus.ACTIVE,
                Consent.valid_until >= today,
                Consent.valid_until <= ending_within(session, today),
            )
            .order_by(Consent.valid_until, Consent.id)
        )
    )


def department_names(session: Session) -> dict[int, str]:
    return dict(session.execute(select(Department.id, Department.name)).all())


def _warnable(session: Session, today: date):
    warned = exists().where(
        and_(
            ConsentReminder.consent_id == Consent.id,
            ConsentReminder.stage == ConsentReminderStage.WARNING,
        )
    )
    return select(Consent).where(
        Consent.status == ConsentStatus.ACTIVE,
        Consent.valid_until >= today,
        Consent.valid_until <= ending_within(session, today),
        ~warned,
    )


def pending(session: Session, now: datetime) -> int:
    today = jp.local(now).date()
    expiring = count_rows(
        session,
        select(func.count())
        .select_from(Consent)
        .where(Consent.status == ConsentStatus.ACTIVE, Consent.valid_until < today),
    )
    warn = count_rows(
        session, select(func.count()).select_from(_warnable(session, today).subquery())
    )
    return expiring + warn


def shares_to_recall(session: Session, consent: Consent) -> list[dict[str, int]]:
    """The deliveries under this consent that nothing else covers the day after it ends."""
    day = consent.valid_until + timedelta(days=1)
    rows = session.scalars(
        select(Delivery)
        .join(MessageConsent, MessageConsent.message_id == Delivery.message_id)
        .where(MessageConsent.consent_id == consent.id, Delivery.state == DeliveryState.DELIVERED)
        .order_by(Delivery.id)
    ).all()
    return [
        {"message_id": d.message_id, "from": d.message.sender_department_id, "to": d.department_id}
        for d in rows
        if still_covered(session, d.message, d, day) is not None
    ]


def warn(session: Session, today: date, *, dry_run: bool = False, limit: int = 500) -> list[int]:
    """Tell obtaining departments of consents ending within X days (once per consent)."""
    consents = list(session.scalars(_warnable(session, today).order_by(Consent.id).limit(limit)))
    told = []
    for consent in consents:
        shares = shares_to_recall(session, consent)
        if dry_run:
            told.append(consent.id)
            continue
        mark = insert_or_ignore(session, ConsentReminder).returning(ConsentReminder.id)
        written = session.execute(
            mark,
            [
                {
                    "consent_id": consent.id,
                    "stage": ConsentReminderStage.WARNING,
                    "valid_until": consent.valid_until,
                    "shares": shares,
                }
            ],
        ).all()
        if not written:
            continue  # another scheduler told them
        day = consent.valid_until
        text = (
            f"同意書番号{consent.id}の有効期限（{day.month}月{day.day}日）が近づいています"
            f"（期限後に取り消される共有 {len(shares)}件）"
        )
        notify.department(
            session,
            consent.obtaining_department_id,
            NotificationKind.CONSENT_ENDING,
            None,
            text=text,
            link_path=consent_path(consent),
        )
        notify.queue_mails(
            session,
            [consent.obtaining_department],
            consent_path(consent),
            subject=MAIL_SUBJECT,
            body=MAIL_BODY.format(day=jp.wareki(day)),
        )
        told.append(consent.id)
    session.flush()
    return told


def expire(session: Session, today: date, *, dry_run: bool = False) -> list[int]:
    """Mark consents past their last day expired (recalling their shares) and tell both sides."""
    if dry_run:
        return list(
            session.scalars(
                select(Consent.id).where(
                    Consent.status == ConsentStatus.ACTIVE, Consent.valid_until < today
                )
            )
        )
    ids = consent_services.expire_due(session, today)
    for consent_id in ids:
        consent = session.get_one(Consent, consent_id)
        day = consent.valid_until + timedelta(days=1)
        recalled = session.execute(
            select(Delivery.message_id, Delivery.department_id)
            .join(MessageConsent, MessageConsent.message_id == Delivery.message_id)
            .where(
                MessageConsent.consent_id == consent.id,
                Delivery.state == DeliveryState.RECALLED,
                Delivery.recalled_on == day,
            )
        ).all()
        session.execute(
            insert_or_ignore(session, ConsentReminder),
            [
                {
                    "consent_id": consent.id,
                    "stage": ConsentReminderStage.EXPIRED,
                    "valid_until": consent.valid_until,
                    "shares": [{"message_id": m, "to": d} for m, d in recalled],
                }
            ],
        )
        notify.department(
            session,
            consent.obtaining_department_id,
            NotificationKind.CONSENT_EXPIRED,
            None,
            text=(
                f"同意書番号{consent.id}は有効期限を過ぎたため失効しました"
                f"（取り消した共有 {len(recalled)}件）"
            ),
            link_path=consent_path(consent),
        )
        # The receiving side: its copy is now a tombstone (the sender was told by the recall).
        for message_id, dept_id in recalled:
            message = session.get_one(Message, message_id)
            sender = session.get_one(Department, message.sender_department_id)
            notify.department(
                session,
                dept_id,
                NotificationKind.RECALLED,
                message,
                text=(
                    f"同意の期限切れにより、{sender.name}からの{message.kind.label}が"
                    f"取り消されました{notify.where(message)}"
                ),
            )
    session.flush()
    return ids


def run(ctx: JobContext) -> int:
    """Expire what ended (at any hour: it is the law of the consent), warn during opening hours."""
    with ctx.transaction() as session:
        expired = expire(session, ctx.today(), dry_run=ctx.dry_run)
        is_open = workdays.is_open(session, ctx.now())
    for consent_id in expired if ctx.dry_run else ():
        ctx.note(f"同意書番号{consent_id}: 失効させ、共有を取り消します")
    ctx.advance(len(expired))
    warned: list[int] = []
    if is_open:
        with ctx.transaction() as session:
            warned = warn(session, ctx.today(), dry_run=ctx.dry_run, limit=ctx.batch)
        for consent_id in warned if ctx.dry_run else ():
            ctx.note(f"同意書番号{consent_id}: 期限が近いことを取得した課に知らせます")
    return len(expired) + len(warned)
