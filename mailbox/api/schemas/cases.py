"""A case's side: a sharing request, its timeline, and who it could go to."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from hub.api.models import Body, DepartmentRef, Id, Items, Maybe, Out, Query, Text, Timestamp
from hub.documents.categories import InformationCategory
from hub.mailbox import compose, read
from hub.mailbox.api.schemas.pieces import Categories, DueDate, SendingKey, labels
from hub.mailbox.api.schemas.receipts import OwnDelivery, ReceiptOut
from hub.mailbox.models import Delivery, Message, MessageKind, MessageStatus
from hub.models import DepartmentKind


class CaseSharingRequestInput(Body):
    """情報共有の依頼 to collection departments."""

    department_ids: list[Id] = Field(
        min_length=1, max_length=compose.MAX_RECIPIENTS, title="依頼先", description="公債権所管"
    )
    categories: Categories = Field(min_length=1, title="依頼する情報の区分")
    note: Text | Maybe = Field(None, max_length=2000, title="依頼の内容")
    subject: Text | Maybe = Field(None, max_length=compose.SUBJECT_MAX, title="件名")
    feedback_due: DueDate | Maybe = Field(None, title="回答期限")
    idempotency_key: SendingKey | Maybe = Field(None, title="送信キー")


def _known_categories(value: str) -> str:
    known = {c.value for c in InformationCategory}
    if any(c not in known for c in value.split(",")):
        raise PydanticCustomError("category", "情報の区分の値が正しくありません。")
    return value


class OptionsQuery(Query):
    categories: (
        Annotated[str, Field(pattern=r"^[a-z_]+(,[a-z_]+)*$"), AfterValidator(_known_categories)]
        | Maybe
    ) = Field(
        None, title="情報の区分", description="送る情報の区分（カンマ区切り。省略: 区分なし）"
    )

    @property
    def wanted(self) -> list[str]:
        return self.categories.split(",") if self.categories else []


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
