"""The report's setting: below how many a count is shown only as 「N未満」."""

from __future__ import annotations

from hub import settings
from hub.settings import INT, SettingDef

SMALL_CELL = SettingDef(
    key="reports.small_cell",
    label="連携状況の集計で件数を伏せる基準",
    kind=INT,
    default=3,
    rationale=(
        "1件・2件の集計は対象者を推測できるため「3未満」と表示する（公表統計の秘匿処理と同じ考え方）。"
        "0件はそのまま表示する"
    ),
    group="連携状況の集計",
    minimum=1,
    maximum=20,
    unit="件",
)

settings.register(SMALL_CELL)
