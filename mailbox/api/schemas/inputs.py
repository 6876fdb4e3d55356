"""What the mailbox API reads: request bodies, query strings and the Idempotency-Key header.

Each is one model: it parses the request (strictly, with Japanese field messages through the
hub's validation hook) and is the OpenAPI document's schema. The services get the model's
values (``model_dump(exclude_unset=True, mode="json")``) and check the rules themselves.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any, Literal

from flask import request
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from hub.api.models import (
    Body,
    Flag,
    Id,
    Maybe,
    Query,
    SearchText,
    Text,
    no_null_defaults,
    whole_number,
)
from hub.documents.categories import InformationCategory
from hub.errors import InvalidInput
from hub.mailbox import compose, inbox, send
from hub.mailbox.compose import DebtStatus, PolicyPattern, SupportStatus, Upload
from hub.mailbox.models import MessageKind, WorkStatus
from hub.validation import MAX_ID


def labels(values: Any) -> str:
    """``share: 情報共有 / notice: お知らせ …`` for an enum's description."""
    return " / ".join(f"{v.value}: {v.label}" for v in values)


def _choices(values: dict[str, str]) -> str:
    return " / ".join(f"{key or '（空）'}: {label}" for key, label in values.items())


CURSOR_DESCRIPTION = (
    "次のページの指定: 前の応答の next_cursor をそのまま渡す（「順位.ID」、例 0.1234。"
    "順位は 0 未読・1 既読・2 取消し）"
)
KEY_DESCRIPTION = (
    "送信キー（英数字・-・_ の8〜64文字）。同じキーの再送は最初の連絡を 200 で返し、"
    "新たには送らない（Idempotency-Key ヘッダーでも可。両方なら同じ値）"
)
CATEGORY = "情報の区分: " + " / ".join(f"{c.value}: {c.label}" for c in InformationCategory)

#: The inbox cursor, as the services read it.
Cursor = Annotated[str, Strict(), Field(pattern=inbox.CURSOR_PATTERN)]
#: Rows per page.
Limit = Annotated[
    int, Field(strict=True, ge=1, le=inbox.MAX_PAGE_SIZE), BeforeValidator(whole_number)
]
SendingKey = Annotated[Text, Field(pattern=send.KEY_PATTERN, description=KEY_DESCRIPTION)]
Categories = Annotated[list[InformationCategory], Field(description=CATEGORY)]
#: A date the services read (2026-04-01; 令和8年4月1日 too).
DueDate = Annotated[Text, Field(max_length=40, description="YYYY-MM-DD（和暦も可）")]


# ------------------------------------------------------------------ query strings


