"""Who may see a message: the sender department (its own copy) and the departments it was
delivered to. Nobody else, administrators included, learns that it exists (404)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import Session, joinedload, lazyload

from hub import audit
from hub.errors import Forbidden, HubError, NotFound
from hub.mailbox.models import Delivery, DeliveryState, Message, MessageStatus
from hub.models import User

ADMIN_REFUSED = "システム管理者は連絡の内容を閲覧できません。"


@dataclass(frozen=True)
class Visible:
    """A message the user's department may see, with its own delivery of it."""

    message: Message
    #: The delivery to the user's department; None when the department sent the message.
    delivery: Delivery | None

    @property
    def is_sender(self) -> bool:
        return self.delivery is None


#: The message with the department's delivery and the message's documents, built once: one
#: round trip. The other departments' deliveries and the recipient list are loaded only if read
#: (the sender's copy shows them; a recipient's copy, the common open, does not).
_VISIBLE = (
    select(Message, Delivery)
    .outerjoin(
        Delivery,
        and_(
            Delivery.message_id == Message.id, Delivery.department_id == bindparam("department_id")
        ),
    )
    .where(Message.id == bindparam("message_id"))
    .options(
        lazyload(Message.deliveries),
        lazyload(Message.recipients),
        joinedload(Message.documents),
    )
)


def visible(session: Session, user: User, message_id: int) -> Visible | None:
    """The message and the department's delivery, in one query, if the department sent it or
    received it; else None."""
    if not user.can_read_cases:
        return None
    row = (
        session.execute(_VISIBLE, {"department_id": user.department_id, "message_id": message_id})
        .unique()
        .first()
    )
    if row is None:
        return None
    message, delivery = row
    if message.sender_department_id == user.department_id:
        return Visible(message, None)
    if message.status != MessageStatus.SENT or delivery is None:
        return None
    return Visible(message, delivery)


def visible_message(session: Session, user: User, message_id: int) -> Message | None:
    """The message if the user's department sent it or received it; else None."""
    found = visible(session, user, message_id)
    return found.message if found is not None else None


def readable_message(session: Session, user: User, message_id: int) -> Message | None:
    """The message if the user's department may read its content (subject included): it sent
    it, or received it and the delivery was not recalled; else None."""
    found = visible(session, user, message_id)
    if found is None:
        return None
    if found.delivery is not None and found.delivery.state != DeliveryState.DELIVERED:
        return None
    return found.message


def message(session: Session, user: User, message_id: int, action: str) -> Visible:
    """Load a visible message with the department's delivery, or refuse (403 for
    administrators, else 404), audited."""
    if not user.can_read_cases:
        raise deny(
            session, user, action, message_id, "administrators read no messages",
            Forbidden(ADMIN_REFUSED),
        )  # fmt: skip
    found = visible(session, user, message_id)
    if found is None:
        raise deny(session, user, action, message_id, "not found or not addressed to department")
    return found


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
