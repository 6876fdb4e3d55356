"""What the mailbox API answers: inbox rows, receipts, messages, tombstones, timelines.

Each answer is one model, built from the services' rows with ``of()``, serialised by
``hub.api.models.respond`` and documented as it is. A recalled delivery is a tombstone: who
sent it, when, why and when it was recalled — never its subject, body or documents.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from flask import url_for
from pydantic import ConfigDict, Field, RootModel

from hub.api.errors import Error
from hub.api.models import Day, DepartmentRef, Items, Out, PersonRef, Timestamp
from hub.documents.categories import InformationCategory
from hub.mailbox import followups, read
from hub.mailbox.api.schemas.inputs import labels
from hub.mailbox.models import (
    Delivery,
    DeliveryState,
    DocumentKind,
    Message,
    MessageDocument,
    MessageKind,
    MessageStatus,
    Notification,
    NotificationKind,
    WorkStatus,
)
from hub.models import DepartmentKind

STATE = "delivered: 配信済み / recalled: 取消し（同意の範囲外となった）"
DAYS_LEFT = (
    "回答期限までの開庁日数（土日・祝日・年末年始を除く。期限が閉庁日なら次の開庁日まで。"
    "負は超過）。回答済み・辞退・取消しは null"
)
NEXT_CURSOR = "次のページの指定（cursor にそのまま渡す）。最後のページでは null"


def owed_days(delivery: Delivery, today: date) -> int | None:
    """Days left (negative: overdue) while the department still owes an answer."""
    if delivery.is_recalled or delivery.feedback_received_at or delivery.declined_at:
        return None
    return followups.days_left(delivery.feedback_due, today)


class Recall(Out):
    """The tombstone's facts: when and why a delivery was recalled (null while it is not)."""

    recalled_at: Timestamp | None
    recalled_on: Day | None = Field(description="同意の範囲外となった日")
    recall_reason: str | None = Field(description="取消しの理由（個人情報を含まない）")

    @staticmethod
    def values(delivery: Delivery) -> dict[str, Any]:
        return {
            "recalled_at": delivery.recalled_at,
            "recalled_on": delivery.recalled_on,
            "recall_reason": delivery.recall_reason if delivery.is_recalled else None,
        }


class ReceiptFields(Recall):
    """What the sender sees of one recipient department's copy (every receipt's fields)."""

    department: DepartmentRef
    state: DeliveryState = Field(description=STATE)
    delivered_at: Timestamp
    opened_at: Timestamp | None = Field(description="受信所管で最初に開いた日時")
    opened_by: PersonRef | None
    acknowledged_at: Timestamp | None = Field(description="確認しました")
    acknowledged_by: PersonRef | None
    feedback_due: Day | None = Field(description="回答期限")
    feedback_received_at: Timestamp | None
    feedback_message_id: int | None = Field(description="回答した連絡")
    declined_at: Timestamp | None
    decline_reason: str | None = Field(description="辞退の理由")

    @staticmethod
    def values(delivery: Delivery) -> dict[str, Any]:
        return {
            "department": DepartmentRef.of(delivery.department),
            "state": delivery.state,
            "delivered_at": delivery.delivered_at,
            "opened_at": delivery.first_read_at,
            "opened_by": PersonRef.of(delivery.first_read_by),
            "acknowledged_at": delivery.acknowledged_at,
            "acknowledged_by": PersonRef.of(delivery.acknowledged_by),
            "feedback_due": delivery.feedback_due,
            "feedback_received_at": delivery.feedback_received_at,
            "feedback_message_id": delivery.feedback_message_id,
            "declined_at": delivery.declined_at,
            "decline_reason": delivery.decline_reason if delivery.declined_at else None,
            **Recall.values(delivery),
        }


class ReceiptOut(ReceiptFields):
    """What the sender sees of one recipient department's copy."""

    @classmethod
    def of(cls, delivery: Delivery) -> ReceiptOut:
        return cls(**cls.values(delivery))


class OwnDelivery(ReceiptFields):
    """The recipient department's own copy: the receipt plus its triage."""

    message_id: int
    days_left: int | None = Field(description=DAYS_LEFT)
    work_status: WorkStatus = Field(description=labels(WorkStatus))
    assignee: PersonRef | None = Field(description="担当者")

    @classmethod
    def of(cls, delivery: Delivery, today: date) -> OwnDelivery:
        return cls(
            message_id=delivery.message_id,
            **ReceiptFields.values(delivery),
            days_left=owed_days(delivery, today),
            work_status=delivery.work_status,
            assignee=PersonRef.of(delivery.assignee),
        )


