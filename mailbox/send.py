"""Send a message: check every recipient × every category against consent, then deliver to all.

One call is one transaction's worth of writes: the message, its documents, every delivery,
the notifications, the outbox mails and the audit events are flushed together, and the
request (or the caller) commits or rolls back the lot. A refusal writes nothing but the audit
of the denied checks. Sending the same form twice (same idempotency key) returns the first
message, and says so (:class:`Sent`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hub import audit, jp, storage
from hub.cases import services as cases
from hub.db import changed_rows, utcnow
from hub.documents.consent import membership
from hub.documents.hearing import services as hearing
from hub.errors import Forbidden, InvalidInput
from hub.mailbox import compose, notify
from hub.mailbox.access import visible_message
from hub.mailbox.checks import check_all
from hub.mailbox.compose import Draft, Upload
from hub.mailbox.models import (
    Delivery,
    DocumentKind,
    LegalBasis,
    Message,
    MessageConsent,
    MessageDocument,
    MessageKind,
    MessageRecipient,
    MessageStatus,
    NotificationKind,
)
from hub.models import Case, Department, Role, User
from hub.validation import Fields, parse_id

ATTACHMENT_PURPOSE = "message_attachment"
#: The sending key's form (the compose form's hidden field, the API's Idempotency-Key).
KEY_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"
_KEY = re.compile(KEY_PATTERN)
KEY_MESSAGE = "送信キーの形式が正しくありません（英数字・-・_ で8〜64文字）。"


def idempotency_key(raw: Any) -> str | None:
    """The compose form's sending key, checked (None when the form has none)."""
    if raw in (None, ""):
        return None
    if not isinstance(raw, str) or not _KEY.fullmatch(raw):
        raise InvalidInput(fields={"idempotency_key": KEY_MESSAGE})
    return raw


@dataclass(frozen=True)
class Sent:
    """What a send did: the message, and whether it is the one sent before with the same key
    (a double click or a retry: nothing new was written)."""

    message: Message
    replayed: bool = False


def sent_before(session: Session, user: User, key: str | None) -> Sent | None:
    """The message this user already sent with the key, if any, as a replayed send."""
    key = idempotency_key(key)
    if key is None:
        return None
    earlier = session.scalar(
        select(Message).where(Message.sender_user_id == user.id, Message.idempotency_key == key)
    )
    return Sent(earlier, replayed=True) if earlier is not None else None


def _parent(session: Session, fields: Fields, user: User) -> Message | None:
    raw = fields.data.get("parent_id")
    if raw in (None, ""):
        return None
    parent_id = parse_id(raw)
    parent = visible_message(session, user, parent_id) if parent_id else None
    if parent is None:
        fields.error("parent_id", "返信先の連絡が見つかりません。")
    return parent


def _participants(parent: Message) -> list[int]:
    ids = {parent.sender_department_id, *(r.department_id for r in parent.recipients)}
    return sorted(ids)


