"""The mailbox over the JSON API: the inbox and the lists, messages and their documents, the
work on a received message, a case's exchanges and sharing requests, notifications.

The same services as the screens (hub.mailbox), so the same consent checks, isolation and
audits. One blueprint, ``mailbox_api``, which the app factory registers under /api/v1 with the
error codes below; its routes are in the modules by concern, its contracts in ``schemas``.
"""

from hub.api.blueprint import api_blueprint, case_workers_only

bp = api_blueprint(
    "mailbox_api",
    __name__,
    "連絡",
    "連絡（情報共有・お知らせ・フィードバック・情報共有の依頼）、受信箱・送信箱、通知",
)
# Administrators read no messages: refused (403, audited) before a body is read.
case_workers_only(bp, "message")

#: The codes the mailbox answers with besides the core's (hub.api.errors).
ERROR_CODES: dict[str, str] = {
    "consent_missing": (
        "本人の同意の範囲外（何も送っていない。連絡の送信・承認では error.missing に"
        "宛先×情報の区分ごとの不足）"
    ),
    "recalled": "同意の範囲外となり取り消された連絡・資料（内容は返さない）",
    "sender": "送信元の所管課には行えない操作（確認・担当・フィードバック・辞退）",
    "no_case": "ケースのないお知らせにはフィードバックを送れない",
    "not_a_request": "辞退できるのは情報共有の依頼だけ",
    "already_answered": "回答または辞退済みの依頼",
    "not_pending": "承認待ちでない連絡は承認・差戻しできない",
    "not_a_sheet": "共通ヒアリングシートではない資料（画面の引き継ぎ）",
}

# The routes, by concern, on the blueprint above.
from hub.mailbox.api import (  # noqa: E402, F401
    cases,
    lists,
    messages,
    notifications,
    printouts,
    work,
)

__all__ = ["ERROR_CODES", "bp"]
