"""Information categories (情報の区分): what a document carries and what a consent grants."""

from __future__ import annotations

import enum


class InformationCategory(enum.StrEnum):
    ARREARS = "arrears"
    PAYMENT_PLAN = "payment_plan"
    HOUSEHOLD_BUDGET = "household_budget"
    PRIVATE_DEBTS = "private_debts"
    ASSETS = "assets"
    #: 生活状況, including the criteria judgement.
    LIFE_SITUATION = "life_situation"
    ASSET_INVESTIGATION = "asset_investigation"
    SUPPORT_STATUS = "support_status"
    COLLECTION_DECISION = "collection_decision"

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS: dict[InformationCategory, str] = {
    InformationCategory.ARREARS: "滞納状況",
    InformationCategory.PAYMENT_PLAN: "納付計画",
    InformationCategory.HOUSEHOLD_BUDGET: "収支の状況",
    InformationCategory.PRIVATE_DEBTS: "民間債務の状況",
    InformationCategory.ASSETS: "財産の状況",
    InformationCategory.LIFE_SITUATION: "生活状況（共通目安の判断を含む）",
    InformationCategory.ASSET_INVESTIGATION: "財産調査の結果",
    InformationCategory.SUPPORT_STATUS: "支援の状況",
    InformationCategory.COLLECTION_DECISION: "徴収可否の判断・今後の方針",
}

#: Display order everywhere (forms, consent scope grids, the printed consent form).
ORDER: tuple[InformationCategory, ...] = tuple(InformationCategory)