def _query_int(value: Any) -> Any:
    """ASCII digits are a number (a query string has nothing else); the rest stays text."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 20:
        return int(value)
    return value


def _query_flag(value: Any) -> Any:
    if value in ("1", "true"):
        return True
    if value in ("0", "false"):
        return False
    # Described like a choice: 「未読の値が正しくありません（'1', '0', 'true', 'false'のいずれか）」
    expected = "'1', '0', 'true', 'false'"
    raise PydanticCustomError("literal_error", "1, 0, true or false", {"expected": expected})


#: Whole numbers in a query string (ASCII digits only): an id, rows per page, days.
QueryId = Annotated[int, Field(strict=True, ge=1, le=MAX_ID), BeforeValidator(_query_int)]
QueryLimit = Annotated[
    int, Field(strict=True, ge=1, le=inbox.MAX_PAGE_SIZE), BeforeValidator(_query_int)
]
QueryDays = Annotated[int, Field(strict=True, ge=1, le=60), BeforeValidator(_query_int)]
#: A yes/no filter in a query string: 1, 0, true or false (an empty value is refused).
QueryFlag = Annotated[
    bool,
    BeforeValidator(_query_flag),
    WithJsonSchema({"type": "string", "enum": ["1", "0", "true", "false"]}),
]

#: What each inbox filter means (the query string's and the search body's are the same).
KIND = {"title": "連絡の種類", "description": labels(MessageKind)}
CASE = {"title": "ケース", "description": "このケースの連絡だけ"}
DUE = {"title": "回答待ち", "description": "回答を求められ、まだ回答していないもの"}
OVERDUE = {"title": "期限超過", "description": "回答期限を過ぎたもの"}
RECALLED = {"title": "取消し", "description": "同意の範囲外となり取り消されたもの"}
UNREAD = {"title": "未読", "description": "未読のもの"}
STATUS = {"title": "対応状況", "description": labels(WorkStatus)}
MINE = {"title": "自分の担当", "description": "自分が担当者のもの"}
CURSOR = {"title": "ページの指定", "description": CURSOR_DESCRIPTION}
LIMIT = {"title": "件数", "description": "1〜200（省略: 50）"}


class InboxFilters:
    """The inbox filters, read the same way from a query string or a search body."""

    kind: MessageKind | None
    case_id: int | None
    due: bool | None
    overdue: bool | None
    recalled: bool | None
    unread: bool | None
    status: WorkStatus | None
    mine: bool | None

    def inbox_filter(self, q: str = "") -> inbox.InboxFilter:
        return inbox.InboxFilter(
            kind=self.kind,
            case_id=self.case_id,
            due=bool(self.due),
            overdue=bool(self.overdue),
            recalled=bool(self.recalled),
            unread=bool(self.unread),
            status=self.status,
            mine=bool(self.mine),
            q=q.strip(),
        )


class InboxQuery(Query, InboxFilters):
    """The inbox's filters and page (search words go in POST /mailbox/search, never a URL)."""

    kind: MessageKind | Maybe = Field(None, **KIND)
    case_id: QueryId | Maybe = Field(None, **CASE)
    due: QueryFlag | Maybe = Field(None, **DUE)
    overdue: QueryFlag | Maybe = Field(None, **OVERDUE)
    recalled: QueryFlag | Maybe = Field(None, **RECALLED)
    unread: QueryFlag | Maybe = Field(None, **UNREAD)
    status: WorkStatus | Maybe = Field(None, **STATUS)
    mine: QueryFlag | Maybe = Field(None, **MINE)
    cursor: Cursor | Maybe = Field(None, **CURSOR)
    limit: QueryLimit | Maybe = Field(None, **LIMIT)


class InboxSearch(Body, InboxFilters):
    """Search words and the inbox's filters, in the body (words never go in a URL)."""

    q: SearchText | Maybe = Field(
        None,
        title="検索語",
        description="件名・本文・対象者の氏名・カナ・宛名番号（空白で区切った語をすべて含む）",
    )
    kind: MessageKind | Maybe = Field(None, **KIND)
    case_id: Id | Maybe = Field(None, **CASE)
    due: Flag | Maybe = Field(None, **DUE)
    overdue: Flag | Maybe = Field(None, **OVERDUE)
    recalled: Flag | Maybe = Field(None, **RECALLED)
    unread: Flag | Maybe = Field(None, **UNREAD)
    status: WorkStatus | Maybe = Field(None, **STATUS)
    mine: Flag | Maybe = Field(None, **MINE)
    cursor: Cursor | Maybe = Field(None, **CURSOR)
    limit: Limit | Maybe = Field(None, **LIMIT)


class SentQuery(Query):
    cursor: Cursor | Maybe = Field(None, **CURSOR)
    limit: QueryLimit | Maybe = Field(None, **LIMIT)


class UnopenedQuery(Query):
    days: QueryDays | Maybe = Field(
        None, title="日数", description="送ってからの日数 1〜60（省略: 設定値）"
    )


def _known_categories(value: str) -> str:
    known = {c.value for c in InformationCategory}
    if any(c not in known for c in value.split(",")):
        raise PydanticCustomError("category", "情報の区分の値が正しくありません。")
    return value


class OptionsQuery(Query):
    categories: (
        Annotated[str, Field(pattern=r"^[a-z_]+(,[a-z_]+)*$"), AfterValidator(_known_categories)]
        | Maybe
    ) = Field(
        None, title="情報の区分", description="送る情報の区分（カンマ区切り。省略: 区分なし）"
    )

    @property
    def wanted(self) -> list[str]:
        return self.categories.split(",") if self.categories else []


class NoQuery(Query):
    """No query parameters (an unknown one is refused)."""


class KeyHeader(BaseModel):
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


