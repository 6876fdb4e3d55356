"""The department's inbox (and its search), the sent box, the counts and the follow-up lists."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Response
from sqlalchemy import select

from hub import jp
from hub.api.auth import api_user
from hub.api.blueprint import errors
from hub.api.models import respond
from hub.mailbox import followups, inbox, notify
from hub.mailbox.api import bp
from hub.mailbox.api.schemas import (
    InboxItem,
    InboxList,
    InboxPage,
    InboxQuery,
    InboxSearch,
    MailboxCounts,
    NoQuery,
    OutgoingItem,
    OutgoingList,
    SentItem,
    SentPage,
    SentQuery,
    UnopenedQuery,
)
from hub.mailbox.models import Delivery
from hub.models import User
from hub.web import db


def load_people(deliveries: Iterable[Delivery]) -> None:
    """Load the people named on receipts in one query (the lazy loads then hit the session)."""
    ids = {
        i
        for d in deliveries
        for i in (d.first_read_by_id, d.acknowledged_by_id, d.assignee_id)
        if i is not None
    }
    if ids:
        db().scalars(select(User).where(User.id.in_(ids))).all()


def _inbox(found: inbox.InboxFilter, cursor: str | None, limit: int | None) -> Response:
    today = jp.today()
    size = limit or inbox.PAGE_SIZE
    page = inbox.inbox(db(), api_user(), found, cursor, limit=size, today=today)
    items = [InboxItem.of(row, today) for row in page.rows]
    return respond(InboxPage(items=items, next_cursor=page.next_cursor))


@bp.get(
    "/mailbox/inbox",
    responses={200: InboxPage, **errors(403)},
    description="受信箱: 未読が先、新しい順。cursor で次のページ（検索は POST /mailbox/search）",
)
def inbox_page(query: InboxQuery) -> Response:
    """List one page of the department's inbox: unread first, then newest (keyset cursor)."""
    return _inbox(query.inbox_filter(), query.cursor, query.limit)


@bp.post(
    "/mailbox/search",
    responses={200: InboxPage, **errors(403)},
    description="受信箱の検索（検索語は本文で送る）。絞り込みとページは受信箱と同じ",
)
def search_inbox(body: InboxSearch) -> Response:
    """Search the inbox (words in the body, never in a URL), with the same filters."""
    return _inbox(body.inbox_filter(body.q or ""), body.cursor, body.limit)


@bp.get(
    "/mailbox/counts",
    responses={200: MailboxCounts, **errors(403)},
    description="件数（未読・要回答・期限超過・承認待ち・通知）",
)
def mailbox_counts(query: NoQuery) -> Response:
    """Count what the navigation shows: unread, owed, overdue, approvals, notifications."""
    user = api_user()
    counts = inbox.counts(db(), user).as_dict()
    return respond(MailboxCounts(**counts, notifications=notify.unread_count(db(), user.id)))


@bp.get(
    "/mailbox/sent",
    responses={200: SentPage, **errors(403)},
    description="送信箱: 新しい順、宛先ごとの受領状況つき",
)
def sent_box(query: SentQuery) -> Response:
    """List the department's sent box, newest first, with receipts per recipient."""
    size = query.limit or inbox.PAGE_SIZE
    page = inbox.sent(db(), api_user(), query.cursor, limit=size)
    load_people(d for m in page.rows for d in m.deliveries)
    items = [SentItem.of(m) for m in page.rows]
    return respond(SentPage(items=items, next_cursor=page.next_cursor))


@bp.get(
    "/mailbox/owed",
    responses={200: InboxList, **errors(403)},
    description="自所管が回答すべき連絡（期限の早い順）",
)
def owed(query: NoQuery) -> Response:
    """List the feedback and answers the department owes, earliest due first."""
    today = jp.today()
    rows = followups.owed(db(), api_user())
    load_people(rows)
    return respond(InboxList(items=[InboxItem.of(d, today) for d in rows]))


@bp.get(
    "/mailbox/open-requests",
    responses={200: OutgoingList, **errors(403)},
    description="自所管が回答を待っている連絡（宛先ごと）",
)
def open_requests(query: NoQuery) -> Response:
    """List the department's messages still waiting for feedback, per recipient."""
    today = jp.today()
    rows = followups.open_requests(db(), api_user())
    load_people(rows)
    return respond(OutgoingList(items=[OutgoingItem.of(d, today) for d in rows]))


@bp.get(
    "/mailbox/unopened",
    responses={200: OutgoingList, **errors(403)},
    description="送った連絡のうち、宛先で誰も開いていないもの（days 日以上）",
)
def unopened(query: UnopenedQuery) -> Response:
    """List the department's deliveries nobody in the recipient opened after ``days`` days."""
    today = jp.today()
    rows = followups.unopened(db(), api_user(), query.days)
    load_people(rows)
    return respond(OutgoingList(items=[OutgoingItem.of(d, today) for d in rows]))
