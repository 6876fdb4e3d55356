"""The mailbox over the API: inbox, sent box, messages, receipts, feedback and requests.

The same services as the screens (hub.mailbox), so the same consent checks, isolation and
audits. A recalled delivery is answered with a tombstone (who sent it, when, why it was
recalled), never its subject, body or documents. The OpenAPI paths and schemas of these
routes are in hub/api/mailbox_doc.py.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from flask import Response, jsonify, request, url_for

from hub import jp, storage
from hub.api import mailbox_json, serialize
from hub.api.auth import MAX_BODY_BYTES, api_user, case_worker
from hub.api.inputs import BOOLEAN, ID, IDS, TEXT, json_object, query_args, require_types
from hub.api.legacy import bp
from hub.cases import services as cases
from hub.documents.categories import ORDER
from hub.errors import Forbidden, InvalidInput
from hub.mailbox import approval, checks, compose, followups, inbox, notify, read, requests, send
from hub.mailbox.access import ADMIN_REFUSED
from hub.mailbox.models import Message
from hub.models import User
from hub.web import config, db

_FILTER_TYPES = {
    "kind": (TEXT, "連絡の種類"),
    "case_id": (ID, "ケース"),
    "status": (TEXT, "対応状況"),
    "q": (TEXT, "検索語"),
    "cursor": (TEXT, "ページの指定"),
    **{name: (BOOLEAN, name) for name in ("due", "overdue", "recalled", "unread", "mine")},
}


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
    key = send.idempotency_key(header if header is not None else body_key)
    return data if key is None else {**data, "idempotency_key": key}


def _answer(message: Message, replayed: bool) -> Response:
    """201 with the new message, or 200 with the first one when the key was used before."""
    body = mailbox_json.sent_copy(message)
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


def _inbox_page(data: Mapping[str, Any]) -> Response:
    user = _worker()
    today = jp.today()
    found = inbox.parse_filter(data)
    page = inbox.inbox(
        db(), user, found, data.get("cursor"), limit=_limit(data.get("limit")), today=today
    )
    return jsonify(
        items=[mailbox_json.inbox_item(d, today) for d in page.rows], next_cursor=page.next_cursor
    )


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
    mailbox_json.preload_users(d for m in page.rows for d in m.deliveries)  # type: ignore[attr-defined]
    return jsonify(
        items=[mailbox_json.sent_item(m) for m in page.rows], next_cursor=page.next_cursor
    )  # type: ignore[arg-type]


@bp.get("/mailbox/owed")
def owed() -> Response:
    """Feedback and answers the department owes, earliest due first."""
    query_args([])
    today = jp.today()
    rows = followups.owed(db(), _worker())
    mailbox_json.preload_users(rows)
    return jsonify(items=[mailbox_json.inbox_item(d, today) for d in rows])


@bp.get("/mailbox/open-requests")
def open_requests() -> Response:
    """The department's messages still waiting for feedback, per recipient."""
    query_args([])
    today = jp.today()
    rows = followups.open_requests(db(), _worker())
    mailbox_json.preload_users(rows)
    return jsonify(items=[mailbox_json.outgoing(d, today) for d in rows])


@bp.get("/mailbox/unopened")
def unopened() -> Response:
    """The department's deliveries nobody in the recipient opened after ``days`` days."""
    args = query_args(["days"])
    raw = args.get("days")
    days = int(raw) if raw and raw.isascii() and raw.isdigit() and len(raw) <= 2 else None
    if raw is not None and not (days and days <= 60):
        raise InvalidInput(fields={"days": "日数は1〜60の整数で指定してください。"})
    today = jp.today()
    rows = followups.unopened(db(), _worker(), days)
    mailbox_json.preload_users(rows)
    return jsonify(items=[mailbox_json.outgoing(d, today) for d in rows])


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
    uploads = _attachments(data.pop("attachments", None))
    sent = send.send(db(), user, data, uploads)
    return _answer(sent.message, sent.replayed)


