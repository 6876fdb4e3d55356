"""The user's notifications: the latest, and marking them read."""

from __future__ import annotations

from flask import Response

from hub.api.auth import api_user
from hub.api.blueprint import errors
from hub.api.models import respond
from hub.mailbox import notify
from hub.mailbox.api import bp
from hub.mailbox.api.schemas import (
    NoQuery,
    NotificationList,
    NotificationOut,
    NotificationReadInput,
    NotificationsRead,
)
from hub.web import db


@bp.get(
    "/notifications",
    responses={200: NotificationList, **errors(403)},
    description="通知（新しい順。個人情報を含まない）と未読の件数",
)
def list_notifications(query: NoQuery) -> Response:
    """List the user's latest notifications (no personal data in them) and the unread count."""
    user = api_user()
    items = [NotificationOut.of(n) for n in notify.latest(db(), user.id)]
    return respond(NotificationList(items=items, unread=notify.unread_count(db(), user.id)))


@bp.post(
    "/notifications/read",
    responses={200: NotificationsRead, **errors(403)},
    description="通知を既読にする（id を省略するとすべて。null は受け付けない）",
)
def read_notifications(body: NotificationReadInput) -> Response:
    """Mark one notification (``id``) or, with ``id`` left out, all of them read."""
    user = api_user()
    marked = notify.mark_read(db(), user.id, body.id)
    return respond(NotificationsRead(marked=marked, unread=notify.unread_count(db(), user.id)))
