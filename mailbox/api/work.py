"""Work on a message: acknowledge, triage, answer or decline it as a recipient; approve or
return it as the sender department's manager."""

from __future__ import annotations

from flask import Response

from hub import jp
from hub.api.auth import api_user
from hub.api.blueprint import errors
from hub.api.models import MessagePath, respond
from hub.mailbox import approval, read, sharing_requests
from hub.mailbox.api import bp
from hub.mailbox.api.messages import SEND, SENT, answer_sent, sender_copy
from hub.mailbox.api.schemas import (
    AcknowledgeInput,
    ApprovalInput,
    DeclineInput,
    FeedbackInput,
    KeyHeader,
    MessageOut,
    OwnDelivery,
    ReturnInput,
    SendConflict,
    TriageInput,
    with_key,
)
from hub.web import db

#: The recipient's answers: its own delivery, or 409 (sender, recalled, answered …).
OWN = {200: OwnDelivery, **errors(403, 404, 409)}


@bp.post(
    "/messages/<int:message_id>/acknowledge",
    responses=OWN,
    description="確認しました（受信側。本文は省略可）",
)
def acknowledge_message(path: MessagePath, body: AcknowledgeInput) -> Response:
    """Record the department's acknowledgement (確認しました, once)."""
    today = jp.today()
    delivery = read.acknowledge(db(), api_user(), path.message_id, today=today)
    return respond(OwnDelivery.of(delivery, today))


@bp.post(
    "/messages/<int:message_id>/triage",
    responses=OWN,
    description="担当者・対応状況（未対応→対応中→完了）の設定（受信側）",
)
def triage_message(path: MessagePath, body: TriageInput) -> Response:
    """Assign the delivery to someone of the department and/or set its work status."""
    data = body.model_dump(exclude_unset=True, mode="json")
    delivery = read.triage(db(), api_user(), path.message_id, data)
    return respond(OwnDelivery.of(delivery, jp.today()))


@bp.post(
    "/messages/<int:message_id>/feedback",
    responses=SENT,
    description="フィードバックの送信（送信元へ。その向きの同意を確認）" + SEND,
)
def send_feedback(path: MessagePath, header: KeyHeader, body: FeedbackInput) -> Response:
    """Answer a received case message with structured feedback, consent-checked back."""
    data = with_key(body.model_dump(exclude_unset=True, mode="json"), header)
    return answer_sent(sharing_requests.send_feedback(db(), api_user(), path.message_id, data))


@bp.post(
    "/messages/<int:message_id>/decline",
    responses=OWN,
    description="情報共有の依頼を理由を付けて辞退",
)
def decline_request(path: MessagePath, body: DeclineInput) -> Response:
    """Decline a sharing request with a reason."""
    delivery = sharing_requests.decline(db(), api_user(), path.message_id, body.reason)
    return respond(OwnDelivery.of(delivery, jp.today()))


@bp.post(
    "/messages/<int:message_id>/approve",
    responses={200: MessageOut, 409: SendConflict, **errors(403, 404)},
    description="承認（管理職）: その日の同意を確認して送信（範囲外なら 409、承認待ちのまま）",
)
def approve_message(path: MessagePath, body: ApprovalInput) -> Response:
    """Approve a held share (managers): check consent again today and deliver."""
    message = approval.approve(db(), api_user(), path.message_id, body.comment or "")
    return respond(sender_copy(message))


@bp.post(
    "/messages/<int:message_id>/return",
    responses={200: MessageOut, **errors(403, 404, 409)},
    description="差戻し（管理職）: 理由は必須。送信されない",
)
def return_message(path: MessagePath, body: ReturnInput) -> Response:
    """Return a held share to its author (差戻し, managers) with a comment: never delivered."""
    message = approval.return_to_sender(db(), api_user(), path.message_id, body.comment)
    return respond(sender_copy(message))