@bp.get("/messages/<int:message_id>")
def show_message(message_id: int) -> Response:
    """Open a message: the sender's copy, a recipient's (first open recorded) or a tombstone."""
    query_args([])
    today = jp.today()
    return jsonify(
        mailbox_json.message_json(
            read.open_message(db(), _worker(), message_id, today=today), today
        )
    )


@bp.get("/messages/<int:message_id>/documents/<int:document_id>")
def show_message_document(message_id: int, document_id: int) -> Response:
    """A document of a message: structured JSON, or the file (409 once recalled)."""
    query_args([])
    document, data = read.open_document(db(), _worker(), message_id, document_id)
    if data is None:
        return jsonify(mailbox_json.document(document, message_id))
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
    return jsonify(mailbox_json.own_delivery(delivery, today))


@bp.post("/messages/<int:message_id>/triage")
def triage_message(message_id: int) -> Response:
    """Assign the delivery to someone of the department and/or set its work status."""
    data = json_object(read.TRIAGE_FIELDS)
    require_types(data, {"assignee_id": (ID, "担当者"), "work_status": (TEXT, "対応状況")})
    delivery = read.triage(db(), _worker(), message_id, data)
    return jsonify(mailbox_json.own_delivery(delivery, jp.today()))


@bp.post("/messages/<int:message_id>/feedback")
def send_feedback(message_id: int) -> Response:
    """Answer a received case message with structured feedback, consent-checked back."""
    data = _idempotent(json_object(requests.FEEDBACK_FIELDS))
    sent = requests.send_feedback(db(), _worker(), message_id, data)
    return _answer(sent.message, sent.replayed)


@bp.post("/messages/<int:message_id>/decline")
def decline_request(message_id: int) -> Response:
    """Decline a sharing request with a reason."""
    data = json_object(["reason"])
    delivery = requests.decline(db(), _worker(), message_id, data.get("reason"))
    return jsonify(mailbox_json.own_delivery(delivery, jp.today()))


@bp.post("/messages/<int:message_id>/approve")
def approve_message(message_id: int) -> Response:
    """承認 (managers): check consent again today and deliver."""
    data = _optional_body(["comment"])
    return jsonify(
        mailbox_json.sent_copy(approval.approve(db(), _worker(), message_id, data.get("comment")))
    )


@bp.post("/messages/<int:message_id>/return")
def return_message(message_id: int) -> Response:
    """差戻し (managers) with a comment: the message is never delivered."""
    data = json_object(["comment"])
    message = approval.return_to_sender(db(), _worker(), message_id, data.get("comment"))
    return jsonify(mailbox_json.sent_copy(message))


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
    sent = requests.request_sharing(db(), user, case_id, data)
    return _answer(sent.message, sent.replayed)


@bp.get("/cases/<int:case_id>/timeline")
def case_timeline(case_id: int) -> Response:
    """Every exchange of the case the department sent or received, oldest first."""
    query_args([])
    user = case_worker("mailbox.timeline", case_id)
    today = jp.today()
    rows = inbox.timeline(db(), user, case_id)
    mailbox_json.preload_users(d for m, own in rows for d in ([own] if own else m.deliveries))
    return jsonify(items=[mailbox_json.timeline_item(m, d, today) for m, d in rows])


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
    options = checks.recipient_options(db(), user, case, wanted)
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
        items=[mailbox_json.notification(n) for n in items],
        unread=notify.unread_count(db(), user.id),
    )


@bp.post("/notifications/read")
def read_notifications() -> Response:
    """Mark one notification (``id``) or all of them read."""
    data = json_object(["id"])
    require_types(data, {"id": (ID, "通知")})
    user = _worker()
    marked = notify.mark_read(db(), user.id, data.get("id"))
    return jsonify(marked=marked, unread=notify.unread_count(db(), user.id))
