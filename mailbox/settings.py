"""Mailbox settings: limits of a message and when an unopened message needs attention."""

from __future__ import annotations

from hub import settings
from hub.settings import INT, SettingDef

GROUP = "連絡"

UNOPENED_DAYS = SettingDef(
    key="mailbox.unopened_days",
    label="未開封の連絡として一覧に出すまでの日数",
    kind=INT,
    default=3,
    rationale="書留のように届いたことを確かめる: 3日たっても誰も開いていない連絡は送信元が確認する",
    group=GROUP,
    minimum=1,
    maximum=60,
    unit="日",
)
FEEDBACK_DAYS = SettingDef(
    key="mailbox.feedback_days",
    label="フィードバック期限の既定値（送信日から）",
    kind=INT,
    default=14,
    rationale="繋いだ後の様子を2週間以内に返す（連携の仕組み（案）⑻ フィードバック・継続的な連携）",
    group=GROUP,
    minimum=1,
    maximum=180,
    unit="日",
)

REMIND_BEFORE_DAYS = SettingDef(
    key="mailbox.remind_before_days",
    label="フィードバック期限の何開庁日前に督促するか",
    kind=INT,
    default=2,
    rationale="期限の2開庁日前に一度知らせ、期限当日にもう一度知らせる（連携の仕組み（案）⑻）",
    group=GROUP,
    minimum=1,
    maximum=20,
    unit="開庁日",
)
ESCALATE_AFTER_DAYS = SettingDef(
    key="mailbox.escalate_after_days",
    label="期限を何開庁日過ぎたら管理職に知らせるか",
    kind=INT,
    default=3,
    rationale="担当者への督促で動かないときは、3開庁日後に回答する側の管理職へ（DESIGN §6）",
    group=GROUP,
    minimum=1,
    maximum=30,
    unit="開庁日",
)

settings.register(UNOPENED_DAYS, FEEDBACK_DAYS, REMIND_BEFORE_DAYS, ESCALATE_AFTER_DAYS)