class InboxItem(Recall):
    """One inbox row; a recalled row keeps only the sender, the dates and the reason."""

    message_id: int
    kind: MessageKind = Field(description=labels(MessageKind))
    subject: str | None = Field(description="取消し済みは null")
    sender_department: DepartmentRef
    case_id: int | None = Field(description="取消し済み・ケースのないお知らせは null")
    delivered_at: Timestamp
    read: bool
    first_read_at: Timestamp | None
    acknowledged_at: Timestamp | None
    feedback_due: Day | None
    days_left: int | None = Field(description=DAYS_LEFT)
    feedback_received_at: Timestamp | None
    declined_at: Timestamp | None
    state: DeliveryState = Field(description=STATE)
    work_status: WorkStatus = Field(description=labels(WorkStatus))
    assignee: PersonRef | None

    @classmethod
    def of(cls, delivery: Delivery, today: date) -> InboxItem:
        message, recalled = delivery.message, delivery.is_recalled
        return cls(
            message_id=message.id,
            kind=message.kind,
            subject=None if recalled else message.subject,
            sender_department=DepartmentRef.of(message.sender_department),
            case_id=None if recalled else message.case_id,
            delivered_at=delivery.delivered_at,
            read=delivery.is_read,
            first_read_at=delivery.first_read_at,
            acknowledged_at=delivery.acknowledged_at,
            feedback_due=delivery.feedback_due,
            days_left=owed_days(delivery, today),
            feedback_received_at=delivery.feedback_received_at,
            declined_at=delivery.declined_at,
            state=delivery.state,
            **Recall.values(delivery),
            work_status=delivery.work_status,
            assignee=PersonRef.of(delivery.assignee),
        )


class InboxPage(Out):
    """A page of the inbox: unread first, then newest."""

    items: list[InboxItem]
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class InboxList(Items[InboxItem]):
    """Deliveries the department owes an answer to, earliest due first."""


class MailboxCounts(Out):
    unread: int = Field(ge=0, description="未読")
    owed: int = Field(ge=0, description="自所管が回答すべきもの")
    overdue: int = Field(ge=0, description="そのうち期限超過")
    approvals: int = Field(ge=0, description="承認待ち（管理職のみ、他は0）")
    notifications: int = Field(ge=0, description="未読の通知")


class FileOut(Out):
    name: str
    content_type: str
    size: int = Field(ge=0)


class MessageDocumentOut(Out):
    """A document of a message; as an answer of its own, a file comes as itself instead."""

    # flask-openapi3 adds openapi_extra's content to the operation's answer: the file.
    model_config = ConfigDict(
        openapi_extra={  # type: ignore[typeddict-unknown-key]
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            }
        }
    )

    id: int
    kind: DocumentKind = Field(description=labels(DocumentKind))
    title: str
    categories: list[InformationCategory]
    sha256: str
    content: dict[str, Any] | None = Field(
        description="構造化された内容（共有した項目だけのシート、フィードバック等）。"
        "ファイルは null（url から取得）"
    )
    file: FileOut | None
    url: str = Field(description="この資料を取得するURL")

    @classmethod
    def of(cls, document: MessageDocument, message_id: int) -> MessageDocumentOut:
        stored = document.stored_file
        return cls(
            id=document.id,
            kind=document.kind,
            title=document.title,
            categories=[InformationCategory(c) for c in document.categories],
            sha256=document.sha256,
            content=document.content or None,
            file=FileOut(
                name=stored.original_name, content_type=stored.content_type, size=stored.size
            )
            if stored
            else None,
            url=url_for(
                "mailbox_api.show_message_document", message_id=message_id, document_id=document.id
            ),
        )


