"""The mailbox over the API: inbox, sent box, messages, receipts, feedback and requests.

The same services as the screens (hub.mailbox), so the same consent checks, isolation and
audits. A recalled delivery is answered with a tombstone (who sent it, when, why it was
recalled), never its subject, body or documents. The OpenAPI paths and schemas of these
routes are in hub/api/mailbox_doc.py.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from typing import Any

from flask import Response, jsonify, request, url_for
from sqlalchemy import event, select
from sqlalchemy.orm import ORMExecuteState, Session, defaultload, joinedload, lazyload

from hub import jp, storage
from hub.api import bp, serialize
from hub.api.auth import MAX_BODY_BYTES, api_user, case_worker
from hub.api.inputs import BOOLEAN, ID, IDS, TEXT, json_object, query_args, require_types
from hub.cases import services as cases
from hub.documents.categories import ORDER
from hub.errors import Forbidden, InvalidInput
from hub.mailbox import compose, inbox, notify, read, requests, send
from hub.mailbox.access import ADMIN_REFUSED
from hub.mailbox.models import Delivery, Message, MessageDocument, Notification
from hub.models import User
from hub.web import config, db

_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_KEY_MESSAGE = "送信キーの形式が正しくありません（英数字・-・_ で8〜64文字）。"
_FILTER_TYPES = {
    "kind": (TEXT, "連絡の種類"),
    "case_id": (ID, "ケース"),
    "status": (TEXT, "対応状況"),
    "q": (TEXT, "検索語"),
    "cursor": (TEXT, "ページの指定"),
    **{name: (BOOLEAN, name) for name in ("due", "overdue", "recalled", "unread", "mine")},
}


# ------------------------------------------------------------------ serialisation


def _user_ref(user: User | None) -> dict[str, Any] | None:
    return {"id": user.id, "display_name": user.display_name} if user else None


def _owed_days(delivery: Delivery, today: date) -> int | None:
    """Days left (negative: overdue) while the department still owes an answer."""
    if delivery.is_recalled or delivery.feedback_received_at or delivery.declined_at:
        return None
    return inbox.days_left(delivery.feedback_due, today)


def _tombstone_fields(delivery: Delivery) -> dict[str, Any]:
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
        "days_left": _owed_days(delivery, today),
        "feedback_received_at": serialize.timestamp(delivery.feedback_received_at),
        "declined_at": serialize.timestamp(delivery.declined_at),
        "state": delivery.state.value,
        **_tombstone_fields(delivery),
        "work_status": delivery.work_status.value,
        "assignee": _user_ref(delivery.assignee),
    }


def receipt(delivery: Delivery) -> dict[str, Any]:
    """What the sender sees of one recipient department's copy."""
    return {
        "department": serialize.department_ref(delivery.department),
        "state": delivery.state.value,
        "delivered_at": serialize.timestamp(delivery.delivered_at),
        "opened_at": serialize.timestamp(delivery.first_read_at),
        "opened_by": _user_ref(delivery.first_read_by),
        "acknowledged_at": serialize.timestamp(delivery.acknowledged_at),
        "acknowledged_by": _user_ref(delivery.acknowledged_by),
        "feedback_due": serialize.day(delivery.feedback_due),
        "feedback_received_at": serialize.timestamp(delivery.feedback_received_at),
        "feedback_message_id": delivery.feedback_message_id,
        "declined_at": serialize.timestamp(delivery.declined_at),
        "decline_reason": delivery.decline_reason if delivery.declined_at else None,
        **_tombstone_fields(delivery),
    }


def _own_delivery(delivery: Delivery, today: date) -> dict[str, Any]:
    """The recipient department's own copy: the receipt plus its triage."""
    return {
        "message_id": delivery.message_id,
        **receipt(delivery),
        "days_left": _owed_days(delivery, today),
        "work_status": delivery.work_status.value,
        "assignee": _user_ref(delivery.assignee),
    }


def _document(document: MessageDocument, message_id: int) -> dict[str, Any]:
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


def _preload_users(deliveries: Iterable[Delivery]) -> None:
    """Load the people named on receipts in one query (the lazy loads then hit the session)."""
    ids = {
        i
        for d in deliveries
        for i in (d.first_read_by_id, d.acknowledged_by_id, d.assignee_id)
        if i is not None
    }
    if ids:
        db().scalars(select(User).where(User.id.in_(ids))).all()


