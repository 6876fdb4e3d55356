"""The OpenAPI schemas of the mailbox (hub/api/mailbox.py); the paths are in mailbox_doc.py.

Importing this module adds them to ``schemas.SCHEMAS``.
"""

from __future__ import annotations

from typing import Any

from hub.api.consents_doc import CATEGORIES, CATEGORY, DATE, MAYBE_DATE
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
_DAYS_LEFT = {
    **MAYBE_INT,
    "description": "回答期限までの開庁日数（土日・祝日・年末年始を除く。期限が閉庁日なら次の"
    "開庁日まで。負は超過）。回答済み・取消しは null",
}
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
FILTERS = {
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
                **FILTERS,
                "cursor": CURSOR,
                "limit": {"type": "integer", "minimum": 1, "maximum": 200},
            },
            required=[],
        ),
        "NotificationReadInput": obj({"id": {**ID, "description": "省略: すべて"}}, required=[]),
    }
)
