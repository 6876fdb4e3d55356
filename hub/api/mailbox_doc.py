"""The OpenAPI paths and schemas of the mailbox routes (hub/api/mailbox.py).

They are added to ``openapi.PATHS``, ``openapi.PARAMETERS`` and ``schemas.SCHEMAS`` when this
module is imported (hub/api/__init__.py imports it with the routes).
"""

from __future__ import annotations

from typing import Any

from hub.api.consents_doc import CATEGORIES, CATEGORY, DATE, MAYBE_DATE
from hub.api.openapi import MAILBOX as TAG
from hub.api.openapi import PARAMETERS, PATHS, op
from hub.api.schemas import ID, IDS, KIND, MAYBE_TIMESTAMP, SCHEMAS, TIMESTAMP, Schema, obj, ref
from hub.api.schemas import text as text_of
from hub.mailbox import compose
from hub.mailbox.models import (
    DeliveryState,
    DocumentKind,
    MessageKind,
    MessageStatus,
    NotificationKind,
    WorkStatus,
)


def _enum(values: Any, description: str, *, nullable: bool = False) -> Schema:
    schema: Schema = {"type": "string", "enum": [v.value for v in values]}
    if nullable:
        schema = {"type": ["string", "null"], "enum": [*schema["enum"], None]}
    return {**schema, "description": description}


def _labels(values: Any) -> str:
    return " / ".join(f"{v.value}: {v.label}" for v in values)


def _maybe(schema: Schema) -> Schema:
    return {"oneOf": [schema, {"type": "null"}]}


STRING: Schema = {"type": "string"}
MAYBE_STRING: Schema = {"type": ["string", "null"]}
MAYBE_ID: Schema = {"type": ["integer", "null"], "minimum": 1}
MAYBE_INT: Schema = {"type": ["integer", "null"]}
USER_REF = obj({"id": ID, "display_name": STRING})
MAYBE_USER = _maybe(USER_REF)
DEPARTMENT = ref("DepartmentRef")
MESSAGE_KIND = _enum(MessageKind, _labels(MessageKind))
MESSAGE_STATUS = _enum(MessageStatus, _labels(MessageStatus))
STATE = _enum(DeliveryState, "delivered: 配信済み / recalled: 取消し（同意の範囲外となった）")
WORK_STATUS = _enum(WorkStatus, _labels(WorkStatus))
CURSOR: Schema = {
    "type": ["string", "null"],
    "description": "次のページの指定（応答の next_cursor をそのまま渡す）。最後のページでは null",
}
_TOMBSTONE = {
    "recalled_at": MAYBE_TIMESTAMP,
    "recalled_on": {**MAYBE_DATE, "description": "同意の範囲外となった日"},
    "recall_reason": {**MAYBE_STRING, "description": "取消しの理由（個人情報を含まない）"},
}
_RECEIPT = {
    "department": DEPARTMENT,
    "state": STATE,
    "delivered_at": TIMESTAMP,
    "opened_at": {**MAYBE_TIMESTAMP, "description": "受信所管で最初に開いた日時"},
    "opened_by": MAYBE_USER,
    "acknowledged_at": {**MAYBE_TIMESTAMP, "description": "確認しました"},
    "acknowledged_by": MAYBE_USER,
    "feedback_due": MAYBE_DATE,
    "feedback_received_at": MAYBE_TIMESTAMP,
    "feedback_message_id": MAYBE_ID,
    "declined_at": MAYBE_TIMESTAMP,
    "decline_reason": MAYBE_STRING,
    **_TOMBSTONE,
}
_DAYS_LEFT = {**MAYBE_INT, "description": "回答期限までの日数（負は超過）。回答済み・取消しは null"}
_TRIAGE = {"work_status": WORK_STATUS, "assignee": MAYBE_USER}
_HEAD = {
    "id": ID,
    "kind": MESSAGE_KIND,
    "status": MESSAGE_STATUS,
    "case_id": MAYBE_ID,
    "sender_department": DEPARTMENT,
    "sender": USER_REF,
    "subject": STRING,
    "feedback_due": MAYBE_DATE,
    "thread_id": {**ID, "description": "スレッドの最初の連絡"},
    "parent_id": {**MAYBE_ID, "description": "返信・回答の元の連絡"},
    "created_at": TIMESTAMP,
    "sent_at": MAYBE_TIMESTAMP,
}
_FLAG: Schema = {"type": "boolean"}
_FILTERS = {
    "kind": MESSAGE_KIND,
    "case_id": ID,
    "due": {**_FLAG, "description": "回答を求められ、未回答のもの"},
    "overdue": {**_FLAG, "description": "回答期限を過ぎたもの"},
    "recalled": {**_FLAG, "description": "取り消されたもの"},
    "unread": {**_FLAG, "description": "未読のもの"},
    "status": WORK_STATUS,
    "mine": {**_FLAG, "description": "自分が担当者のもの"},
}
_CONSENT_MISSING_ROW = obj(
    {
        "department_id": ID,
        "department": STRING,
        "category": {"oneOf": [CATEGORY, {"type": "null"}]},
        "category_label": STRING,
        "reason": {**STRING, "description": "足りないもの（日本語）"},
        "needed": {**STRING, "description": "送るために必要な同意"},
    }
)

