"""JSON shapes of the mailbox API: inbox rows, receipts, messages, tombstones, timelines.

A recalled delivery is a tombstone here: who sent it, when, why and when it was recalled —
never its subject, body or documents.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from flask import url_for
from sqlalchemy import select

from hub import jp
from hub.api import serialize
from hub.mailbox import followups, read
from hub.mailbox.models import Delivery, Message, MessageDocument, Notification
from hub.models import User
from hub.web import db


def user_ref(user: User | None) -> dict[str, Any] | None:
    return {"id": user.id, "display_name": user.display_name} if user else None


def owed_days(delivery: Delivery, today: date) -> int | None:
    """Days left (negative: overdue) while the department still owes an answer."""
    if delivery.is_recalled or delivery.feedback_received_at or delivery.declined_at:
        return None
    return followups.days_left(delivery.feedback_due, today)


def tombstone_fields(delivery: Delivery) -> dict[str, Any]:
    return {
        "recalled_at": serialize.timestamp(delivery.recalled_at),
        "recalled_on": serialize.day(delivery.recalled_on),
        "recall_reason": delivery.recall_reason if delivery.is_recalled else None,
    }


def inbox_item(delivery: Delivery, today: date) -> dict[str, Any]:
    """One inbox row; a recalled row keeps only the sender, the dates and the reason."""
    message, recalled = delivery.message, delivery.is_recalled
    return {
        "message_id": message.id,
        "kind": message.kind.value,
        "subject": None if recalled else message.subject,
        "sender_department": serialize.department_ref(message.sender_department),
        "case_id": None if recalled else message.case_id,
        "delivered_at": serialize.timestamp(delivery.delivered_at),
        "read": delivery.is_read,
        "first_read_at": serialize.timestamp(delivery.first_read_at),
        "acknowledged_at": serialize.timestamp(delivery.acknowledged_at),
        "feedback_due": serialize.day(delivery.feedback_due),
        "days_left": owed_days(delivery, today),
        "feedback_received_at": serialize.timestamp(delivery.feedback_received_at),
        "declined_at": serialize.timestamp(delivery.declined_at),
        "state": delivery.state.value,
        **tombstone_fields(delivery),
        "work_status": delivery.work_status.value,
        "assignee": user_ref(delivery.assignee),
    }


def receipt(delivery: Delivery) -> dict[str, Any]:
    """What the sender sees of one recipient department's copy."""
    return {
        "department": serialize.department_ref(delivery.department),
        "state": delivery.state.value,
        "delivered_at": serialize.timestamp(delivery.delivered_at),
        "opened_at": serialize.timestamp(delivery.first_read_at),
        "opened_by": user_ref(delivery.first_read_by),
        "acknowledged_at": serialize.timestamp(delivery.acknowledged_at),
        "acknowledged_by": user_ref(delivery.acknowledged_by),
        "feedback_due": serialize.day(delivery.feedback_due),
        "feedback_received_at": serialize.timestamp(delivery.feedback_received_at),
        "feedback_message_id": delivery.feedback_message_id,
        "declined_at": serialize.timestamp(delivery.declined_at),
        "decline_reason": delivery.decline_reason if delivery.declined_at else None,
        **tombstone_fields(delivery),
    }


def own_delivery(delivery: Delivery, today: date) -> dict[str, Any]:
    """The recipient department's own copy: the receipt plus its triage."""
    return {
        "message_id": delivery.message_id,
        **receipt(delivery),
        "days_left": owed_days(delivery, today),
        "work_status": delivery.work_status.value,
        "assignee": user_ref(delivery.assignee),
    }


def document(document: MessageDocument, message_id: int) -> dict[str, Any]:
    stored = document.stored_file
    return {
        "id": document.id,
        "kind": document.kind.value,
        "title": document.title,
        "categories": list(document.categories),
        "sha256": document.sha256,
        # Structured documents travel inline; a file is fetched from ``url``.
        "content": document.content or None,
        "file": (
            {"name": stored.original_name, "content_type": stored.content_type, "size": stored.size}
            if stored
            else None
        ),
        "url": url_for(".show_message_document", message_id=message_id, document_id=document.id),
    }


