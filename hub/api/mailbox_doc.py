"""The OpenAPI paths of the mailbox routes (hub/api/mailbox.py); schemas: mailbox_schemas.py.

They are added to ``openapi.PATHS`` and ``openapi.PARAMETERS`` when this module is imported
(hub/api/__init__.py imports it with the routes).
"""

from __future__ import annotations

from typing import Any

from hub.api.mailbox_schemas import (
    FILTERS,
    MESSAGE_KIND,
    STRING,
    WORK_STATUS,
)
from hub.api.openapi import MAILBOX as TAG
from hub.api.openapi import PARAMETERS, PATHS, op
from hub.api.schemas import ID, Schema, ref


def _query(name: str, schema: Schema, description: str, *, required: bool = False) -> None:
    PARAMETERS[f"mailbox_{name}"] = {
        "name": name,
        "in": "query",
        "required": required,
        "schema": schema,
        "description": description,
    }


PARAMETERS["message_id"] = {
    "name": "message_id",
    "in": "path",
    "required": True,
    "description": "連絡のID（連絡番号）",
    "schema": {"type": "integer", "minimum": 1},
}
PARAMETERS["document_id"] = {
    "name": "document_id",
    "in": "path",
    "required": True,
    "description": "連絡に含まれる資料のID",
    "schema": {"type": "integer", "minimum": 1},
}
_query("kind", MESSAGE_KIND, "連絡の種類")
_query("case_id", ID, "ケース")
_FLAG_QUERY: Schema = {"type": "string", "enum": ["0", "1", "true", "false"]}
for _name, _schema in FILTERS.items():
    if _schema.get("type") == "boolean":
        _query(_name, _FLAG_QUERY, _schema["description"])
_query("status", WORK_STATUS, "対応状況")
_query("cursor", STRING, "次のページの指定（応答の next_cursor）")
_query("limit", {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}, "件数")
_query("days", {"type": "integer", "minimum": 1, "maximum": 60}, "日数（省略: 設定値）")
_query(
    "categories",
    {"type": "string", "pattern": "^[a-z_]+(,[a-z_]+)*$"},
    "送る情報の区分（カンマ区切り。省略: 区分なしの連絡）",
)

_M = ("message_id",)
_INBOX_PARAMS = tuple(f"mailbox_{n}" for n in (*FILTERS, "cursor", "limit"))
_SENDS = ("send_message", "send_feedback", "request_sharing", "approve_message")


def _optional_body(operation: dict[str, Any], schema: str) -> dict[str, Any]:
    operation["requestBody"] = {
        "required": False,
        "content": {"application/json": {"schema": ref(schema)}},
    }
    for code, name in (("400", "BadRequest"), ("413", "TooLarge")):
        operation["responses"][code] = {"$ref": f"#/components/responses/{name}"}
    return operation


def _document_op() -> dict[str, Any]:
    operation = op(
        "show_message_document",
        TAG,
        "連絡の資料: 構造化された資料は JSON、ファイルは本体（Content-Disposition: attachment）。"
        "同意の範囲外となった（取消し）資料は 409",
        "MessageDocument",
        params=("message_id", "document_id"),
        errors=(403, 404, 409),
    )
    operation["responses"]["200"]["content"]["application/octet-stream"] = {
        "schema": {"type": "string", "contentMediaType": "application/octet-stream"}
    }
    return operation


