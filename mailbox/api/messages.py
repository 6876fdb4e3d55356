"""Send a message, open it, and fetch its documents."""

from __future__ import annotations

from flask import Response, url_for

from hub import jp
from hub.api.auth import MAX_BODY_BYTES, api_user, body_limit
from hub.api.blueprint import errors
from hub.api.models import DocumentPath, MessagePath, respond
from hub.mailbox import read, send
from hub.mailbox.api import bp
from hub.mailbox.api.lists import load_people
from hub.mailbox.api.schemas import (
    KeyHeader,
    MessageDocumentOut,
    MessageInput,
    MessageOut,
    MessageView,
    NoQuery,
    SendConflict,
    with_key,
)
from hub.mailbox.models import Message
from hub.web import db, send_stored

#: Sends answer 201 with the new message, 200 with the first one when the key was used before.
SENT = {200: MessageOut, 201: MessageOut, 409: SendConflict, **errors(403, 404)}
SEND = (
    "（同じ送信キーの再送は 200 で最初の連絡を返し、新たには送らない。宛先×情報の区分の"
    "どれかが同意の範囲外なら 409 で何も送らず、error.missing に不足を返す）"
)


def sender_copy(message: Message) -> MessageOut:
    """The sender department's copy of a message it just sent or decided on."""
    # Deliveries were written beside the message, not through its collection: read them fresh.
    db().expire(message, ["deliveries"])
    load_people(message.deliveries)
    view = read.MessageView(message, None, None, list(message.documents))
    return MessageOut.of(view, jp.today())


def answer_sent(sent: send.Sent) -> Response:
    """201 with the new message (and where to read it), or 200 with the one sent before."""
    body = sender_copy(sent.message)
    if sent.replayed:
        return respond(body)
    return respond(body, 201, url_for("mailbox_api.show_message", message_id=body.id))


#: Attachments travel base64-encoded in the body (4 bytes for every 3): a send may be larger.
LARGER = (
    "本文は添付ファイルを含めて、アップロードの上限（Base64 で4/3倍）に 1 MiB を足した"
    "大きさまで（ほかの本文は 1 MiB まで）。"
)


@bp.post(
    "/messages",
    responses=SENT,
    description="連絡の送信（情報共有・お知らせ・返信）" + SEND + LARGER,
)
@body_limit(lambda cfg: MAX_BODY_BYTES + cfg.upload_max_bytes * 4 // 3)
def send_message(header: KeyHeader, body: MessageInput) -> Response:
    """Send a share or notice after checking consent (409 lists what is missing)."""
    data = with_key(body.model_dump(exclude_unset=True, mode="json"), header)
    data.pop("attachments", None)
    return answer_sent(send.send(db(), api_user(), data, body.uploads()))


@bp.get(
    "/messages/<int:message_id>",
    responses={200: MessageView, **errors(403, 404)},
    description="連絡を開く（受信側は開封を記録し、その日の同意を確認。範囲外なら取消しの表示）",
)
def show_message(path: MessagePath, query: NoQuery) -> Response:
    """Open a message: the sender's copy, a recipient's (first open recorded) or a tombstone."""
    today = jp.today()
    view = read.open_message(db(), api_user(), path.message_id, today=today)
    if view.is_sender:
        load_people(view.message.deliveries)
    return respond(MessageView.of(view, today))


@bp.get(
    "/messages/<int:message_id>/documents/<int:document_id>",
    responses={200: MessageDocumentOut, **errors(403, 404, 409)},
    description="連絡の資料: 構造化された資料は JSON、ファイルは本体（Content-Disposition: "
    "attachment）。同意の範囲外となった（取消し）資料は 409",
)
def show_message_document(path: DocumentPath, query: NoQuery) -> Response:
    """Return a document of a message: structured JSON, or the file (409 once recalled)."""
    found, _none = read.open_document(
        db(), api_user(), path.message_id, path.document_id, read_file=False
    )
    if found.stored_file is None:
        return respond(MessageDocumentOut.of(found, path.message_id))
    # Streamed from a temporary file when large (a case packet can be tens of MB).
    return send_stored(db(), found.stored_file)
