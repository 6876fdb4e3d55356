"""Who may see a message: the sender department (its own copy) and the departments it was
delivered to. Nobody else, administrators included, learns that it exists (404)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import audit
from hub.errors import Forbidden, HubError, NotFound
from hub.mailbox.models import Delivery, DeliveryState, Message, MessageStatus
from hub.models import User

ADMIN_REFUSED = "システム管理者は連絡の内容を閲覧できません。"


def visible_message(session: Session, user: User, message_id: int) -> Message | None:
    """The message if the user's department sent it or received it; else None."""
    if not user.can_read_cases:
        return None
    message = session.get(Message, message_id)
    if message is None:
        return None
    if message.sender_department_id == user.department_id:
        return message
    if message.status != MessageStatus.SENT:
        return None
    received = session.scalar(
        select(Delivery.id).where(
            Delivery.message_id == message.id, Delivery.department_id == user.department_id
        )
    )
    return message if received is not None else None


def readable_message(session: Session, user: User, message_id: int) -> Message | None:
    """The message if the user's department may read its content (subject included): it sent
    it, or received it and the delivery was not recalled; else None."""
    found = visible_message(session, user, message_id)
    if found is None or found.sender_department_id == user.department_id:
        return found
    state = session.scalar(
        select(Delivery.state).where(
            Delivery.message_id == message_id, Delivery.department_id == user.department_id
        )
    )
    return found if state == DeliveryState.DELIVERED else None


def message(session: Session, user: User, message_id: int, action: str) -> Message:
    """Load a visible message or refuse (403 for administrators, else 404), audited."""
    if not user.can_read_cases:
        raise deny(
            session, user, action, message_id, "administrators read no messages",
            Forbidden(ADMIN_REFUSED),
        )  # fmt: skip
    found = visible_message(session, user, message_id)
    if found is None:
        raise deny(session, user, action, message_id, "not found or not addressed to department")
    return found


def own_delivery(session: Session, user: User, message: Message) -> Delivery | None:
    """The delivery of ``message`` to the user's department (None for the sender)."""
    return session.scalar(
        select(Delivery).where(
            Delivery.message_id == message.id, Delivery.department_id == user.department_id
        )
    )


def deny(
    session: Session,
    user: User,
    action: str,
    message_id: int,
    why: str,
    error: HubError | None = None,
) -> HubError:
    """Audit a refusal about a message and return the error to raise (404 by default)."""
    return audit.refuse(
        session,
        user,
        action,
        error or NotFound(),
        object_type="message",
        object_id=message_id,
        reason=why,
    )
