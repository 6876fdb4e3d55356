"""Follow-ups (フィードバック・依頼): what the department owes, what it waits for, and what
nobody opened — each list the department's own, audited like every list of cases.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, contains_eager, joinedload, lazyload

from hub import jp, settings, workdays
from hub.db import utcnow
from hub.mailbox import settings as mailbox_settings
from hub.mailbox.inbox import audited_list, awaiting_answer, require_worker
from hub.mailbox.models import Delivery, DeliveryState, Message
from hub.models import User

#: What a row shows of its message, loaded with the delivery: not the message's documents, its
#: other deliveries or its recipients (the lists run to thousands of rows on a busy department,
#: and a lazy load per row was thousands of statements: a page took seconds).
_ROW_ONLY = (
    lazyload(Message.documents),
    lazyload(Message.deliveries),
    lazyload(Message.recipients),
    lazyload(Message.sender_user),
)


def _deliveries(session: Session, query: Select, *, joined: bool = False) -> list[Delivery]:
    """The deliveries of ``query`` with their messages, in one statement (``joined``: the query
    already joins the message, which is then read from that join)."""
    load = contains_eager(Delivery.message) if joined else joinedload(Delivery.message)
    return list(session.scalars(query.options(load.options(*_ROW_ONLY))))


def _of_our_messages(user: User) -> Select:
    """The deliveries of the messages the user's department sent (joined to the message)."""
    return (
        select(Delivery)
        .join(Delivery.message)
        .where(Message.sender_department_id == user.department_id)
    )


def owed(session: Session, user: User) -> list[Delivery]:
    """Feedback and answers the department owes, earliest due first (受信側の宿題)."""
    require_worker(user)
    return audited_list(
        session,
        user,
        "mailbox.owed",
        _deliveries(
            session,
            select(Delivery)
            .where(
                Delivery.department_id == user.department_id,
                *awaiting_answer(),
            )
            .order_by(Delivery.feedback_due, Delivery.id),
        ),
    )


def open_requests(session: Session, user: User) -> list[Delivery]:
    """Deliveries of the department's messages still waiting for feedback, earliest due first."""
    require_worker(user)
    return audited_list(
        session,
        user,
        "mailbox.open_requests",
        _deliveries(
            session,
            _of_our_messages(user)
            .where(*awaiting_answer())
            .order_by(Delivery.feedback_due, Delivery.id),
            joined=True,
        ),
    )


def unopened(session: Session, user: User, days: int | None = None) -> list[Delivery]:
    """Deliveries of the department's messages nobody in the recipient opened after N days."""
    require_worker(user)
    if days is None:
        days = settings.get(session, mailbox_settings.UNOPENED_DAYS.key)
    cutoff = utcnow() - timedelta(days=days)
    return audited_list(
        session,
        user,
        "mailbox.unopened",
        _deliveries(
            session,
            _of_our_messages(user)
            .where(
                Delivery.first_read_at.is_(None),
                Delivery.state == DeliveryState.DELIVERED,
                Delivery.delivered_at < cutoff,
            )
            .order_by(Delivery.delivered_at, Delivery.id),
            joined=True,
        ),
    )


def days_left(due: date | None, today: date | None = None) -> int | None:
    """Opening days until the due date (0 on the day, negative: overdue), counted by the
    working-day calendar (a due date on a closed day falls due on the next opening day)."""
    if due is None:
        return None
    return workdays.days_left(due, today or jp.today())
