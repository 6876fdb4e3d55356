"""The mailbox's dashboard tiles: unread mail, feedback we owe, feedback others owe us."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub import jp, workdays
from hub.mailbox import inbox
from hub.mailbox.inbox import awaiting_answer
from hub.mailbox.models import Delivery, Message
from hub.models import User
from hub.panels import Tile


def dashboard_tiles(session: Session, user: User) -> list[Tile]:
    """Three tiles for case workers, each leading to the list behind its number."""
    if not user.can_read_cases:
        return []
    counts = inbox.counts(session, user)
    overdue_before = workdays.overdue_before(jp.today())
    awaited, awaited_late = session.execute(
        select(func.count(), func.count().filter(Delivery.feedback_due < overdue_before))
        .select_from(Delivery)
        .join(Message, Message.id == Delivery.message_id)
        .where(Message.sender_department_id == user.department_id, *awaiting_answer())
    ).one()
    return [
        Tile(
            "受信箱（未読）",
            counts.unread,
            "件",
            "開いていない連絡",
            url_for("mailbox.inbox_page", unread=1),
        ),
        Tile(
            "回答するフィードバック",
            counts.owed,
            "件",
            f"うち期限超過 {counts.overdue}件",
            url_for("mailbox.inbox_page", overdue=1)
            if counts.overdue
            else url_for("mailbox.inbox_page", due=1),
            "warn" if counts.overdue else "",
        ),
        Tile(
            "回答を待っているフィードバック",
            awaited,
            "件",
            f"うち期限超過 {awaited_late}件",
            url_for("mailbox.followups", late=1 if awaited_late else None, _anchor="wait-title"),
            "warn" if awaited_late else "",
        ),
    ]
