"""In-app notifications and the mail outbox; neither ever carries personal data.

A notification says what happened, who did it and on which case — 「納税課から情報共有が届きまし
た（ケース1）」: a department's name and a case number are not personal data; a resident's name,
a subject or a body never appear. One event is one notification per person: a user who still
has an unread notification of the same kind about the same thing gets no second one. A
notification is read once the user opens what it points to.

A mail goes to the department address only and says one thing ("新しい連絡が1件あります", or
that a deadline is near) with a link; the scheduler drains the outbox.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from sqlalchemy import Select, and_, bindparam, exists, func, insert, select, update
from sqlalchemy.orm import Session

from hub.db import changed_rows, count_rows, utcnow
from hub.mailbox.models import Message, Notification, NotificationKind, OutboxMail
from hub.models import Department, Role, User

MAIL_SUBJECT = "【つなぐハブ】新しい連絡があります"
MAIL_BODY = (
    "新しい連絡が1件あります。\n"
    "内容はつなぐハブにログインして確認してください（このメールには内容を記載していません）。\n"
)

#: {dept}: the department that acted; {kind}: 情報共有, フィードバック …; {where}: （ケース1）.
TEXTS = {
    NotificationKind.NEW_MESSAGE: "{dept}から{kind}が届きました{where}",
    NotificationKind.APPROVAL_NEEDED: "承認待ちの{kind}があります{where}",
    NotificationKind.APPROVED: "{kind}が承認され、送信されました{where}",
    NotificationKind.RETURNED: "{kind}が差し戻されました{where}",
    NotificationKind.RECALLED: "同意の撤回・期限切れにより{kind}の共有が取り消されました{where}",
    NotificationKind.FEEDBACK_RECEIVED: "{dept}からフィードバックが届きました{where}",
    NotificationKind.FEEDBACK_DUE: "{dept}へのフィードバックの期限が近づいています{where}",
    NotificationKind.FEEDBACK_OVERDUE: "{dept}へのフィードバックが期限を過ぎています{where}",
}


def where(message: Message | None) -> str:
    """（ケース1） for a case message; nothing for a notice without a case."""
    if message is None or message.case_id is None:
        return ""
    return f"（ケース{message.case_id}）"


def text_for(kind: NotificationKind, message: Message, dept: str | None = None) -> str:
    """The notification's text: the event, the department, the case number — nothing else."""
    return TEXTS[kind].format(
        dept=dept if dept is not None else message.sender_department.name,
        kind=message.kind.label,
        where=where(message),
    )[:200]


def _roles(managers_only: bool) -> list[Role]:
    return [Role.MANAGER] if managers_only else [Role.STAFF, Role.MANAGER]


@cache
def _to_notify(about_message: bool, except_user: bool) -> Select[int]:
    """The active users of some departments with some roles who have no unread notification
    of this kind about the same thing yet (one event, one notice). Built once per shape, its
    values bound: a send runs it for every recipient department at once."""
    same_thing = (
        Notification.message_id == bindparam("message_id")
        if about_message
        else Notification.link_path == bindparam("link_path")
    )
    told = exists().where(
        and_(
            Notification.user_id == User.id,
            Notification.kind == bindparam("kind"),
            Notification.read_at.is_(None),
            same_thing,
        )
    )
    query = select(User.id).where(
        User.department_id.in_(bindparam("department_ids", expanding=True)),
        User.is_active,
        User.role.in_(bindparam("roles", expanding=True)),
        ~told,
    )
    if except_user:
        query = query.where(User.id != bindparam("except_user_id"))
    return query.order_by(User.id)


#: A plain multi-row INSERT, no unit of work (the rows are dicts; nothing reads them back).
_INSERT_NOTIFICATIONS = insert(Notification.metadata.tables[Notification.__tablename__])


def departments(
    session: Session,
    department_ids: Sequence[int],
    kind: NotificationKind,
    message: Message | None,
    *,
    text: str | None = None,
    link_path: str = "",
    managers_only: bool = False,
    except_user_id: int | None = None,
) -> int:
    """Notify the active case workers (or managers) of departments; return how many.

    One query for the users (those already told of this, unread, left out) and one
    multi-row insert, however many departments.
    """
    if not department_ids:
        return 0
    message_id = message.id if message is not None else None
    session.flush()
    query = _to_notify(message_id is not None, except_user_id is not None)
    params = {
        "department_ids": list(department_ids),
        "roles": _roles(managers_only),
        "kind": kind,
        "message_id": message_id,
        "link_path": link_path,
        "except_user_id": except_user_id,
    }
    users = session.scalars(query, params).all()
    if text is None:
        assert message is not None, "a notification without a message brings its own text"
        text = text_for(kind, message)
    body = text
    rows = [
        {"user_id": u, "kind": kind, "message_id": message_id, "text": body, "link_path": link_path}
        for u in users
    ]
    if rows:
        session.connection().execute(_INSERT_NOTIFICATIONS, rows)
    return len(rows)


def department(
    session: Session,
    department_id: int,
    kind: NotificationKind,
    message: Message | None,
    **options,
) -> int:
    """Notify the active case workers (or managers) of one department; return how many."""
    return departments(session, [department_id], kind, message, **options)


def user(session: Session, user_id: int, kind: NotificationKind, message: Message) -> None:
    """Notify one user (the author of a message a manager decided on)."""
    session.add(
        Notification(
            user_id=user_id, kind=kind, message_id=message.id, text=text_for(kind, message)
        )
    )


def queue_mails(
    session: Session,
    depts: Sequence[Department],
    link_path: str = "/mailbox/inbox",
    *,
    subject: str = MAIL_SUBJECT,
    body: str = MAIL_BODY,
) -> int:
    """Queue a no-content mail to each department that has an address (one insert)."""
    rows = [
        {
            "department_id": d.id,
            "to_address": d.contact_email,
            "subject": subject,
            "body": body,
            "link_path": link_path,
        }
        for d in depts
        if d.contact_email
    ]
    if rows:
        session.execute(insert(OutboxMail), rows)
    return len(rows)


def unread_count(session: Session, user_id: int) -> int:
    return count_rows(
        session,
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None)),
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
    return changed_rows(session, stmt.values(read_at=utcnow()))


#: The user's unread notifications about one message (built once: it runs on every open).
_UNREAD_ABOUT = select(Notification.id).where(
    Notification.user_id == bindparam("user_id"),
    Notification.message_id == bindparam("message_id"),
    Notification.read_at.is_(None),
)


def mark_read_about(session: Session, user_id: int, message_id: int) -> int:
    """The user opened a message: its unread notifications are read now.

    Looked up first and written only when there is one: opening a message again is a read
    only (on SQLite an UPDATE, even of no row, would take the database's write lock).
    """
    ids = list(session.scalars(_UNREAD_ABOUT, {"user_id": user_id, "message_id": message_id}))
    if not ids:
        return 0
    return changed_rows(
        session,
        update(Notification)
        .where(Notification.id.in_(ids), Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False),
    )


def own(session: Session, user_id: int, notification_id: int) -> Notification | None:
    """One of the user's notifications (None for anyone else's)."""
    found = session.get(Notification, notification_id)
    return found if found is not None and found.user_id == user_id else None
