"""Consent settings: validity, purposes, the city's name on the form, download link lifetime."""

from __future__ import annotations

from hub import settings
from hub.settings import INT, TEXT, TEXT_LIST, SettingDef

GROUP = "同意"

VALIDITY_DAYS = SettingDef(
    key="consent.validity_days",
    label="同意の有効期間の既定値",
    kind=INT,
    default=365,
    rationale="1年ごとに本人の意思を確かめ直す（同意書の有効期限は作成画面で変更できます）",
    group=GROUP,
    minimum=1,
    maximum=1095,
    unit="日",
)
MAX_VALIDITY_DAYS = SettingDef(
    key="consent.max_validity_days",
    label="同意の有効期間の上限",
    kind=INT,
    default=730,
    rationale="長すぎる同意は本人の予期しない共有につながるため、長くとも2年で取り直す",
    group=GROUP,
    minimum=1,
    maximum=1825,
    unit="日",
)
PURPOSES = SettingDef(
    key="consent.purposes",
    label="利用の目的（選択肢）",
    kind=TEXT_LIST,
    default=[
        "生活再建の支援",
        "納付計画の作成",
        "徴収猶予・執行停止等の判断",
        "ケース会議での検討",
    ],
    rationale="連携の仕組み（案）4⑴⑵: 生活再建の支援、納付計画、徴収の猶予・停止、ケース会議",
    group=GROUP,
)
CITY_NAME = SettingDef(
    key="consent.city_name",
    label="自治体名（同意書の宛先・本文）",
    kind=TEXT,
    default="世田谷区",
    rationale="同意書の宛先（○○区長 あて）と本文に印字する",
    group=GROUP,
)
LINK_MINUTES = SettingDef(
    key="consent.link_minutes",
    label="同意書ダウンロードリンクの有効時間",
    kind=INT,
    default=10,
    rationale="署名付きリンクは短く（設計 §9）: 画面を開いてからダウンロードするまでの時間",
    group=GROUP,
    minimum=1,
    maximum=60,
    unit="分",
)

WARNING_DAYS = SettingDef(
    key="consent.warning_days",
    label="同意の有効期限を何日前に知らせるか",
    kind=INT,
    default=30,
    rationale="期限の1か月前に取得した課へ知らせ、本人に更新の意思を確かめる時間をとる",
    group=GROUP,
    minimum=1,
    maximum=180,
    unit="日",
)

settings.register(VALIDITY_DAYS, MAX_VALIDITY_DAYS, PURPOSES, CITY_NAME, LINK_MINUTES, WARNING_DAYS)