def _message_head(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "kind": message.kind.value,
        "status": message.status.value,
        "case_id": message.case_id,
        "sender_department": serialize.department_ref(message.sender_department),
        "sender": _user_ref(message.sender_user),
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
        **_message_head(message),
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
            **_tombstone_fields(delivery),
        }
    if delivery is None:
        _preload_users(message.deliveries)
    return {
        **_message_head(message),
        "recalled": False,
        "role": "sender" if delivery is None else "recipient",
        "body": message.body,
        "categories": list(message.categories),
        "documents": [_document(d, message.id) for d in view.documents],
        "approval": {
            "approved_by": _user_ref(message.approved_by),
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
        "delivery": _own_delivery(delivery, today) if delivery is not None else None,
    }


def _sent_copy(message: Message) -> dict[str, Any]:
    # Deliveries were written beside the message, not through its collection: read them fresh.
    db().expire(message, ["deliveries"])
    return message_json(read.MessageView(message, None, None, list(message.documents)), jp.today())


def _timeline_item(message: Message, delivery: Delivery | None, today: date) -> dict[str, Any]:
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
        "delivery": _own_delivery(delivery, today) if delivery is not None else None,
    }


def _outgoing(delivery: Delivery, today: date) -> dict[str, Any]:
    """A delivery of one of the department's own messages (open requests, unopened)."""
    message = delivery.message
    return {
        "message_id": message.id,
        "kind": message.kind.value,
        "subject": message.subject,
        "case_id": message.case_id,
        "days_left": _owed_days(delivery, today),
        **receipt(delivery),
    }


def _notification(item: Notification) -> dict[str, Any]:
    return {
        "id": item.id,
        "kind": item.kind.value,
        "kind_label": item.kind.label,
        "message_id": item.message_id,
        "text": item.text,
        "created_at": serialize.timestamp(item.created_at),
        "read_at": serialize.timestamp(item.read_at),
    }


@bp.errorhandler(send.SendRefused)
def send_refused(exc: send.SendRefused) -> Response:
    """A refused send lists what is missing per recipient × category (``error.missing``)."""
    response = jsonify(exc.to_dict())
    response.status_code = exc.status
    return response


# ------------------------------------------------------------------ input


def _worker() -> User:
    """The token's user, if a case worker: administrators read no messages (403)."""
    user = api_user()
    if not user.can_read_cases:
        raise Forbidden(ADMIN_REFUSED)
    return user


def _optional_body(allowed: list[str]) -> dict[str, Any]:
    """A body that may be left out entirely (an action with optional fields)."""
    return json_object(allowed) if request.get_data(cache=True) else {}


def _limit(raw: Any) -> int:
    """Rows per page, 1 to 200 (default 50), from the query string or a JSON body."""
    if raw is None:
        return inbox.PAGE_SIZE
    if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= 3:
        raw = int(raw)
    if not isinstance(raw, int) or isinstance(raw, bool) or not 1 <= raw <= inbox.MAX_PAGE_SIZE:
        raise InvalidInput(fields={"limit": "件数は1〜200の整数で指定してください。"})
    return raw


def _idempotent(data: dict[str, Any]) -> dict[str, Any]:
    """Take the idempotency key from the ``Idempotency-Key`` header or the body, checked."""
    header = request.headers.get("Idempotency-Key")
    body_key = data.get("idempotency_key")
    if header is not None and body_key not in (None, "") and body_key != header:
        raise InvalidInput(
            fields={"idempotency_key": "Idempotency-Key ヘッダーと本文の送信キーが異なります。"}
        )
    key = header if header is not None else body_key
    if key is None:
        return data
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise InvalidInput(fields={"idempotency_key": _KEY_MESSAGE})
    return {**data, "idempotency_key": key}


def _answer(message: Message, replayed: bool) -> Response:
    """201 with the new message, or 200 with the first one when the key was used before."""
    body = _sent_copy(message)
    if replayed:
        return jsonify(body)
    return serialize.created(body, url_for(".show_message", message_id=message.id))