class MessageHead(Out):
    id: int
    kind: MessageKind = Field(description=labels(MessageKind))
    status: MessageStatus = Field(description=labels(MessageStatus))
    case_id: int | None
    sender_department: DepartmentRef
    sender: PersonRef
    subject: str
    feedback_due: Day | None = Field(description="回答期限")
    thread_id: int = Field(description="スレッドの最初の連絡")
    parent_id: int | None = Field(description="返信・回答の元の連絡")
    created_at: Timestamp
    sent_at: Timestamp | None

    @staticmethod
    def values(message: Message) -> dict[str, Any]:
        return {
            "id": message.id,
            "kind": message.kind,
            "status": message.status,
            "case_id": message.case_id,
            "sender_department": DepartmentRef.of(message.sender_department),
            "sender": PersonRef.of(message.sender_user),
            "subject": message.subject,
            "feedback_due": message.feedback_due,
            "thread_id": message.root_id,
            "parent_id": message.parent_id,
            "created_at": message.created_at,
            "sent_at": message.sent_at,
        }


class ApprovalOut(Out):
    approved_by: PersonRef | None
    comment: str
    decided_at: Timestamp | None


class MessageOut(MessageHead):
    """A message as the sender (with receipts) or a recipient (with its delivery) sees it."""

    recalled: Literal[False]
    role: Literal["sender", "recipient"]
    body: str = Field(description="本文（プレーンテキスト）")
    categories: list[InformationCategory]
    documents: list[MessageDocumentOut]
    approval: ApprovalOut | None = Field(description="送信元のみ: 承認・差戻し")
    recipients: list[DepartmentRef] | None = Field(description="送信元のみ: 宛先")
    receipts: list[ReceiptOut] | None = Field(
        description="送信元のみ: 宛先ごとの配信・開封・確認・回答・取消し"
    )
    delivery: OwnDelivery | None = Field(description="受信側のみ: 自所管の受信の状態")

    @classmethod
    def of(cls, view: read.MessageView, today: date) -> MessageOut:
        message, delivery = view.message, view.delivery
        sender = delivery is None
        decided = sender and message.decided_at is not None
        return cls(
            **MessageHead.values(message),
            recalled=False,
            role="sender" if sender else "recipient",
            body=message.body,
            categories=[InformationCategory(c) for c in message.categories],
            documents=[MessageDocumentOut.of(d, message.id) for d in view.documents],
            approval=ApprovalOut(
                approved_by=PersonRef.of(message.approved_by),
                comment=message.approval_comment,
                decided_at=message.decided_at,
            )
            if decided
            else None,
            recipients=[DepartmentRef.of(r.department) for r in message.recipients]
            if sender
            else None,
            receipts=[ReceiptOut.of(d) for d in message.deliveries] if sender else None,
            delivery=OwnDelivery.of(delivery, today) if delivery is not None else None,
        )


class MessageTombstone(Recall):
    """A recalled delivery: who sent it and when, why it was recalled — no content."""

    id: int
    recalled: Literal[True]
    tombstone: str = Field(description="取消しの表示（内容は返さない）")
    sender_department: DepartmentRef
    delivered_at: Timestamp

    @classmethod
    def of(cls, view: read.MessageView) -> MessageTombstone:
        delivery = view.delivery
        assert delivery is not None and view.tombstone is not None  # only recipients' copies
        return cls(
            id=view.message.id,
            recalled=True,
            tombstone=view.tombstone,
            sender_department=DepartmentRef.of(view.message.sender_department),
            delivered_at=delivery.delivered_at,
            **Recall.values(delivery),
        )


class MessageView(RootModel[MessageOut | MessageTombstone]):
    """The message, or the tombstone of a recalled delivery (``recalled`` tells which)."""

    @classmethod
    def of(cls, view: read.MessageView, today: date) -> MessageView:
        if view.is_recalled:
            return cls(MessageTombstone.of(view))
        return cls(MessageOut.of(view, today))


class SentItem(MessageHead):
    """A message of the sent box with its receipts per recipient."""

    recipients: list[DepartmentRef]
    receipts: list[ReceiptOut]

    @classmethod
    def of(cls, message: Message) -> SentItem:
        return cls(
            **MessageHead.values(message),
            recipients=[DepartmentRef.of(r.department) for r in message.recipients],
            receipts=[ReceiptOut.of(d) for d in message.deliveries],
        )