# ------------------------------------------------------------------ request bodies


class PolicyInput(Body):
    """徴収可否の判断・今後の方針 (carries collection_decision)."""

    pattern: PolicyPattern = Field(title="方針", description=_choices(compose.PATTERNS))
    stop_execution: Flag | Maybe = Field(None, title="執行停止")
    note: Text | Maybe = Field(None, max_length=2000, title="方針の説明")


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


class FeedbackInput(Body):
    """フィードバック: what was done and the support status, back to the sender."""

    done: Text = Field(max_length=4000, title="実施した支援・対応")
    support_status: SupportStatus = Field(
        title="支援の状況", description=_choices(compose.SUPPORT_STATUSES)
    )
    debt_status: DebtStatus | Maybe = Field(
        None, title="民間債権の支払状況", description=_choices(compose.DEBT_STATUSES)
    )
    debt_note: Text | Maybe = Field(None, max_length=2000, title="民間債権の支払状況（詳細）")
    next_steps: Text | Maybe = Field(None, max_length=2000, title="今後の予定")
    free_text: Text | Maybe = Field(None, max_length=4000, title="その他")
    subject: Text | Maybe = Field(
        None, max_length=compose.SUBJECT_MAX, title="件名", description="省略: 既定の件名"
    )
    body: Text | Maybe = Field(None, max_length=compose.BODY_MAX, title="本文")
    idempotency_key: SendingKey | Maybe = Field(None, title="送信キー")


class CaseSharingRequestInput(Body):
    """情報共有の依頼 to collection departments."""

    department_ids: list[Id] = Field(
        min_length=1, max_length=compose.MAX_RECIPIENTS, title="依頼先", description="公債権所管"
    )
    categories: Categories = Field(min_length=1, title="依頼する情報の区分")
    note: Text | Maybe = Field(None, max_length=2000, title="依頼の内容")
    subject: Text | Maybe = Field(None, max_length=compose.SUBJECT_MAX, title="件名")
    feedback_due: DueDate | Maybe = Field(None, title="回答期限")
    idempotency_key: SendingKey | Maybe = Field(None, title="送信キー")


class TriageInput(Body):
    """The department's 担当者 and/or 対応状況 (at least one)."""

    NULLABLE = frozenset({"assignee_id"})
    assignee_id: Id | None = Field(
        None, title="担当者", description="自所管課の職員のID（null で担当者を外す）"
    )
    work_status: WorkStatus | Maybe = Field(None, title="対応状況", description=labels(WorkStatus))


class DeclineInput(Body):
    reason: Text = Field(max_length=1000, title="辞退の理由")


class ReturnInput(Body):
    comment: Text = Field(max_length=2000, title="差戻しの理由")


class OptionalBody(Body):
    """A body that may be left out entirely (an action with nothing or little to say)."""

    # flask-openapi3 reads openapi_extra: the document marks the request body optional.
    model_config = ConfigDict(extra="forbid", openapi_extra={"required": False})  # type: ignore[typeddict-unknown-key]

    @model_validator(mode="before")
    @classmethod
    def _left_out(cls, data: Any) -> Any:
        """No body at all reads as ``{}``; a body that is not a JSON object stays refused."""
        if data is None and not request.get_data(cache=True):
            return {}
        return data


class AcknowledgeInput(OptionalBody):
    """Nothing to say (an empty object, or no body)."""


class ApprovalInput(OptionalBody):
    comment: Text | Maybe = Field(None, max_length=2000, title="コメント")


class NotificationReadInput(Body):
    """One notification by id, or (``id`` left out) all of them; null is refused."""

    id: Id | Maybe = Field(None, title="通知", description="既読にする通知（省略: すべて）")


__all__ = [
    "AcknowledgeInput",
    "ApprovalInput",
    "CaseSharingRequestInput",
    "DeclineInput",
    "FeedbackInput",
    "InboxQuery",
    "InboxSearch",
    "KeyHeader",
    "MessageInput",
    "NoQuery",
    "NotificationReadInput",
    "OptionsQuery",
    "ReturnInput",
    "SentQuery",
    "TriageInput",
    "UnopenedQuery",
    "labels",
    "with_key",
]