def preload_users(deliveries: Iterable[Delivery]) -> None:
    """Load the people named on receipts in one query (the lazy loads then hit the session)."""
    ids = {
        i
        for d in deliveries
        for i in (d.first_read_by_id, d.acknowledged_by_id, d.assignee_id)
        if i is not None
    }
    if ids:
        db().scalars(select(User).where(User.id.in_(ids))).all()


def message_head(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "kind": message.kind.value,
        "status": message.status.value,
        "case_id": message.case_id,
        "sender_department": serialize.department_ref(message.sender_department),
        "sender": user_ref(message.sender_user),
        "subject": message.subject,
        "feedback_due": serialize.day(message.feedback_due),
        "thread_id": message.root_id,
        "parent_id": message.parent_id,
        "created_at": serialize.timestamp(message.created_at),
        "sent_at": serialize.timestamp(message.sent_at),
    }


def sent_item(message: Message) -> dict[str, Any]:
    """A message of the sent box with its receipts per recipient."""
    return {
        **message_head(message),
        "recipients": [serialize.department_ref(r.department) for r in message.recipients],
        "receipts": [receipt(d) for d in message.deliveries],
    }


def message_json(view: read.MessageView, today: date) -> dict[str, Any]:
    """The sender's copy (with receipts) or a recipient's (with its own delivery)."""
    message, delivery = view.message, view.delivery
    if delivery is not None and view.is_recalled:
        return {
            "id": message.id,
            "recalled": True,
            "tombstone": view.tombstone,
            "sender_department": serialize.department_ref(message.sender_department),
            "delivered_at": serialize.timestamp(delivery.delivered_at),
            **tombstone_fields(delivery),
        }
    if delivery is None:
        preload_users(message.deliveries)
    return {
        **message_head(message),
        "recalled": False,
        "role": "sender" if delivery is None else "recipient",
        "body": message.body,
        "categories": list(message.categories),
        "documents": [document(d, message.id) for d in view.documents],
        "approval": {
            "approved_by": user_ref(message.approved_by),
            "comment": message.approval_comment,
            "decided_at": serialize.timestamp(message.decided_at),
        }
        if delivery is None and message.decided_at
        else None,
        "recipients": (
            [serialize.department_ref(r.department) for r in message.recipients]
            if delivery is None
            else None
        ),
        "receipts": [receipt(d) for d in message.deliveries] if delivery is None else None,
        "delivery": own_delivery(delivery, today) if delivery is not None else None,
    }


def sent_copy(message: Message) -> dict[str, Any]:
    # Deliveries were written beside the message, not through its collection: read them fresh.
    db().expire(message, ["deliveries"])
    return message_json(read.MessageView(message, None, None, list(message.documents)), jp.today())


def timeline_item(message: Message, delivery: Delivery | None, today: date) -> dict[str, Any]:
    if delivery is not None and delivery.is_recalled:
        return {
            "message_id": message.id,
            "direction": "received",
            "kind": message.kind.value,
            "subject": None,
            "sender_department": serialize.department_ref(message.sender_department),
            "status": message.status.value,
            "at": serialize.timestamp(delivery.delivered_at),
            "recalled": True,
            "tombstone": read.tombstone_text(delivery),
            "receipts": None,
            "delivery": None,
        }
    return {
        "message_id": message.id,
        "direction": "sent" if delivery is None else "received",
        "kind": message.kind.value,
        "subject": message.subject,
        "sender_department": serialize.department_ref(message.sender_department),
        "status": message.status.value,
        "at": serialize.timestamp(message.sent_at or message.created_at),
        "recalled": False,
        "tombstone": None,
        "receipts": [receipt(d) for d in message.deliveries] if delivery is None else None,
        "delivery": own_delivery(delivery, today) if delivery is not None else None,
    }


def outgoing(delivery: Delivery, today: date) -> dict[str, Any]:
    """A delivery of one of the department's own messages (open requests, unopened)."""
    message = delivery.message
    return {
        "message_id": message.id,
        "kind": message.kind.value,
        "subject": message.subject,
        "case_id": message.case_id,
        "days_left": owed_days(delivery, today),
        **receipt(delivery),
    }


def notification(item: Notification) -> dict[str, Any]:
    return {
        "id": item.id,
        "kind": item.kind.value,
        "kind_label": item.kind.label,
        "message_id": item.message_id,
        "text": item.text,
        "created_at": serialize.timestamp(item.created_at),
        "read_at": serialize.timestamp(item.read_at),
    }
