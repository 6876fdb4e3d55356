"""承認: a department that requires it holds staff's case shares until a manager decides.

Approving checks consent again on the day and delivers; returning (差戻し) keeps the message
undelivered for good, with the manager's comment. Managers act only on their own
department's messages.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import audit, jp
from hub.db import utcnow
from hub.errors import Conflict, Forbidden, InvalidInput
from hub.mailbox import notify
from hub.mailbox.access import deny
from hub.mailbox.checks import check_all
from hub.mailbox.models import Message, MessageConsent, MessageStatus, NotificationKind
from hub.mailbox.send import deliver
from hub.models import Role, User
from hub.validation import Fields


def pending_approvals(session: Session, user: User) -> list[Message]:
    """Messages of the manager's department waiting for approval (oldest first)."""
    if user.role != Role.MANAGER:
        return []
    return list(
        session.scalars(
            select(Message)
            .where(
                Message.sender_department_id == user.department_id,
                Message.status == MessageStatus.PENDING_APPROVAL,
            )
            .order_by(Message.id)
        )
    )


def _pending(session: Session, user: User, message_id: int, action: str) -> Message:
    if user.role != Role.MANAGER:
        raise deny(
            session, user, action, message_id, "not a manager",
            Forbidden("承認・差戻しは所属の管理職が行います。"),
        )  # fmt: skip
    message = session.get(Message, message_id)
    if message is None or message.sender_department_id != user.department_id:
        raise deny(session, user, action, message_id, "not found or another department")
    if message.status != MessageStatus.PENDING_APPROVAL:
        raise Conflict(
            f"この連絡は{message.status.label}です。承認待ちの連絡だけを承認・差戻しできます。",
            code="not_pending",
        )
    return message


def approve(
    session: Session,
    manager: User,
    message_id: int,
    comment: str = "",
    *,
    today: date | None = None,
) -> Message:
    """承認: check consent again on the day and deliver; a miss (409) keeps it pending."""
    today = today or jp.today()
    message = _pending(session, manager, message_id, "message.approve")
    comment = _comment(comment, required=False)
    recipients = [r.department for r in message.recipients]
    if message.case_id is not None and message.resident_id is not None:
        ids = check_all(
            session,
            manager,
            message.resident_id,
            message.sender_department,
            recipients,
            message.categories,
            today,
        )
        message.consent_ids = ids
        known = set(
            session.scalars(
                select(MessageConsent.consent_id).where(MessageConsent.message_id == message.id)
            )
        )
        session.add_all(
            MessageConsent(message_id=message.id, consent_id=c) for c in ids if c not in known
        )
    message.approved_by_id = manager.id
    message.approval_comment = comment
    message.decided_at = utcnow()
    audit.record(session, manager, "message.approve", message)
    deliver(session, manager, message, recipients, today)
    notify.user(session, message.sender_user_id, NotificationKind.APPROVED, message)
    session.flush()
    return message


def return_to_sender(session: Session, manager: User, message_id: int, comment: Any) -> Message:
    """差戻し with a comment: the message is never delivered; the sender is told why."""
    message = _pending(session, manager, message_id, "message.return")
    message.approval_comment = _comment(comment, required=True)
    message.status = MessageStatus.RETURNED
    message.approved_by_id = manager.id
    message.decided_at = utcnow()
    audit.record(session, manager, "message.return", message)
    notify.user(session, message.sender_user_id, NotificationKind.RETURNED, message)
    session.flush()
    return message


def _comment(raw: Any, *, required: bool) -> str:
    fields = Fields({"comment": raw})
    value = fields.text("comment", "コメント", max_length=2000, required=required)
    if fields.errors:
        raise InvalidInput(fields=fields.errors)
    return value
