"""Open a message or one of its documents, acknowledge it, triage it; recall what consent
no longer covers.

Every open by a recipient asks the consent gate again, on the day of opening: a consent that
was withdrawn or ran out since sending turns the delivery into a tombstone (who sent it,
when, why it was recalled) and the content and the files are not returned. The sender
department keeps its own copy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hub import audit, jp, storage
from hub.db import changed_rows, redo_after_rollback, utcnow
from hub.documents.consent import signals
from hub.errors import Conflict, InvalidInput, NotFound
from hub.mailbox import access, notify
from hub.mailbox.checks import ask
from hub.mailbox.models import (
    Delivery,
    DeliveryState,
    Message,
    MessageConsent,
    MessageDocument,
    MessageKind,
    NotificationKind,
    WorkStatus,
)
from hub.models import Role, User
from hub.validation import Fields, parse_id

RECALLED = "このデータは本人の同意の範囲外となったため取り消されました。内容は表示できません。"
#: read_rank of a recalled delivery: after unread (0) and read (1) in the inbox.
RECALLED_RANK = 2


@dataclass
class MessageView:
    message: Message
    #: The user's department's delivery; None when the user's department sent it.
    delivery: Delivery | None
    #: Shown instead of the content when the delivery was recalled.
    tombstone: str | None = None
    documents: list[MessageDocument] = field(default_factory=list)

    @property
    def is_sender(self) -> bool:
        return self.delivery is None

    @property
    def is_recalled(self) -> bool:
        return self.tombstone is not None


def tombstone_text(delivery: Delivery) -> str:
    day = jp.wareki(delivery.recalled_on) if delivery.recalled_on else ""
    return f"{RECALLED}（{day}取消し: {delivery.recall_reason}）"


def still_covered(session: Session, message: Message, delivery: Delivery, day: date) -> str | None:
    """None when consent still lets the sender give this recipient the message; else why not."""
    return _coverage(session, message, delivery, day)[0]


def _coverage(
    session: Session, message: Message, delivery: Delivery, day: date
) -> tuple[str | None, list[int]]:
    """(why not covered or None, the consents covering it on ``day``)."""
    if message.resident_id is None:
        return None, []
    pair = (message.sender_department_id, delivery.department_id)
    if message.kind == MessageKind.SHARING_REQUEST:
        # A request was allowed because the asked department may give the requester these.
        pair = (delivery.department_id, message.sender_department_id)
    allowed, decision = ask(session, message.resident_id, *pair, message.categories, day)
    if allowed:
        return None, decision.consent_ids
    if message.categories:
        return "; ".join(decision.reasons), []
    return "情報の提供を認める有効な同意がなくなりました", []


def recall(
    session: Session,
    delivery: Delivery,
    day: date,
    reason: str,
    actor: User | None = None,
) -> bool:
    """Turn a delivery into a tombstone (once) and tell the sender department."""
    changed = changed_rows(
        session,
        update(Delivery)
        .where(Delivery.id == delivery.id, Delivery.state == DeliveryState.DELIVERED)
        .values(
            state=DeliveryState.RECALLED,
            read_rank=RECALLED_RANK,
            recalled_at=utcnow(),
            recalled_on=day,
            recall_reason=reason[:1000],
        )
        .execution_options(synchronize_session=False),
    )
    session.refresh(delivery)
    if not changed:
        return False
    # A recall is a fact even when the request that found it is refused (409 on a download):
    # done again after the rollback (once: the update above is conditional).
    redo_after_rollback(session, _recall_again(delivery.id, day, reason, actor))
    audit.record(
        session,
        actor,
        "delivery.recall",
        delivery,
        reason=f"message {delivery.message_id} to {delivery.department_id}",
        login_id="" if actor else "system",
    )
    notify.department(
        session, delivery.message.sender_department_id, NotificationKind.RECALLED, delivery.message
    )
    return True


def _recall_again(delivery_id: int, day: date, reason: str, actor: User | None):
    actor_id = actor.id if actor is not None else None

    def again(session: Session) -> None:
        delivery = session.get(Delivery, delivery_id)
        if delivery is not None:
            who = session.get(User, actor_id) if actor_id is not None else None
            recall(session, delivery, day, reason, who)

    return again


def recall_under_consent(
    session: Session, consent_id: int, day: date, reason: str, actor: User | None = None
) -> list[int]:
    """Recall every delivery sent under a consent that no other consent still covers."""
    deliveries = session.scalars(
        select(Delivery)
        .join(MessageConsent, MessageConsent.message_id == Delivery.message_id)
        .where(
            MessageConsent.consent_id == consent_id,
            Delivery.state == DeliveryState.DELIVERED,
        )
        .order_by(Delivery.id)
    ).all()
    recalled = []
    linked: dict[int, set[int]] = {}
    for delivery in deliveries:
        why, covering = _coverage(session, delivery.message, delivery, day)
        if why is None:
            # Still covered by other consents: link the message to them too, so that when
            # those end in turn the delivery is re-checked (and recalled) as well.
            known = linked.setdefault(
                delivery.message_id,
                set(
                    session.scalars(
                        select(MessageConsent.consent_id).where(
                            MessageConsent.message_id == delivery.message_id
                        )
                    )
                ),
            )
            for consent in set(covering) - known:
                session.add(MessageConsent(message_id=delivery.message_id, consent_id=consent))
                known.add(consent)
            continue
        if recall(session, delivery, day, reason, actor):
            recalled.append(delivery.id)
    session.flush()
    return recalled


@signals.consent_ended.connect
def _on_consent_ended(consent: Any, *, session: Session, day: date, reason: str) -> None:
    recall_under_consent(session, consent.id, day, reason)


def recheck(session: Session, user: User, message: Message, delivery: Delivery, day: date) -> bool:
    """Re-ask the gate for a recipient; recall on a miss. Audited either way."""
    if delivery.state == DeliveryState.RECALLED:
        return False
    why = still_covered(session, message, delivery, day)
    audit.record(
        session,
        user,
        "message.consent_recheck",
        message,
        outcome=audit.ALLOWED if why is None else audit.DENIED,
        reason=(why or "covered")[:255],
    )
    if why is None:
        return True
    recall(session, delivery, day, f"開封時の確認で同意の範囲外（{why}）", user)
    return False


def open_message(
    session: Session, user: User, message_id: int, *, today: date | None = None
) -> MessageView:
    """Show a message: the sender's copy, a recipient's (first open recorded) or a tombstone."""
    today = today or jp.today()
    found = access.message(session, user, message_id, "message.open")
    message, delivery = found.message, found.delivery
    # Whatever the user was told about this message, they have now seen it.
    notify.mark_read_about(session, user.id, message.id)
    if delivery is None:
        audit.record(session, user, "message.open", message, reason="sender copy")
        return MessageView(message, None, None, list(message.documents))
    if not recheck(session, user, message, delivery, today):
        audit.record(session, user, "message.open", message, reason="tombstone")
        return MessageView(message, delivery, tombstone_text(delivery))
    _first_read(session, user, delivery)
    audit.record(session, user, "message.open", message)
    return MessageView(message, delivery, None, list(message.documents))


def _first_read(session: Session, user: User, delivery: Delivery) -> None:
    if delivery.first_read_at is not None:
        return  # read before: a read is never undone, so no write (and no lock) is needed
    # Conditional: two people opening at once record one first reader, never lose the read.
    session.execute(
        update(Delivery)
        .where(Delivery.id == delivery.id, Delivery.first_read_at.is_(None))
        .values(first_read_at=utcnow(), first_read_by_id=user.id, read_rank=1)
        .execution_options(synchronize_session=False)
    )
    session.refresh(delivery)


def open_document(
    session: Session,
    user: User,
    message_id: int,
    document_id: int,
    *,
    today: date | None = None,
    read_file: bool = True,
) -> tuple[MessageDocument, bytes | None]:
    """Return a document of a visible message and its file's bytes (None when structured).

    ``read_file=False`` checks and records the open without reading the file, for a caller
    that streams it (:func:`hub.storage.read_into`: a case packet can be tens of MB).
    """
    today = today or jp.today()
    found = access.message(session, user, message_id, "message.document")
    message, delivery = found.message, found.delivery
    document = next((d for d in message.documents if d.id == document_id), None)
    if document is None:
        error = NotFound("この連絡にその資料はありません。")
        raise access.deny(session, user, "message.document", message_id, "no such document", error)
    if delivery is not None:
        if not recheck(session, user, message, delivery, today):
            raise refused_recalled(session, user, "message.document", delivery)
        _first_read(session, user, delivery)
    audit.record(session, user, "message.document", message, reason=f"document {document.id}")
    if document.stored_file is None or not read_file:
        return document, None
    return document, storage.read(session, document.stored_file)


def received(session: Session, user: User, message_id: int, action: str) -> Delivery:
    """The department's delivery of a message it received (404 unseen, 409 for the sender)."""
    delivery = access.message(session, user, message_id, action).delivery
    if delivery is None:
        error = Conflict("送信元の所管課は、この操作を行えません。", code="sender")
        raise access.deny(session, user, action, message_id, "sender department", error)
    return delivery


