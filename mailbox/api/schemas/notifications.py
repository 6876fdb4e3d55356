"""The user's notifications and marking them read (one by id, or all with id left out)."""

from __future__ import annotations

from pydantic import Field

from hub.api.models import Body, Id, Items, Maybe, Out, Timestamp
from hub.mailbox.api.schemas.pieces import labels
from hub.mailbox.models import Notification, NotificationKind


class NotificationReadInput(Body):
    """One notification by id, or (``id`` left out) all of them; null is refused."""

    id: Id | Maybe = Field(None, title="通知", description="既読にする通知（省略: すべて）")


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