def build(
    session: Session,
    user: User,
    data: Mapping[str, Any],
    uploads: Sequence[Upload] = (),
    *,
    today: date,
) -> Draft:
    """Validate a compose form into a draft (400 with every field's message), writing nothing."""
    fields = Fields(data)
    kind_value = fields.choice("kind", "連絡の種類", [MessageKind.SHARE, MessageKind.NOTICE])
    kind = MessageKind(kind_value) if kind_value else MessageKind.SHARE
    parent = _parent(session, fields, user)
    case = None
    raw_case = data.get("case_id")
    if parent is not None and parent.case_id is not None:
        if raw_case not in (None, "") and parse_id(raw_case) != parent.case_id:
            fields.error("case_id", "返信先の連絡と別のケースは指定できません。")
        raw_case = parent.case_id
    if raw_case not in (None, ""):
        case_id = parse_id(raw_case)
        if case_id is None:
            fields.error("case_id", "ケースの指定が正しくありません。")
        else:
            case = cases.get_visible(session, user, case_id, action="message.compose")
    if kind == MessageKind.SHARE and case is None and "case_id" not in fields.errors:
        fields.error(
            "case_id", "情報共有はケースを選んで送ります（ケースのない連絡は「お知らせ」）。"
        )
    if parent is not None and data.get("recipient_ids") in (None, "", []):
        ids = [i for i in _participants(parent) if i != user.department_id]
    else:
        ids = compose.recipient_ids(fields)
    recipients = compose.recipients(session, fields, user, ids, case_message=case is not None)
    subject = fields.text("subject", "件名", max_length=compose.SUBJECT_MAX, required=True)
    body = fields.text("body", "本文", max_length=compose.BODY_MAX)
    due = fields.optional_date("feedback_due", "回答期限")
    if due is not None and due < today:
        fields.error("feedback_due", "回答期限が過去の日付になっています。")
    if due is not None and kind == MessageKind.NOTICE and case is None:
        fields.error("feedback_due", "お知らせにはフィードバック期限を付けられません。")
    body_categories = compose.categories_field(fields, "body_categories", "本文に含む情報の区分")
    documents: list[MessageDocument] = []
    attachment_categories: list[str] = []
    if case is not None:
        for document in (
            compose.hearing_sheet_document(session, fields, user, case),
            compose.consent_document(session, fields, user, case),
            compose.policy_document(fields, hearing.claim_names(session)),
        ):
            if document is not None:
                documents.append(document)
        attachment_categories = compose.categories_field(
            fields, "attachment_categories", "添付ファイルに含む情報の区分"
        )
        if uploads and not attachment_categories:
            fields.error(
                "attachment_categories", "添付ファイルに含まれる情報の区分を選んでください。"
            )
    else:
        for name in ("sheet_version", "consent_id", "policy", "body_categories"):
            if data.get(name) not in (None, "", [], {}):
                fields.error(name, "ケースのないお知らせには対象者の情報を含められません。")
    if len(uploads) > compose.MAX_ATTACHMENTS:
        fields.error("attachments", f"添付ファイルは{compose.MAX_ATTACHMENTS}件までです。")
    key = idempotency_key(data.get("idempotency_key"))
    fields.check()
    return Draft(
        kind=kind,
        case=case,
        recipients=recipients,
        subject=subject,
        body=body,
        feedback_due=due,
        documents=documents,
        body_categories=body_categories,
        uploads=[(u, attachment_categories) for u in uploads],
        parent_id=parent.id if parent else None,
        thread_id=parent.root_id if parent else None,
        idempotency_key=key,
    )


def send(
    session: Session,
    user: User,
    data: Mapping[str, Any],
    uploads: Sequence[Upload] = (),
    *,
    today: date | None = None,
) -> Sent:
    """Send a share or notice (or hold it for approval); raise 400/404/409 and send nothing.

    The same idempotency key again returns the first message, marked replayed.
    """
    today = today or jp.today()
    if not user.can_read_cases:
        raise Forbidden("システム管理者は連絡を送信できません。")
    earlier = sent_before(session, user, data.get("idempotency_key"))
    if earlier is not None:
        return earlier
    draft = build(session, user, data, uploads, today=today)
    return Sent(dispatch(session, user, draft, today=today))


def search_text(subject: str, body: str, case: Case | None) -> str:
    parts = [subject, body]
    if case is not None:
        resident = case.resident
        parts += [resident.name, resident.kana, resident.atena_no]
    return jp.fold(" ".join(parts))