PATHS.update(
    {
        "/mailbox/inbox": {
            "get": op(
                "inbox_page",
                TAG,
                "受信箱: 未読が先、新しい順。cursor で次のページ（検索は POST /mailbox/search）",
                "InboxPage",
                params=_INBOX_PARAMS,
                errors=(400, 403),
            )
        },
        "/mailbox/search": {
            "post": op(
                "search_inbox",
                TAG,
                "受信箱の検索（検索語は本文で送る）",
                "InboxPage",
                body="InboxSearch",
                errors=(403,),
            )
        },
        "/mailbox/counts": {
            "get": op(
                "mailbox_counts",
                TAG,
                "件数（未読・要回答・期限超過・承認待ち・通知）",
                "MailboxCounts",
                errors=(400, 403),
            )
        },
        "/mailbox/sent": {
            "get": op(
                "sent_box",
                TAG,
                "送信箱: 新しい順、宛先ごとの受領状況つき",
                "SentPage",
                params=("mailbox_cursor", "mailbox_limit"),
                errors=(400, 403),
            )
        },
        "/mailbox/owed": {
            "get": op(
                "owed",
                TAG,
                "自所管が回答すべき連絡（期限の早い順）",
                "InboxList",
                errors=(400, 403),
            )
        },
        "/mailbox/open-requests": {
            "get": op(
                "open_requests",
                TAG,
                "自所管が回答を待っている連絡（宛先ごと）",
                "OutgoingList",
                errors=(400, 403),
            )
        },
        "/mailbox/unopened": {
            "get": op(
                "unopened",
                TAG,
                "送った連絡のうち、宛先で誰も開いていないもの（days 日以上）",
                "OutgoingList",
                params=("mailbox_days",),
                errors=(400, 403),
            )
        },
        "/messages": {
            "post": op(
                "send_message",
                TAG,
                "連絡の送信（情報共有・お知らせ）。宛先×区分のどれかが同意の範囲外なら 409 で"
                "何も送らない。同じ送信キーの再送は 200 で最初の連絡を返す",
                "Message",
                status=201,
                body="MessageInput",
                errors=(403, 404, 409),
            )
        },
        "/messages/{message_id}": {
            "get": op(
                "show_message",
                TAG,
                "連絡を開く（受信側は開封を記録し、その日の同意を確認。範囲外なら取消しの表示）",
                "MessageView",
                params=_M,
                errors=(400, 403, 404),
            )
        },
        "/messages/{message_id}/documents/{document_id}": {"get": _document_op()},
        "/messages/{message_id}/acknowledge": {
            "post": _optional_body(
                op(
                    "acknowledge_message",
                    TAG,
                    "確認しました（受信側）",
                    "OwnDelivery",
                    params=_M,
                    errors=(403, 404, 409),
                ),
                "EmptyInput",
            )
        },
        "/messages/{message_id}/triage": {
            "post": op(
                "triage_message",
                TAG,
                "担当者・対応状況（未対応→対応中→完了）の設定（受信側）",
                "OwnDelivery",
                body="TriageInput",
                params=_M,
                errors=(403, 404, 409),
            )
        },
        "/messages/{message_id}/feedback": {
            "post": op(
                "send_feedback",
                TAG,
                "フィードバックの送信（送信元へ。その向きの同意を確認）",
                "Message",
                status=201,
                body="FeedbackInput",
                params=_M,
                errors=(403, 404, 409),
            )
        },
        "/messages/{message_id}/decline": {
            "post": op(
                "decline_request",
                TAG,
                "情報共有の依頼を理由を付けて辞退",
                "OwnDelivery",
                body="DeclineInput",
                params=_M,
                errors=(403, 404, 409),
            )
        },
        "/messages/{message_id}/approve": {
            "post": _optional_body(
                op(
                    "approve_message",
                    TAG,
                    "承認（管理職）: その日の同意を確認して送信",
                    "Message",
                    params=_M,
                    errors=(403, 404, 409),
                ),
                "ApprovalInput",
            )
        },
        "/messages/{message_id}/return": {
            "post": op(
                "return_message",
                TAG,
                "差戻し（管理職）: コメント必須。送信されない",
                "Message",
                body="ReturnInput",
                params=_M,
                errors=(403, 404, 409),
            )
        },
        "/cases/{case_id}/sharing-requests": {
            "post": op(
                "request_sharing",
                TAG,
                "情報共有の依頼を連絡として送る（依頼先→自所管の同意を確認。範囲外は 409）",
                "Message",
                status=201,
                body="CaseSharingRequestInput",
                params=("case_id",),
                errors=(403, 404, 409),
            )
        },
        "/cases/{case_id}/timeline": {
            "get": op(
                "case_timeline",
                TAG,
                "ケースのやりとり（送受信とも、古い順。取消し済みは表示のみ）",
                "Timeline",
                params=("case_id",),
                errors=(400, 403, 404),
            )
        },
        "/cases/{case_id}/recipient-options": {
            "get": op(
                "recipient_options",
                TAG,
                "宛先の候補: 同意の範囲で送れるか、送れない理由",
                "RecipientOptions",
                params=("case_id", "mailbox_categories"),
                errors=(400, 403, 404),
            )
        },
        "/notifications": {
            "get": op(
                "list_notifications", TAG, "通知（新しい順）", "NotificationList", errors=(400, 403)
            )
        },
        "/notifications/read": {
            "post": op(
                "read_notifications",
                TAG,
                "通知を既読にする（id 省略: すべて）",
                "NotificationsRead",
                body="NotificationReadInput",
                errors=(403,),
            )
        },
    }
)

# A refused send answers 409 with what is missing per recipient × category; a send repeated
# with the same idempotency key answers 200 with the first message.
for _path, _item in PATHS.items():
    for _operation in _item.values():
        if _operation["operationId"] in _SENDS[:3]:
            _operation["responses"]["200"] = {
                "description": "同じ送信キーの再送: 最初の連絡（新たには送らない）",
                "content": _operation["responses"]["201"]["content"],
            }
        if _operation["operationId"] in _SENDS:
            _operation["responses"]["409"] = {
                "description": "同意の範囲外（`consent_missing`、`error.missing` に宛先×区分ごとの"
                "不足）、承認待ちでない（`not_pending`）など",
                "content": {
                    "application/json": {"schema": {"anyOf": [ref("Error"), ref("ConsentRefusal")]}}
                },
            }
