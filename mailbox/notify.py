"""In-app notifications and the mail outbox; neither ever carries personal data.

A notification names the kind of event and the message number, never a subject, a resident or
a department's case. A mail goes to the department address only and says one thing:
"新しい連絡が1件あります" with a link; the scheduler drains the outbox.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from hub.db import utcnow
from hub.mailbox.models import Notification, NotificationKind, OutboxMail
from hub.models import Department, Role, User

MAIL_SUBJECT = "【つなぐハブ】新しい連絡があります"
MAIL_BODY = (
    "新しい連絡が1件あります。\n"
    "内容はつなぐハブにログインして確認してください（このメールには内容を記載していません）。\n"
)

TEXTS = {
    NotificationKind.NEW_MESSAGE: "新しい連絡が届きました（連絡番号{id}）",
    NotificationKind.APPROVAL_NEEDED: "承認待ちの連絡があります（連絡番号{id}）",
    NotificationKind.APPROVED: "連絡が承認され、送信されました（連絡番号{id}）",
    NotificationKind.RETURNED: "連絡が差し戻されました（連絡番号{id}）",
    NotificationKind.RECALLED: "同意の撤回・期限切れにより共有が取り消されました（連絡番号{id}）",
    NotificationKind.FEEDBACK_RECEIVED: "フィードバック・回答が届きました（連絡番号{id}）",
    NotificationKind.FEEDBACK_DUE: "フィードバックの期限が近づいています（連絡番号{id}）",
}


def _case_workers(session: Session, department_id: int, roles: tuple[Role, ...]) -> list[int]:
    return list(
        session.scalars(
            select(User.id).where(
                User.department_id == department_id, User.is_active, User.role.in_(roles)
            )
        )
    )


def department(
    session: Session,
    department_id: int,
    kind: NotificationKind,
    message_id: int,
    *,
    managers_only: bool = False,
    except_user_id: int | None = None,
) -> int:
    """Notify the active case workers (or managers) of a department; return how many."""
    roles = (Role.MANAGER,) if managers_only else (Role.STAFF, Role.MANAGER)
    users = [u for u in _case_workers(session, department_id, roles) if u != except_user_id]
    text = TEXTS[kind].format(id=message_id)
    session.add_all(
        Notification(user_id=u, kind=kind, message_id=message_id, text=text) for u in users
    )
    return len(users)


def departments(
    session: Session, department_ids: Sequence[int], kind: NotificationKind, message_id: int
) -> int:
    """Notify the active case workers of several departments at once; return how many.

    One query for the users and one multi-row insert, however many departments: the send
    path's notifications cost two statements.
    """
    if not department_ids:
        return 0
    users = session.scalars(
        select(User.id).where(
            User.department_id.in_(department_ids),
            User.is_active,
            User.role.in_((Role.STAFF, Role.MANAGER)),
        )
    ).all()
    text = TEXTS[kind].format(id=message_id)
    rows = [{"user_id": u, "kind": kind, "message_id": message_id, "text": text} for u in users]
    if rows:
        session.execute(insert(Notification), rows)
    return len(rows)


def user(session: Session, user_id: int, kind: NotificationKind, message_id: int) -> None:
    session.add(
        Notification(
            user_id=user_id,
            kind=kind,
            message_id=message_id,
            text=TEXTS[kind].format(id=message_id),
        )
    )


def queue_mails(
    session: Session, depts: Sequence[Department], link_path: str = "/mailbox/inbox"
) -> int:
    """Queue the no-content mail to each department that has an address (one insert)."""
    rows = [
        {
            "department_id": d.id,
            "to_address": d.contact_email,
            "subject": MAIL_SUBJECT,
            "body": MAIL_BODY,
            "link_path": link_path,
        }
        for d in depts
        if d.contact_email
    ]
    if rows:
        session.execute(insert(OutboxMail), rows)
    return len(rows)


def unread_count(session: Session, user_id: int) -> int:
    return session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )


def latest(session: Session, user_id: int, limit: int = 50) -> list[Notification]:
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.id.desc())
            .limit(limit)
        )
    )


def mark_read(session: Session, user_id: int, notification_id: int | None = None) -> int:
    """Mark one (or every) notification of the user read; return how many changed."""
    stmt = update(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    if notification_id is not None:
        stmt = stmt.where(Notification.id == notification_id)
    return session.execute(stmt.values(read_at=utcnow())).rowcount