def _attachments(raw: Any) -> list[compose.Upload]:
    """Decode ``[{filename, content_base64}]``; the storage checks the bytes on sending."""
    if raw in (None, []):
        return []
    message = "添付ファイルは {filename, content_base64} の配列で指定してください。"
    if not isinstance(raw, list):
        raise InvalidInput(fields={"attachments": message})
    uploads = []
    for number, item in enumerate(raw, start=1):
        if not (
            isinstance(item, dict)
            and set(item) == {"filename", "content_base64"}
            and isinstance(item["filename"], str)
            and item["filename"].strip()
            and isinstance(item["content_base64"], str)
        ):
            raise InvalidInput(fields={"attachments": message})
        try:
            data = base64.b64decode(item["content_base64"], validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput(
                fields={"attachments": f"{number}件目の添付ファイルが正しいBase64ではありません。"}
            ) from None
        if not data:
            raise InvalidInput(fields={"attachments": f"{number}件目の添付ファイルが空です。"})
        uploads.append(compose.Upload(item["filename"].strip()[:200], data))
    return uploads


@contextmanager
def _lean(session: Session) -> Iterator[None]:
    """Make the inbox page one SELECT: what a row shows joined in, nothing else loaded.

    hub.mailbox.inbox.inbox() loads each row's message with its default loaders (three
    ``selectin`` collections the list never shows, and the assignee lazily per row); the
    options are added to its query here rather than loading what is not serialised.
    """

    def add_options(state: ORMExecuteState) -> None:
        if state.is_select and not (state.is_relationship_load or state.is_column_load):
            state.statement = state.statement.options(
                defaultload(Delivery.message).defer(Message.body, Message.search_text),
                defaultload(Delivery.message).lazyload(Message.documents),
                defaultload(Delivery.message).lazyload(Message.deliveries),
                defaultload(Delivery.message).lazyload(Message.recipients),
                defaultload(Delivery.message).lazyload(Message.sender_user),
                lazyload(Delivery.department),
                joinedload(Delivery.assignee).lazyload(User.department),
            )

    event.listen(session, "do_orm_execute", add_options)
    try:
        yield
    finally:
        event.remove(session, "do_orm_execute", add_options)


def _inbox_page(data: Mapping[str, Any]) -> Response:
    user = _worker()
    today = jp.today()
    found = inbox.parse_filter(data)
    with _lean(db()):
        page = inbox.inbox(
            db(), user, found, data.get("cursor"), limit=_limit(data.get("limit")), today=today
        )
    return jsonify(items=[inbox_item(d, today) for d in page.rows], next_cursor=page.next_cursor)


# ------------------------------------------------------------------ inbox and lists


@bp.get("/mailbox/inbox")
def inbox_page() -> Response:
    """One page of the department's inbox: unread first, then newest (keyset ``cursor``)."""
    return _inbox_page(query_args([*inbox.FILTERS[:-1], "cursor", "limit"]))


@bp.post("/mailbox/search")
def search_inbox() -> Response:
    """Search the inbox (words in the body, never in a URL), with the same filters."""
    data = json_object([*inbox.FILTERS, "cursor", "limit"])
    require_types(data, _FILTER_TYPES)
    return _inbox_page(data)


@bp.get("/mailbox/counts")
def mailbox_counts() -> Response:
    """The navigation's numbers: unread, owed, overdue, approvals, unread notifications."""
    query_args([])
    user = _worker()
    counts = inbox.counts(db(), user).as_dict()
    return jsonify(**counts, notifications=notify.unread_count(db(), user.id))


@bp.get("/mailbox/sent")
def sent_box() -> Response:
    """The department's sent box, newest first, with receipts per recipient."""
    args = query_args(["cursor", "limit"])
    user = _worker()
    page = inbox.sent(db(), user, args.get("cursor"), limit=_limit(args.get("limit")))
    _preload_users(d for m in page.rows for d in m.deliveries)  # type: ignore[attr-defined]
    return jsonify(items=[sent_item(m) for m in page.rows], next_cursor=page.next_cursor)  # type: ignore[arg-type]


@bp.get("/mailbox/owed")
def owed() -> Response:
    """Feedback and answers the department owes, earliest due first."""
    query_args([])
    today = jp.today()
    rows = inbox.owed(db(), _worker())
    _preload_users(rows)
    return jsonify(items=[inbox_item(d, today) for d in rows])


@bp.get("/mailbox/open-requests")
def open_requests() -> Response:
    """The department's messages still waiting for feedback, per recipient."""
    query_args([])
    today = jp.today()
    rows = inbox.open_requests(db(), _worker())
    _preload_users(rows)
    return jsonify(items=[_outgoing(d, today) for d in rows])


@bp.get("/mailbox/unopened")
def unopened() -> Response:
    """The department's deliveries nobody in the recipient opened after ``days`` days."""
    args = query_args(["days"])
    raw = args.get("days")
    days = int(raw) if raw and raw.isascii() and raw.isdigit() and len(raw) <= 2 else None
    if raw is not None and not (days and days <= 60):
        raise InvalidInput(fields={"days": "日数は1〜60の整数で指定してください。"})
    today = jp.today()
    rows = inbox.unopened(db(), _worker(), days)
    _preload_users(rows)
    return jsonify(items=[_outgoing(d, today) for d in rows])


# ------------------------------------------------------------------ messages


@bp.post("/messages")
def send_message() -> Response:
    """Send a share or notice after checking consent (409 lists what is missing)."""
    # Attachments travel base64-encoded in the body: 4 bytes for every 3, all files together.
    request.max_content_length = MAX_BODY_BYTES + config().upload_max_bytes * 4 // 3
    data = _idempotent(json_object([*compose.FIELDS, "attachments"]))
    require_types(
        data,
        {
            "kind": (TEXT, "連絡の種類"),
            "case_id": (ID, "ケース"),
            "recipient_ids": (IDS, "宛先"),
            "subject": (TEXT, "件名"),
            "body": (TEXT, "本文"),
            "feedback_due": (TEXT, "回答期限"),
            "sheet_version": (ID, "ヒアリングシートの版"),
            "consent_id": (ID, "同意書"),
            "parent_id": (ID, "返信先"),
        },
    )
    user = _worker()
    earlier = send.replayed(db(), user, data.get("idempotency_key"))
    if earlier is not None:
        return _answer(earlier, replayed=True)
    uploads = _attachments(data.pop("attachments", None))
    return _answer(send.send(db(), user, data, uploads), replayed=False)


@bp.get("/messages/<int:message_id>")
def show_message(message_id: int) -> Response:
    """Open a message: the sender's copy, a recipient's (first open recorded) or a tombstone."""
    query_args([])
    today = jp.today()
    return jsonify(message_json(read.open_message(db(), _worker(), message_id, today=today), today))


@bp.get("/messages/<int:message_id>/documents/<int:document_id>")
def show_message_document(message_id: int, document_id: int) -> Response:
    """A document of a message: structured JSON, or the file (409 once recalled)."""
    query_args([])
    document, data = read.open_document(db(), _worker(), message_id, document_id)
    if data is None:
        return jsonify(_document(document, message_id))
    stored = document.stored_file
    response = Response(data, mimetype=stored.content_type)  # type: ignore[union-attr]
    response.headers["Content-Disposition"] = storage.content_disposition(
        stored.original_name  # type: ignore[union-attr]
    )
    return response


@bp.post("/messages/<int:message_id>/acknowledge")
def acknowledge_message(message_id: int) -> Response:
    """確認しました: record the department's acknowledgement (once)."""
    _optional_body([])
    today = jp.today()
    delivery = read.acknowledge(db(), _worker(), message_id, today=today)
    return jsonify(_own_delivery(delivery, today))


@bp.post("/messages/<int:message_id>/triage")
def triage_message(message_id: int) -> Response:
    """Assign the delivery to someone of the department and/or set its work status."""
    data = json_object(read.TRIAGE_FIELDS)
    require_types(data, {"assignee_id": (ID, "担当者"), "work_status": (TEXT, "対応状況")})
    delivery = read.triage(db(), _worker(), message_id, data)
    return jsonify(_own_delivery(delivery, jp.today()))


@bp.post("/messages/<int:message_id>/feedback")
def send_feedback(message_id: int) -> Response:
    """Answer a received case message with structured feedback, consent-checked back."""
    data = _idempotent(json_object(requests.FEEDBACK_FIELDS))
    user = _worker()
    earlier = send.replayed(db(), user, data.get("idempotency_key"))
    if earlier is not None:
        return _answer(earlier, replayed=True)
    return _answer(requests.send_feedback(db(), user, message_id, data), replayed=False)


@bp.post("/messages/<int:message_id>/decline")
def decline_request(message_id: int) -> Response:
    """Decline a sharing request with a reason."""
    data = json_object(["reason"])
    delivery = requests.decline(db(), _worker(), message_id, data.get("reason"))
    return jsonify(_own_delivery(delivery, jp.today()))


@bp.post("/messages/<int:message_id>/approve")
def approve_message(message_id: int) -> Response:
    """承認 (managers): check consent again today and deliver."""
    data = _optional_body(["comment"])
    return jsonify(_sent_copy(send.approve(db(), _worker(), message_id, data.get("comment"))))


@bp.post("/messages/<int:message_id>/return")
def return_message(message_id: int) -> Response:
    """差戻し (managers) with a comment: the message is never delivered."""
    data = json_object(["comment"])
    message = send.return_to_sender(db(), _worker(), message_id, data.get("comment"))
    return jsonify(_sent_copy(message))


# ------------------------------------------------------------------ cases


@bp.post("/cases/<int:case_id>/sharing-requests")
def request_sharing(case_id: int) -> Response:
    """情報共有の依頼 to collection departments, checked asked → requester (409 outside)."""
    data = _idempotent(json_object(requests.REQUEST_FIELDS))
    require_types(
        data,
        {
            "department_ids": (IDS, "依頼先"),
            "note": (TEXT, "依頼の内容"),
            "subject": (TEXT, "件名"),
            "feedback_due": (TEXT, "回答期限"),
        },
    )
    user = case_worker("sharing_request.compose", case_id)
    earlier = send.replayed(db(), user, data.get("idempotency_key"))
    if earlier is not None:
        return _answer(earlier, replayed=True)
    return _answer(requests.request_sharing(db(), user, case_id, data), replayed=False)


@bp.get("/cases/<int:case_id>/timeline")
def case_timeline(case_id: int) -> Response:
    """Every exchange of the case the department sent or received, oldest first."""
    query_args([])
    user = case_worker("mailbox.timeline", case_id)
    today = jp.today()
    rows = inbox.timeline(db(), user, case_id)
    _preload_users(d for m, own in rows for d in ([own] if own else m.deliveries))
    return jsonify(items=[_timeline_item(m, d, today) for m, d in rows])


@bp.get("/cases/<int:case_id>/recipient-options")
def recipient_options(case_id: int) -> Response:
    """Each department the case could go to, allowed or not (with why) for ``categories``."""
    args = query_args(["categories"])
    user = case_worker("message.compose", case_id)
    case = cases.get_visible(db(), user, case_id, action="message.compose")
    wanted = [c for c in (args.get("categories") or "").split(",") if c]
    known = {c.value for c in ORDER}
    if any(c not in known for c in wanted):
        raise InvalidInput(fields={"categories": "情報の区分の値が正しくありません。"})
    options = send.recipient_options(db(), user, case, wanted)
    return jsonify(
        items=[
            {
                "department_id": o.department.id,
                "name": o.department.name,
                "kind": o.department.kind.value,
                "allowed": o.allowed,
                "reasons": o.reasons,
            }
            for o in options
        ]
    )


# ------------------------------------------------------------------ notifications


@bp.get("/notifications")
def list_notifications() -> Response:
    """The user's latest notifications (no personal data in them) and how many are unread."""
    query_args([])
    user = _worker()
    items = notify.latest(db(), user.id)
    return jsonify(
        items=[_notification(n) for n in items], unread=notify.unread_count(db(), user.id)
    )


@bp.post("/notifications/read")
def read_notifications() -> Response:
    """Mark one notification (``id``) or all of them read."""
    data = json_object(["id"])
    require_types(data, {"id": (ID, "通知")})
    user = _worker()
    marked = notify.mark_read(db(), user.id, data.get("id"))
    return jsonify(marked=marked, unread=notify.unread_count(db(), user.id))
