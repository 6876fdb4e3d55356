"""Packet settings: when a packet is made in the background, how long links and files last."""

from __future__ import annotations

from hub import settings
from hub.settings import INT, SettingDef

GROUP = "文書・ケース記録一式"

SYNC_MAX_KB = SettingDef(
    key="packets.sync_max_kb",
    label="その場で作成するケース記録一式の添付資料の上限",
    kind=INT,
    default=5120,
    rationale=(
        "添付資料（署名済み同意書・添付ファイル）の合計がこれ以下なら画面でそのまま作成し"
        "（0.5秒程度）、超えるときは定期実行で作成して進み具合を表示する"
    ),
    group=GROUP,
    minimum=0,
    maximum=1_048_576,
    unit="KB",
)
LINK_MINUTES = SettingDef(
    key="packets.link_minutes",
    label="ケース記録一式のダウンロードリンクの有効時間",
    kind=INT,
    default=10,
    rationale="署名付きリンクは短く（設計 §9）: 作成状況の画面を開くたびに新しいリンクを出す",
    group=GROUP,
    minimum=1,
    maximum=60,
    unit="分",
)
KEEP_HOURS = SettingDef(
    key="packets.keep_hours",
    label="作成したケース記録一式を保存しておく時間",
    kind=INT,
    default=24,
    rationale=(
        "ダウンロードのための一時保存。過ぎるとファイルを削除する（作成・提供の記録は残る）。"
        "連絡で提供した一式は連絡の添付として保存期間の規定に従う"
    ),
    group=GROUP,
    minimum=1,
    maximum=720,
    unit="時間",
)

settings.register(SYNC_MAX_KB, LINK_MINUTES, KEEP_HOURS)
