"""A message to send (with its sending key and files), a message as opened, a tombstone,
and the refusal of a send the consent does not cover.
"""

from __future__ import annotations

import base64
import binascii
from datetime import date
from typing import Annotated, Any, Literal

from flask import url_for
from pydantic import ConfigDict, Field, RootModel, Strict

from hub.api.errors import Error
from hub.api.models import (
    Body,
    Day,
    DepartmentRef,
    Flag,
    Id,
    Int,
    Maybe,
    Out,
    PersonRef,
    SchemaOnce,
    Text,
    Timestamp,
    no_null_defaults,
)
from hub.documents.categories import InformationCategory
from hub.documents.render.policy import DECISIONS
from hub.errors import InvalidInput
from hub.mailbox import compose, read, send
from hub.mailbox.api.schemas.pieces import Categories, DueDate, SendingKey, choices, labels
from hub.mailbox.api.schemas.receipts import OwnDelivery, Recall, ReceiptOut
from hub.mailbox.compose import PolicyPattern, Upload
from hub.mailbox.models import DocumentKind, Message, MessageDocument, MessageKind, MessageStatus
from hub.mailbox.policy import MAX_CLAIMS


class KeyHeader(SchemaOnce):
    """The ``Idempotency-Key`` header (the body's ``idempotency_key`` does the same)."""

    # Other headers pass by (flask-openapi3 hands the model every header of the request).
    model_config = ConfigDict(json_schema_extra=no_null_defaults)

    # Checked by the service (send.idempotency_key), whose message names idempotency_key.
    idempotency_key: str | Maybe = Field(
        None,
        alias="Idempotency-Key",
        description="送信キー（英数字・-・_ の8〜64文字）。同じキーの再送は最初の連絡を 200 で"
        "返し、新たには送らない（本文の idempotency_key と同じ。両方なら同じ値）",
        json_schema_extra={"pattern": send.KEY_PATTERN},
    )


def with_key(data: dict[str, Any], header: KeyHeader) -> dict[str, Any]:
    """The body's values with the sending key of the header or the body (the same if both)."""
    key = send.idempotency_key(header.idempotency_key)
    body_key = data.get("idempotency_key")
    if key is not None and body_key is not None and body_key != key:
        raise InvalidInput(
            fields={"idempotency_key": "Idempotency-Key ヘッダーと本文の送信キーが異なります。"}
        )
    return data if key is None else {**data, "idempotency_key": key}


Month = Annotated[
    str, Strict(), Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")
]


class ClaimDecisionInput(Body):
    """One claim's decision: 納付計画, 徴収猶予, 換価の猶予, 執行停止 or 継続."""

    claim_type_id: Id = Field(title="債権")
    # The decisions are the policy form's own list; mypy cannot read a Literal built from it.
    decision: Literal[tuple(DECISIONS)] = Field(  # type: ignore[valid-type]
        title="判断", description=choices(DECISIONS)
    )
    monthly: Int | Maybe = Field(None, ge=0, title="月額", description="円")
    months: Int | Maybe = Field(None, ge=1, le=120, title="回数")
    start: Month | Maybe = Field(None, title="開始月")
    until: Month | Maybe = Field(None, title="終了月")
    note: Text | Maybe = Field(None, max_length=200, title="備考")


class PolicyInput(Body):
    """徴収可否の判断・今後の方針 (carries collection_decision)."""

    pattern: PolicyPattern = Field(title="方針", description=choices(compose.PATTERNS))
    stop_execution: Flag | Maybe = Field(None, title="執行停止")
    note: Text | Maybe = Field(None, max_length=2000, title="方針の説明")
    claims: Annotated[list[ClaimDecisionInput], Field(max_length=MAX_CLAIMS)] | Maybe = Field(
        None, title="債権ごとの判断", description="債権（claim_type_id）ごとに1件まで"
    )


class AttachmentInput(Body):
    filename: Text = Field(min_length=1, max_length=200, title="ファイル名")
    content_base64: Annotated[str, Strict()] = Field(
        title="添付ファイル", json_schema_extra={"contentEncoding": "base64"}
    )

    def upload(self, number: int) -> Upload:
        """The file's bytes (checked by the storage on sending); 400 unless real Base64."""
        try:
            data = base64.b64decode(self.content_base64, validate=True)
        except (binascii.Error, ValueError):
            message = f"{number}件目の添付ファイルが正しいBase64ではありません。"
            raise InvalidInput(fields={"attachments": message}) from None
        if not data:
            raise InvalidInput(fields={"attachments": f"{number}件目の添付ファイルが空です。"})
        return Upload(self.filename.strip()[:200], data)


class MessageInput(Body):
    """A share (情報共有, about a case) or a notice (お知らせ), or a reply (parent_id)."""

    kind: Literal["share", "notice"] = Field(title="連絡の種類", description="share / notice")
    case_id: Id | Maybe = Field(None, title="ケース", description="情報共有は必須")
    recipient_ids: Annotated[list[Id], Field(max_length=compose.MAX_RECIPIENTS)] | Maybe = Field(
        None, title="宛先", description="返信では省略可"
    )
    subject: Text = Field(max_length=compose.SUBJECT_MAX, title="件名")
    body: Text | Maybe = Field(None, max_length=compose.BODY_MAX, title="本文")
    feedback_due: DueDate | Maybe = Field(None, title="回答期限")
    body_categories: Categories | Maybe = Field(None, title="本文に含む情報の区分")
    sheet_version: Id | Maybe = Field(None, title="ヒアリングシートの版")
    sheet_categories: Categories | Maybe = Field(
        None, title="共有する項目", description="省略: 記入のある項目すべて"
    )
    consent_id: Id | Maybe = Field(None, title="同意書", description="添付する同意書")
    policy: PolicyInput | Maybe = Field(None, title="方針")
    attachment_categories: Categories | Maybe = Field(None, title="添付ファイルに含む情報の区分")
    attachments: (
        Annotated[list[AttachmentInput], Field(max_length=compose.MAX_ATTACHMENTS)] | Maybe
    ) = Field(None, title="添付ファイル")
    parent_id: Id | Maybe = Field(None, title="返信先", description="返信する連絡")
    idempotency_key: SendingKey | Maybe = Field(None, title="送信キー")

    def uploads(self) -> list[Upload]:
        return [a.upload(n) for n, a in enumerate(self.attachments or [], start=1)]


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