SCHEMAS.update(
    {
        "ConsentRefusal": obj(
            {
                "error": obj(
                    {
                        "code": {"type": "string", "const": "consent_missing"},
                        "message": STRING,
                        "missing": {
                            "type": "array",
                            "items": _CONSENT_MISSING_ROW,
                            "minItems": 1,
                            "description": "宛先×情報の区分ごとの不足（何も送っていない）",
                        },
                    }
                )
            }
        ),
        "InboxItem": obj(
            {
                "message_id": ID,
                "kind": MESSAGE_KIND,
                "subject": {**MAYBE_STRING, "description": "取消し済みは null"},
                "sender_department": DEPARTMENT,
                "case_id": {**MAYBE_ID, "description": "取消し済み・ケースのないお知らせは null"},
                "delivered_at": TIMESTAMP,
                "read": _FLAG,
                "first_read_at": MAYBE_TIMESTAMP,
                "acknowledged_at": MAYBE_TIMESTAMP,
                "feedback_due": MAYBE_DATE,
                "days_left": _DAYS_LEFT,
                "feedback_received_at": MAYBE_TIMESTAMP,
                "declined_at": MAYBE_TIMESTAMP,
                "state": STATE,
                **_TOMBSTONE,
                **_TRIAGE,
            }
        ),
        "InboxPage": obj(
            {"items": {"type": "array", "items": ref("InboxItem")}, "next_cursor": CURSOR}
        ),
        "InboxList": obj({"items": {"type": "array", "items": ref("InboxItem")}}),
        "MailboxCounts": obj(
            {
                name: {"type": "integer", "minimum": 0, "description": label}
                for name, label in (
                    ("unread", "未読"),
                    ("owed", "自所管が回答すべきもの"),
                    ("overdue", "そのうち期限超過"),
                    ("approvals", "承認待ち（管理職のみ、他は0）"),
                    ("notifications", "未読の通知"),
                )
            }
        ),
        "Receipt": obj(_RECEIPT),
        "OwnDelivery": obj({"message_id": ID, **_RECEIPT, "days_left": _DAYS_LEFT, **_TRIAGE}),
        "MessageDocument": obj(
            {
                "id": ID,
                "kind": _enum(DocumentKind, _labels(DocumentKind)),
                "title": STRING,
                "categories": {"type": "array", "items": CATEGORY},
                "sha256": STRING,
                "content": {
                    "type": ["object", "null"],
                    "description": "構造化された内容（共有した項目だけのシート、フィードバック等）",
                },
                "file": _maybe(
                    obj(
                        {
                            "name": STRING,
                            "content_type": STRING,
                            "size": {"type": "integer", "minimum": 0},
                        }
                    )
                ),
                "url": {**STRING, "description": "この資料を取得するURL"},
            }
        ),
        "Message": obj(
            {
                **_HEAD,
                "recalled": {"type": "boolean", "const": False},
                "role": {"type": "string", "enum": ["sender", "recipient"]},
                "body": {**STRING, "description": "本文（プレーンテキスト）"},
                "categories": {"type": "array", "items": CATEGORY},
                "documents": {"type": "array", "items": ref("MessageDocument")},
                "approval": _maybe(
                    obj(
                        {
                            "approved_by": MAYBE_USER,
                            "comment": STRING,
                            "decided_at": MAYBE_TIMESTAMP,
                        }
                    )
                ),
                "recipients": {
                    "type": ["array", "null"],
                    "items": DEPARTMENT,
                    "description": "送信元のみ: 宛先",
                },
                "receipts": {
                    "type": ["array", "null"],
                    "items": ref("Receipt"),
                    "description": "送信元のみ: 宛先ごとの配信・開封・確認・回答・取消し",
                },
                "delivery": {
                    "oneOf": [ref("OwnDelivery"), {"type": "null"}],
                    "description": "受信側のみ: 自所管の受信の状態",
                },
            }
        ),
        "MessageTombstone": obj(
            {
                "id": ID,
                "recalled": {"type": "boolean", "const": True},
                "tombstone": {**STRING, "description": "取消しの表示（内容は返さない）"},
                "sender_department": DEPARTMENT,
                "delivered_at": TIMESTAMP,
                **_TOMBSTONE,
            }
        ),
        "MessageView": {"oneOf": [ref("Message"), ref("MessageTombstone")]},
        "SentItem": obj(
            {
                **_HEAD,
                "recipients": {"type": "array", "items": DEPARTMENT},
                "receipts": {"type": "array", "items": ref("Receipt")},
            }
        ),
        "SentPage": obj(
            {"items": {"type": "array", "items": ref("SentItem")}, "next_cursor": CURSOR}
        ),
        "OutgoingList": obj(
            {
                "items": {
                    "type": "array",
                    "items": obj(
                        {
                            "message_id": ID,
                            "kind": MESSAGE_KIND,
                            "subject": STRING,
                            "case_id": MAYBE_ID,
                            "days_left": _DAYS_LEFT,
                            **_RECEIPT,
                        }
                    ),
                }
            }
        ),
        "Timeline": obj(
            {
                "items": {
                    "type": "array",
                    "items": obj(
                        {
                            "message_id": ID,
                            "direction": {"type": "string", "enum": ["sent", "received"]},
                            "kind": MESSAGE_KIND,
                            "subject": {**MAYBE_STRING, "description": "取消し済みは null"},
                            "sender_department": DEPARTMENT,
                            "status": MESSAGE_STATUS,
                            "at": TIMESTAMP,
                            "recalled": _FLAG,
                            "tombstone": MAYBE_STRING,
                            "receipts": {"type": ["array", "null"], "items": ref("Receipt")},
                            "delivery": {"oneOf": [ref("OwnDelivery"), {"type": "null"}]},
                        }
                    ),
                }
            }
        ),
        "RecipientOptions": obj(
            {
                "items": {
                    "type": "array",
                    "items": obj(
                        {
                            "department_id": ID,
                            "name": STRING,
                            "kind": KIND,
                            "allowed": _FLAG,
                            "reasons": {
                                "type": "array",
                                "items": STRING,
                                "description": "宛先にできない理由（日本語）",
                            },
                        }
                    ),
                }
            }
        ),
        "NotificationList": obj(
            {
                "items": {
                    "type": "array",
                    "items": obj(
                        {
                            "id": ID,
                            "kind": _enum(NotificationKind, _labels(NotificationKind)),
                            "kind_label": STRING,
                            "message_id": MAYBE_ID,
                            "text": {**STRING, "description": "個人情報を含まない通知文"},
                            "created_at": TIMESTAMP,
                            "read_at": MAYBE_TIMESTAMP,
                        }
                    ),
                },
                "unread": {"type": "integer", "minimum": 0},
            }
        ),
        "NotificationsRead": obj(
            {"marked": {"type": "integer", "minimum": 0}, "unread": {"type": "integer"}}
        ),
        # Request bodies
        "MessageInput": obj(
            {
                "kind": {"type": "string", "enum": ["share", "notice"]},
                "case_id": {**ID, "description": "情報共有は必須。お知らせは省略可"},
                "recipient_ids": {**IDS, "description": "宛先の所管課（返信では省略可）"},
                "subject": text_of(compose.SUBJECT_MAX, "件名"),
                "body": text_of(compose.BODY_MAX, "本文（プレーンテキスト）"),
                "feedback_due": {**DATE, "description": "回答期限"},
                "body_categories": {**CATEGORIES, "description": "本文に含む情報の区分"},
                "sheet_version": {**ID, "description": "共有するヒアリングシートの版"},
                "sheet_categories": {
                    **CATEGORIES,
                    "description": "共有する項目（省略: 全記入項目）",
                },
                "consent_id": {**ID, "description": "添付する同意書"},
                "policy": obj(
                    {
                        "pattern": {"type": "string", "enum": sorted(compose.PATTERNS)},
                        "stop_execution": _FLAG,
                        "note": text_of(2000),
                    },
                    required=["pattern"],
                    description="徴収可否の判断・今後の方針",
                ),
                "attachment_categories": {**CATEGORIES, "description": "添付ファイルに含む区分"},
                "attachments": {
                    "type": "array",
                    "maxItems": compose.MAX_ATTACHMENTS,
                    "items": obj(
                        {
                            "filename": text_of(200),
                            "content_base64": {"type": "string", "contentEncoding": "base64"},
                        }
                    ),
                },
                "parent_id": {**ID, "description": "返信先の連絡"},
                "idempotency_key": {
                    "type": "string",
                    "pattern": "^[A-Za-z0-9_-]{8,64}$",
                    "description": "送信キー（Idempotency-Key ヘッダーでも可）",
                },
            },
            required=["subject"],
        ),
        "FeedbackInput": obj(
            {
                "done": text_of(4000, "実施した支援・対応"),
                "support_status": {"type": "string", "enum": sorted(compose.SUPPORT_STATUSES)},
                "debt_status": {"type": "string", "enum": sorted(compose.DEBT_STATUSES)},
                "debt_note": text_of(2000, "民間債権の支払状況（詳細）"),
                "next_steps": text_of(2000, "今後の予定"),
                "free_text": text_of(4000, "その他"),
                "subject": text_of(compose.SUBJECT_MAX, "件名（省略: フィードバック: 元の件名）"),
                "body": text_of(compose.BODY_MAX),
                "idempotency_key": {"type": "string", "pattern": "^[A-Za-z0-9_-]{8,64}$"},
            },
            required=["done", "support_status"],
        ),
        "CaseSharingRequestInput": obj(
            {
                "department_ids": {**IDS, "minItems": 1, "description": "依頼先（公債権所管）"},
                "categories": CATEGORIES,
                "note": text_of(2000, "依頼の内容"),
                "subject": text_of(compose.SUBJECT_MAX),
                "feedback_due": {**DATE, "description": "回答期限"},
                "idempotency_key": {"type": "string", "pattern": "^[A-Za-z0-9_-]{8,64}$"},
            },
            required=["department_ids", "categories"],
        ),
        "TriageInput": obj(
            {
                "assignee_id": {**MAYBE_ID, "description": "担当者（null で解除）"},
                "work_status": WORK_STATUS,
            },
            required=[],
        ),
        "DeclineInput": obj({"reason": text_of(1000, "辞退の理由")}),
        "ApprovalInput": obj({"comment": text_of(2000)}, required=[]),
        "ReturnInput": obj({"comment": text_of(2000, "差戻しの理由")}),
        "EmptyInput": obj({}, required=[]),
        "InboxSearch": obj(
            {
                "q": text_of(100, "件名・本文・対象者の氏名・カナ・宛名番号（すべての語を含む）"),
                **_FILTERS,
                "cursor": CURSOR,
                "limit": {"type": "integer", "minimum": 1, "maximum": 200},
            },
            required=[],
        ),
        "NotificationReadInput": obj({"id": {**ID, "description": "省略: すべて"}}, required=[]),
    }
)


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
for _name, _schema in _FILTERS.items():
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
_INBOX_PARAMS = tuple(f"mailbox_{n}" for n in (*_FILTERS, "cursor", "limit"))
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
