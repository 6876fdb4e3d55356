"""The words and small types the mailbox's contracts share: descriptions, the cursor, page
sizes, ids and numbers in a query string, the sending key, categories, dates.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, Strict

from hub.api.models import Query, Text, query_int, whole_number
from hub.documents.categories import InformationCategory
from hub.mailbox import inbox, send


def labels(values: Any) -> str:
    """``share: 情報共有 / notice: お知らせ …`` for an enum's description."""
    return " / ".join(f"{v.value}: {v.label}" for v in values)


def choices(values: dict[str, str]) -> str:
    """``1: … / 2: …`` for a choice's description (an empty key is （空）)."""
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
STATE = "delivered: 配信済み / recalled: 取消し（同意の範囲外となった）"
DAYS_LEFT = (
    "回答期限までの開庁日数（土日・祝日・年末年始を除く。期限が閉庁日なら次の開庁日まで。"
    "負は超過）。回答済み・辞退・取消しは null"
)
NEXT_CURSOR = "次のページの指定（cursor にそのまま渡す）。最後のページでは null"
CURSOR: dict[str, Any] = {"title": "ページの指定", "description": CURSOR_DESCRIPTION}
LIMIT: dict[str, Any] = {"title": "件数", "description": "1〜200（省略: 50）"}

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


#: Whole numbers in a query string (ASCII digits only): rows per page, days.
QueryLimit = Annotated[
    int, Field(strict=True, ge=1, le=inbox.MAX_PAGE_SIZE), BeforeValidator(query_int)
]

QueryDays = Annotated[int, Field(strict=True, ge=1, le=60), BeforeValidator(query_int)]


class NoQuery(Query):
    """No query parameters (an unknown one is refused)."""