def dispatch(
    session: Session,
    user: User,
    draft: Draft,
    *,
    today: date,
    sharing_request_id: int | None = None,
    consent_ids: list[int] | None = None,
    categories: list[str] | None = None,
    needs_approval: bool | None = None,
) -> Message:
    """Check consent, write the message and deliver it (or hold it for approval).

    ``consent_ids`` given means the caller already checked consent (a sharing request is
    checked in the other direction, asked → requester, for ``categories``).
    """
    sender = user.department
    categories = draft.categories if categories is None else categories
    if draft.case is not None and consent_ids is None:
        consent_ids = check_all(
            session, user, draft.case.resident_id, sender, draft.recipients, categories, today
        )
    message = Message(
        kind=draft.kind,
        status=MessageStatus.PENDING_APPROVAL,
        basis=LegalBasis.CONSENT if draft.case is not None else LegalBasis.NONE,
        case_id=draft.case.id if draft.case else None,
        resident_id=draft.case.resident_id if draft.case else None,
        thread_id=draft.thread_id,
        parent_id=draft.parent_id,
        sender_department_id=sender.id,
        sender_user_id=user.id,
        subject=draft.subject,
        body=draft.body,
        feedback_due=draft.feedback_due,
        categories=categories,
        consent_ids=consent_ids or [],
        sharing_request_id=sharing_request_id,
        search_text=search_text(draft.subject, draft.body, draft.case),
        idempotency_key=draft.idempotency_key,
    )
    message.documents = list(draft.documents)
    message.deliveries = []  # a new message: nothing to load (deliver() appends)
    for upload, upload_categories in draft.uploads:
        stored = storage.store(
            session, user, upload.data, upload.filename, purpose=ATTACHMENT_PURPOSE
        )
        message.documents.append(
            MessageDocument(
                kind=DocumentKind.ATTACHMENT,
                title=stored.original_name,
                categories=list(upload_categories),
                stored_file_id=stored.id,
                sha256=stored.sha256,
            )
        )
    message.recipients = [MessageRecipient(department_id=d.id) for d in draft.recipients]
    if needs_approval is None:
        needs_approval = (
            draft.kind == MessageKind.SHARE
            and sender.requires_approval
            and user.role != Role.MANAGER
        )
    if not needs_approval:
        _mark_sent(message)  # written so by its INSERT, not by an UPDATE after it
    session.add(message)
    session.flush()
    session.add_all(MessageConsent(message_id=message.id, consent_id=c) for c in consent_ids or [])
    if needs_approval:
        audit.record(session, user, "message.submit", message, reason=_summary(message))
        notify.department(
            session, sender.id, NotificationKind.APPROVAL_NEEDED, message, managers_only=True
        )
        session.flush()
        return message
    deliver(session, user, message, draft.recipients, today)
    return message


def _summary(message: Message) -> str:
    to = ",".join(str(r.department_id) for r in message.recipients)
    return f"{message.kind.value} to [{to}] categories [{','.join(message.categories)}]"


def _mark_sent(message: Message) -> None:
    message.status = MessageStatus.SENT
    message.sent_at = utcnow()


def deliver(
    session: Session,
    user: User,
    message: Message,
    recipients: Sequence[Department],
    today: date | None = None,
) -> list[Delivery]:
    """Write one delivery per recipient, bring them into the case if consent allows, notify."""
    if message.status != MessageStatus.SENT:  # held for approval until now
        _mark_sent(message)
    deliveries = [
        Delivery(message_id=message.id, department_id=d.id, feedback_due=message.feedback_due)
        for d in recipients
    ]
    # Through the relationship, so the message returned (e.g. by approve, whose deliveries
    # were loaded empty) lists its deliveries without a reload.
    message.deliveries.extend(deliveries)
    if message.case_id is not None:
        # Recipients join the case only when the consent lets its lead give them something;
        # the others receive the message without seeing the case.
        case = session.get_one(Case, message.case_id)
        membership.join_on_delivery(session, user, case, recipients, today or jp.today())
    session.flush()
    answered: set[int] = set()
    if message.parent_id is not None:
        answered = _mark_answered(session, message, {d.id for d in recipients})
    # One event, one notification: the department whose request this answers is told
    # "フィードバックが届きました", not also "新しい連絡が届きました".
    notify.departments(
        session,
        [d.id for d in recipients if d.id not in answered],
        NotificationKind.NEW_MESSAGE,
        message,
    )
    notify.queue_mails(session, recipients, f"/mailbox/messages/{message.id}")
    audit.record(
        session,
        user,
        "message.send",
        message,
        reason=f"{_summary(message)} consents {message.consent_ids}",
    )
    return deliveries


def _mark_answered(session: Session, reply: Message, recipient_ids: set[int]) -> set[int]:
    """A reply to the asking department answers what its message asked (feedback, request).

    Returns the departments told that their request was answered.
    """
    parent = session.get(Message, reply.parent_id)
    if parent is None or parent.sender_department_id not in recipient_ids:
        return set()
    answered = changed_rows(
        session,
        update(Delivery)
        .where(
            Delivery.message_id == parent.id,
            Delivery.department_id == reply.sender_department_id,
            Delivery.feedback_received_at.is_(None),
            Delivery.declined_at.is_(None),
        )
        .values(feedback_message_id=reply.id, feedback_received_at=utcnow())
        .execution_options(synchronize_session="fetch"),
    )
    if answered and (parent.feedback_due is not None or parent.kind != MessageKind.NOTICE):
        notify.department(
            session, parent.sender_department_id, NotificationKind.FEEDBACK_RECEIVED, reply
        )
        return {parent.sender_department_id}
    return set()
