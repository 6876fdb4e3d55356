"""Scheduler settings: mail retries and retention periods (each with its source)."""

from __future__ import annotations

from hub import settings
from hub.settings import INT, SettingDef

MAIL_GROUP = "メール送信"
RETENTION_GROUP = "保存期間"

MAIL_MAX_ATTEMPTS = SettingDef(
    key="outbox.max_attempts",
    label="メール送信を諦めるまでの試行回数",
    kind=INT,
    default=10,
    rationale="1分から倍々に最長1時間あけて10回（約4時間）: 1時間の停止では失われない",
    group=MAIL_GROUP,
    minimum=1,
    maximum=50,
    unit="回",
)
MAIL_RETRY_SECONDS = SettingDef(
    key="outbox.retry_seconds",
    label="メール再送の最初の待ち時間",
    kind=INT,
    default=60,
    rationale="失敗のたびに2倍（上限1時間）: 一時的な障害はすぐ、長い障害は間隔をあけて",
    group=MAIL_GROUP,
    minimum=1,
    maximum=3600,
    unit="秒",
)


def _years(key: str, label: str, default: int, rationale: str) -> SettingDef:
    return SettingDef(
        key=key,
        label=label,
        kind=INT,
        default=default,
        rationale=rationale,
        group=RETENTION_GROUP,
        minimum=1,
        maximum=30,
        unit="年",
    )


CASE_YEARS = _years(
    "retention.case_years",
    "ケース（シート・目安・共有した内容）の保存期間（ケース終了から）",
    5,
    "地方税法の徴収権の消滅時効（5年）に合わせ、ケース終了の翌日から5年（世田谷区文書管理規則の5年保存）",
)
CONSENT_YEARS = _years(
    "retention.consent_years",
    "同意書・署名済みスキャンの保存期間（同意の終了から）",
    5,
    "同意に基づく提供の根拠として、撤回・期限切れの翌日から5年保存",
)
RESIDENT_YEARS = _years(
    "retention.resident_years",
    "対象者の個人情報の保存期間（最後のケース・同意の終了から）",
    5,
    "ケース・同意の保存期間が過ぎた対象者は、氏名・住所等を消去して件数だけを残す",
)
NOTIFICATION_DAYS = SettingDef(
    key="retention.notification_days",
    label="既読の通知・送信済みメールの保存期間",
    kind=INT,
    default=365,
    rationale="個人情報を含まない事務連絡の記録: 1年で削除",
    group=RETENTION_GROUP,
    minimum=7,
    maximum=3650,
    unit="日",
)

settings.register(
    MAIL_MAX_ATTEMPTS,
    MAIL_RETRY_SECONDS,
    CASE_YEARS,
    CONSENT_YEARS,
    RESIDENT_YEARS,
    NOTIFICATION_DAYS,
)
