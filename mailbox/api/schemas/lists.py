"""The inbox's filters (a query string, or a search body), its rows and pages, the counts,
the sent box and the follow-up lists.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from hub.api.models import (
    Body,
    Day,
    DepartmentRef,
    Flag,
    Id,
    Items,
    Maybe,
    Out,
    PersonRef,
    Query,
    QueryId,
    SearchText,
    Timestamp,
)
from hub.mailbox import inbox
from hub.mailbox.api.schemas.messages import MessageHead
from hub.mailbox.api.schemas.pieces import (
    CURSOR,
    DAYS_LEFT,
    LIMIT,
    NEXT_CURSOR,
    STATE,
    Cursor,
    Limit,
    QueryDays,
    QueryLimit,
    labels,
)
from hub.mailbox.api.schemas.receipts import Recall, ReceiptFields, ReceiptOut, owed_days
from hub.mailbox.inbox import InboxRow
from hub.mailbox.models import Delivery, DeliveryState, Message, MessageKind, WorkStatus


def _query_flag(value: Any) -> Any:
    if value in ("1", "true"):
        return True
    if value in ("0", "false"):
        return False
    # Described like a choice: 「未読の値が正しくありません（'1', '0', 'true', 'false'のいずれか）」
    expected = "'1', '0', 'true', 'false'"
    raise PydanticCustomError("literal_error", "1, 0, true or false", {"expected": expected})


#: A yes/no filter in a query string: 1, 0, true or false (an empty value is refused).
QueryFlag = Annotated[
    bool,
    BeforeValidator(_query_flag),
    WithJsonSchema({"type": "string", "enum": ["1", "0", "true", "false"]}),
]

#: What each inbox filter means (the query string's and the search body's are the same).
KIND: dict[str, Any] = {"title": "連絡の種類", "description": labels(MessageKind)}
CASE: dict[str, Any] = {"title": "ケース", "description": "このケースの連絡だけ"}
DUE: dict[str, Any] = {"title": "回答待ち", "description": "回答を求められ、まだ回答していないもの"}
OVERDUE: dict[str, Any] = {"title": "期限超過", "description": "回答期限を過ぎたもの"}
RECALLED: dict[str, Any] = {"title": "取消し", "description": "同意の範囲外となり取り消されたもの"}
UNREAD: dict[str, Any] = {"title": "未読", "description": "未読のもの"}
STATUS: dict[str, Any] = {"title": "対応状況", "description": labels(WorkStatus)}
MINE: dict[str, Any] = {"title": "自分の担当", "description": "自分が担当者のもの"}


class InboxFilters:
    """The inbox filters, read the same way from a query string or a search body."""

    kind: MessageKind | None
    case_id: int | None
    due: bool | None
    overdue: bool | None
    recalled: bool | None
    unread: bool | None
    status: WorkStatus | None
    mine: bool | None

    def inbox_filter(self, q: str = "") -> inbox.InboxFilter:
        return inbox.InboxFilter(
            kind=self.kind,
            case_id=self.case_id,
            due=bool(self.due),
            overdue=bool(self.overdue),
            recalled=bool(self.recalled),
            unread=bool(self.unread),
            status=self.status,
            mine=bool(self.mine),
            q=q.strip(),
        )


class InboxQuery(Query, InboxFilters):
    """The inbox's filters and page (search words go in POST /mailbox/search, never a URL)."""

    kind: MessageKind | Maybe = Field(None, **KIND)
    case_id: QueryId | Maybe = Field(None, **CASE)
    due: QueryFlag | Maybe = Field(None, **DUE)
    overdue: QueryFlag | Maybe = Field(None, **OVERDUE)
    recalled: QueryFlag | Maybe = Field(None, **RECALLED)
    unread: QueryFlag | Maybe = Field(None, **UNREAD)
    status: WorkStatus | Maybe = Field(None, **STATUS)
    mine: QueryFlag | Maybe = Field(None, **MINE)
    cursor: Cursor | Maybe = Field(None, **CURSOR)
    limit: QueryLimit | Maybe = Field(None, **LIMIT)


class InboxSearch(Body, InboxFilters):
    """Search words and the inbox's filters, in the body (words never go in a URL)."""

    q: SearchText | Maybe = Field(
        None,
        title="検索語",
        description="件名・本文・対象者の氏名・カナ・宛名番号（空白で区切った語をすべて含む）",
    )
    kind: MessageKind | Maybe = Field(None, **KIND)
    case_id: Id | Maybe = Field(None, **CASE)
    due: Flag | Maybe = Field(None, **DUE)
    overdue: Flag | Maybe = Field(None, **OVERDUE)
    recalled: Flag | Maybe = Field(None, **RECALLED)
    unread: Flag | Maybe = Field(None, **UNREAD)
    status: WorkStatus | Maybe = Field(None, **STATUS)
    mine: Flag | Maybe = Field(None, **MINE)
    cursor: Cursor | Maybe = Field(None, **CURSOR)
    limit: Limit | Maybe = Field(None, **LIMIT)


class SentQuery(Query):
    cursor: Cursor | Maybe = Field(None, **CURSOR)
    limit: QueryLimit | Maybe = Field(None, **LIMIT)


class UnopenedQuery(Query):
    days: QueryDays | Maybe = Field(
        None, title="日数", description="送ってからの日数 1〜60（省略: 設定値）"
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
    def of(cls, delivery: Delivery | InboxRow, today: date) -> InboxItem:
        message, recalled = delivery.message, delivery.is_recalled
        sender = message.sender_department
        return cls(
            message_id=message.id,
            kind=message.kind,
            subject=None if recalled else message.subject,
            sender_department=DepartmentRef(id=sender.id, code=sender.code, name=sender.name),
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
            recalled_at=delivery.recalled_at,
            recalled_on=delivery.recalled_on,
            recall_reason=delivery.recall_reason if recalled else None,
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
