"""Due-feedback notices: tell a department, once, that feedback it owes is due soon or overdue.

A thin poller over database state, safe to run twice: a notice already given for a message to
a user is not given again. The scheduler issue will run it on a timer (and chase by mail);
until then ``tsunagu mailbox remind`` runs it.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session

from hub import jp
from hub.mailbox import notify
from hub.mailbox.inbox import awaiting_answer
from hub.mailbox.models import Delivery, Notification, NotificationKind
from hub.models import Role, User


def notify_due_feedback(
    session: Session, *, today: date | None = None, days_before: int = 2
) -> int:
    """Notify the case workers of departments owing feedback due within ``days_before`` days.

    Returns how many notifications were written.
    """
    today = today or jp.today()
    horizon = today + timedelta(days=days_before)
    already = exists().where(
        and_(
            Notification.user_id == User.id,
            Notification.message_id == Delivery.message_id,
            Notification.kind == NotificationKind.FEEDBACK_DUE,
        )
    )
    rows = session.execute(
        select(User.id, Delivery.message_id)
        .join(User, User.department_id == Delivery.department_id)
        .where(
            *awaiting_answer(),
            Delivery.feedback_due <= horizon,
            User.is_active,
            User.role.in_((Role.STAFF, Role.MANAGER)),
            ~already,
        )
        .order_by(Delivery.id, User.id)
    ).all()
    for user_id, message_id in rows:
        notify.user(session, user_id, NotificationKind.FEEDBACK_DUE, message_id)
    session.flush()
    return len(rows)