class SentPage(Out):
    """A page of the sent box, newest first."""

    items: list[SentItem]
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class OutgoingItem(ReceiptFields):
    """A delivery of one of the department's own messages (open requests, unopened)."""

    message_id: int
    kind: MessageKind = Field(description=labels(MessageKind))
    subject: str
    case_id: int | None
    days_left: int | None = Field(description=DAYS_LEFT)

    @classmethod
    def of(cls, delivery: Delivery, today: date) -> OutgoingItem:
        message = delivery.message
        return cls(
            message_id=message.id,
            kind=message.kind,
            subject=message.subject,
            case_id=message.case_id,
            days_left=owed_days(delivery, today),
            **ReceiptFields.values(delivery),
        )


class OutgoingList(Items[OutgoingItem]):
    """Deliveries of the department's own messages."""


class TimelineItem(Out):
    message_id: int
    direction: Literal["sent", "received"]
    kind: MessageKind = Field(description=labels(MessageKind))
    subject: str | None = Field(description="取消し済みは null")
    sender_department: DepartmentRef
    status: MessageStatus = Field(description=labels(MessageStatus))
    at: Timestamp = Field(description="送信（受信側は配信）の日時")
    recalled: bool
    tombstone: str | None = Field(description="取消しの表示")
    receipts: list[ReceiptOut] | None = Field(description="送ったもの: 宛先ごとの状況")
    delivery: OwnDelivery | None = Field(description="受けたもの: 自所管の受信の状態")

    @classmethod
    def of(cls, message: Message, delivery: Delivery | None, today: date) -> TimelineItem:
        head = {
            "message_id": message.id,
            "direction": "sent" if delivery is None else "received",
            "kind": message.kind,
            "sender_department": DepartmentRef.of(message.sender_department),
            "status": message.status,
        }
        if delivery is not None and delivery.is_recalled:
            return cls(
                **head,
                subject=None,
                at=delivery.delivered_at,
                recalled=True,
                tombstone=read.tombstone_text(delivery),
                receipts=None,
                delivery=None,
            )
        return cls(
            **head,
            subject=message.subject,
            at=message.sent_at or message.created_at,
            recalled=False,
            tombstone=None,
            receipts=[ReceiptOut.of(d) for d in message.deliveries] if delivery is None else None,
            delivery=OwnDelivery.of(delivery, today) if delivery is not None else None,
        )


class Timeline(Items[TimelineItem]):
    """Every exchange of the case the department sent or received, oldest first."""


class RecipientOption(Out):
    department_id: int
    name: str
    kind: DepartmentKind = Field(description="collection: 公債権所管 / support: 支援所管 / other")
    allowed: bool = Field(description="同意の範囲で送れる")
    reasons: list[str] = Field(description="宛先にできない理由（日本語）")


class RecipientOptions(Items[RecipientOption]):
    """Each department the case could go to, allowed or not."""


class NotificationOut(Out):
    id: int
    kind: NotificationKind = Field(description=labels(NotificationKind))
    kind_label: str
    message_id: int | None
    text: str = Field(description="個人情報を含まない通知文")
    created_at: Timestamp
    read_at: Timestamp | None

    @classmethod
    def of(cls, item: Notification) -> NotificationOut:
        return cls(
            id=item.id,
            kind=item.kind,
            kind_label=item.kind.label,
            message_id=item.message_id,
            text=item.text,
            created_at=item.created_at,
            read_at=item.read_at,
        )


class NotificationList(Items[NotificationOut]):
    """The user's latest notifications, newest first."""

    unread: int = Field(ge=0)


class NotificationsRead(Out):
    marked: int = Field(ge=0, description="既読にした件数")
    unread: int = Field(ge=0, description="残る未読")


# ------------------------------------------------------------------ a refused send


class MissingConsent(Out):
    """One recipient × category the consent does not cover."""

    department_id: int
    department: str
    category: InformationCategory | None = Field(description="null: 区分のない連絡")
    category_label: str
    reason: str = Field(description="足りないもの（日本語）")
    needed: str = Field(description="送るために必要な同意")


class RefusalBody(Out):
    code: Literal["consent_missing"]
    message: str
    missing: list[MissingConsent] = Field(
        min_length=1, description="宛先×情報の区分ごとの不足（どの宛先にも送っていない）"
    )


class SendRefusal(Out):
    """409: the consent does not cover every recipient × category; nothing was sent."""

    error: RefusalBody


class SendConflict(RootModel[SendRefusal | Error]):
    """409: outside the consent (``error.missing`` lists what is missing), or another
    conflict (not_pending, recalled, sender …)."""