def refused_recalled(session: Session, user: User, action: str, delivery: Delivery) -> Conflict:
    """Audit a refused act on a recalled delivery (409) and return the error to raise."""
    return audit.refuse(
        session,
        user,
        action,
        Conflict(tombstone_text(delivery), code="recalled"),
        delivery.message,
        reason=f"delivery {delivery.id} recalled",
    )


def acknowledge(
    session: Session, user: User, message_id: int, *, today: date | None = None
) -> Delivery:
    """確認しました: once per recipient department; needs the content to be still shared."""
    today = today or jp.today()
    delivery = received(session, user, message_id, "message.acknowledge")
    if not recheck(session, user, delivery.message, delivery, today):
        raise refused_recalled(session, user, "message.acknowledge", delivery)
    _first_read(session, user, delivery)
    session.execute(
        update(Delivery)
        .where(Delivery.id == delivery.id, Delivery.acknowledged_at.is_(None))
        .values(acknowledged_at=utcnow(), acknowledged_by_id=user.id)
        .execution_options(synchronize_session=False)
    )
    session.refresh(delivery)
    audit.record(session, user, "message.acknowledge", delivery.message)
    return delivery


TRIAGE_FIELDS = ("assignee_id", "work_status")


def triage(session: Session, user: User, message_id: int, data: Mapping[str, Any]) -> Delivery:
    """Assign a delivery to someone of the department (担当者) and/or set 未対応/対応中/完了."""
    delivery = received(session, user, message_id, "message.triage")
    fields = Fields(data)
    if "work_status" in data:
        status = fields.choice("work_status", "対応状況", [s.value for s in WorkStatus])
        if status:
            delivery.work_status = WorkStatus(status)
    if "assignee_id" in data:
        raw = data.get("assignee_id")
        if raw in (None, ""):
            delivery.assignee_id = None
        else:
            assignee_id = parse_id(raw)
            assignee = session.get(User, assignee_id) if assignee_id else None
            if (
                assignee is None
                or assignee.department_id != user.department_id
                or not assignee.is_active
                or assignee.role not in (Role.STAFF, Role.MANAGER)
            ):
                fields.error("assignee_id", "担当者は自所管課の職員から選んでください。")
            else:
                delivery.assignee_id = assignee.id
    if not set(TRIAGE_FIELDS) & set(data):
        fields.error("work_status", "担当者または対応状況を指定してください。")
    if fields.errors:
        raise InvalidInput(fields=fields.errors)
    session.flush()
    audit.record(
        session,
        user,
        "message.triage",
        delivery.message,
        reason=f"assignee {delivery.assignee_id} status {delivery.work_status.value}",
    )
    return delivery


def colleagues(session: Session, user: User) -> list[User]:
    """Who a delivery can be assigned to: the active case workers of the user's department."""
    return list(
        session.scalars(
            select(User)
            .where(
                User.department_id == user.department_id,
                User.is_active,
                User.role.in_((Role.STAFF, Role.MANAGER)),
            )
            .order_by(User.display_name)
        )
    )
