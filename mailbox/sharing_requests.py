"""Feedback (フィードバック) and sharing requests (情報共有の依頼), answered or declined.

Feedback answers a received case message with a structured document; it goes back to the
department that sent the message and is itself checked against consent in that direction.
A sharing request from a support department asks collection departments for categories the
resident's consent lets them give it; they answer by sharing (a reply in the thread, checked
like any share) or decline with a reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hub import audit, jp
from hub.cases import services as cases
from hub.db import changed_rows, utcnow
from hub.documents.categories import InformationCategory
from hub.documents.consent import sharing
from hub.errors import Conflict, InvalidInput
from hub.mailbox import compose, notify
from hub.mailbox.compose import Draft
from hub.mailbox.models import (
    Delivery,
    DeliveryState,
    MessageKind,
    NotificationKind,
    WorkStatus,
)
from hub.mailbox.read import received, recheck, refused_recalled
from hub.mailbox.send import Sent, dispatch, idempotency_key, sent_before
from hub.models import Department, DepartmentKind, User
from hub.validation import Fields, parse_id

FEEDBACK_FIELDS = (
    "subject",
    "body",
    "done",
    "support_status",
    "debt_status",
    "debt_note",
    "next_steps",
    "free_text",
    "idempotency_key",
)
REQUEST_FIELDS = (
    "department_ids",
    "categories",
    "note",
    "subject",
    "feedback_due",
    "idempotency_key",
)


def send_feedback(
    session: Session,
    user: User,
    message_id: int,
    data: Mapping[str, Any],
    *,
    today: date | None = None,
) -> Sent:
    """Answer a received case message with a feedback document, consent-checked back."""
    today = today or jp.today()
    earlier = sent_before(session, user, data.get("idempotency_key"))
    if earlier is not None:
        return earlier
    delivery = received(session, user, message_id, "message.feedback")
    original = delivery.message
    if original.case_id is None:
        raise Conflict("ケースのないお知らせにはフィードバックを送れません。", code="no_case")
    if not recheck(session, user, original, delivery, today):
        raise refused_recalled(session, user, "message.feedback", delivery)
    fields = Fields(data)
    document = compose.feedback_document(fields)
    subject = fields.text("subject", "件名", max_length=compose.SUBJECT_MAX)
    body = fields.text("body", "本文", max_length=compose.BODY_MAX)
    key = idempotency_key(data.get("idempotency_key"))
    fields.check()
    draft = Draft(
        kind=MessageKind.FEEDBACK,
        case=original.case,
        recipients=[original.sender_department],
        # Not the original subject: it is the sender's text, recalled with its share.
        subject=subject or f"フィードバック（連絡番号{original.id}への回答）",
        body=body,
        feedback_due=None,
        documents=[document],
        parent_id=original.id,
        thread_id=original.root_id,
        idempotency_key=key,
    )
    return Sent(dispatch(session, user, draft, today=today, needs_approval=False))


def request_sharing(
    session: Session,
    user: User,
    case_id: int,
    data: Mapping[str, Any],
    *,
    today: date | None = None,
) -> Sent:
    """情報共有の依頼: ask collection departments for what the consent lets them give us."""
    today = today or jp.today()
    earlier = sent_before(session, user, data.get("idempotency_key"))
    if earlier is not None:
        return earlier
    case = cases.get_visible(session, user, case_id, action="sharing_request.compose")
    fields = Fields(data)
    subject = fields.text("subject", "件名", max_length=compose.SUBJECT_MAX)
    due = fields.optional_date("feedback_due", "回答期限")
    if due is not None and due < today:
        fields.error("feedback_due", "回答期限が過去の日付になっています。")
    ids = data.get("department_ids")
    if isinstance(ids, list) and ids:
        # Form posts carry ids as strings: parse them like sharing.create does, so a support
        # department asked as "3" is refused too.
        wanted = {parse_id(i) for i in ids if not isinstance(i, bool)} - {None}
        asked = session.scalars(select(Department).where(Department.id.in_(wanted))).all()
        wrong = [d.name for d in asked if d.kind != DepartmentKind.COLLECTION]
        if wrong:
            fields.error(
                "department_ids",
                f"情報共有の依頼先は公債権所管です（{'、'.join(wrong)}は依頼先にできません）。",
            )
    fields.check()
    request = sharing.create(session, user, case.resident_id, data, today=today)
    asked_ids = sorted(request.by_department(user.department_id))
    recipients = list(
        session.scalars(
            select(Department).where(Department.id.in_(asked_ids)).order_by(Department.id)
        )
    )
    order = [c.value for c in InformationCategory]
    categories = sorted({i.category for i in request.items}, key=order.index)
    labels = "、".join(InformationCategory(c).label for c in categories)
    body = f"依頼する情報: {labels}"
    if request.note:
        body += f"\n\n{request.note}"
    key = idempotency_key(data.get("idempotency_key"))
    draft = Draft(
        kind=MessageKind.SHARING_REQUEST,
        case=case,
        recipients=recipients,
        subject=subject or "情報共有の依頼",
        body=body,
        feedback_due=due,
        idempotency_key=key,
    )
    message = dispatch(
        session,
        user,
        draft,
        today=today,
        sharing_request_id=request.id,
        consent_ids=list(request.consent_ids),
        categories=categories,
        needs_approval=False,
    )
    return Sent(message)


def decline(session: Session, user: User, message_id: int, reason: Any) -> Delivery:
    """Decline a sharing request with a reason; the requester sees it on its receipts."""
    delivery = received(session, user, message_id, "sharing_request.decline")
    if delivery.message.kind != MessageKind.SHARING_REQUEST:
        raise Conflict("辞退できるのは情報共有の依頼です。", code="not_a_request")
    if delivery.state == DeliveryState.RECALLED:
        raise refused_recalled(session, user, "sharing_request.decline", delivery)
    fields = Fields({"reason": reason})
    text = fields.text("reason", "辞退の理由", max_length=1000, required=True)
    if fields.errors:
        raise InvalidInput(fields=fields.errors)
    changed = changed_rows(
        session,
        update(Delivery)
        .where(
            Delivery.id == delivery.id,
            Delivery.declined_at.is_(None),
            Delivery.feedback_received_at.is_(None),
        )
        .values(declined_at=utcnow(), decline_reason=text, work_status=WorkStatus.DONE)
        .execution_options(synchronize_session=False),
    )
    session.refresh(delivery)
    if not changed:
        raise Conflict("この依頼には既に回答しています。", code="already_answered")
    audit.record(session, user, "sharing_request.decline", delivery.message)
    message = delivery.message
    notify.department(
        session,
        message.sender_department_id,
        NotificationKind.FEEDBACK_RECEIVED,
        message,
        text=f"{delivery.department.name}が{message.kind.label}を辞退しました{notify.where(message)}",
    )
    session.flush()
    return delivery
