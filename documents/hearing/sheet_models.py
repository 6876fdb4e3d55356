"""A hearing sheet's sections as API models: lenient as staff type them, strict as stored.

The input models take what the sections parser (sections.py) reads: amounts as integer yen
or text such as 「１２３，４５６円」「12万」, periods as text such as 「令和6年度 1期〜4期」 or
as objects, months as 「令和8年3月」 or ``2026-03``, dates as 「令和7年1月31日」 or ISO, and
null for an unanswered field. They check the JSON shape; the parser reads the values, with
its Japanese message on each field. The stored models say what a saved version holds (the
parser's output). Labels come from the sheet's tables (schema.py); a test keeps the field
names equal to them.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from hub.api.models import Flag, Id, Int, Maybe, Out
from hub.documents.hearing.schema import (
    ASSETS,
    DEBT_KINDS,
    EMPLOYMENT,
    EXPENSES,
    LABELS,
    LIFE_FLAGS,
    LIFE_TEXTS,
    OTHER_INCOME,
    SECTIONS,
)


def _described(values: dict[str, str]) -> str:
    return " / ".join(f"{key}: {label}" for key, label in values.items())


CLAIM = "債権の種類のID（GET /claim-types）"
DebtKind = Literal["consumer_finance", "credit_card", "bank", "scholarship", "family", "other"]
Employment = Literal["working", "lost_job", "never_worked"]

# ------------------------------------------------------------------ input: lenient


class SheetPart(BaseModel):
    """A part of a sheet as sent: closed (unknown fields are refused), null is "not answered"."""

    model_config = ConfigDict(extra="forbid")


_Str = Annotated[str, Field(strict=True)]
#: An amount: integer yen, or text the parser reads (「123,456」「１２３，４５６円」「12万」).
YenInput = Annotated[
    Int | _Str | None,
    Field(description="円。整数、または「123,456」「１２３，４５６円」「12万」などの文字列"),
]
TextInput = _Str | None
FlagInput = Annotated[Flag | None, Field(description="null は未確認")]
MonthInput = Annotated[_Str | None, Field(description="「令和8年3月」「2026-03」など")]
DayInput = Annotated[_Str | None, Field(description="「2025-01-31」「令和7年1月31日」など")]


def _yen(label: str) -> Any:
    return Field(None, title=label)


class ArrearsPeriodInput(SheetPart):
    fiscal_year: Int = Field(title="年度", description="年度（西暦。2024 = 令和6年度）")
    from_period: Int = Field(title="始めの期")
    to_period: Int = Field(title="終わりの期")


class ArrearsClaimInput(SheetPart):
    claim_type_id: Id = Field(title=LABELS["claim_type_id"], description=CLAIM)
    amount: YenInput = _yen(LABELS["amount"])
    periods: _Str | list[ArrearsPeriodInput] | None = Field(
        None,
        title=LABELS["periods"],
        description="「令和6年度 1期〜4期、令和7年度 1期」のような文字列、または期の範囲の配列",
    )
    oldest_due: DayInput = Field(None, title=LABELS["oldest_due"])
    notes: TextInput = Field(None, title=LABELS["notes"])


class ArrearsInput(SheetPart):
    claims: list[ArrearsClaimInput] | None = Field(None, title="滞納状況")


class PaymentPlanItemInput(SheetPart):
    claim_type_id: Id = Field(title=LABELS["claim_type_id"], description=CLAIM)
    monthly: YenInput = _yen("合意した月額")
    start: MonthInput = Field(None, title=LABELS["start"])
    until: MonthInput = Field(None, title=LABELS["until"])


class PaymentPlanInput(SheetPart):
    items: list[PaymentPlanItemInput] | None = Field(None, title="納付計画")
    notes: TextInput = Field(None, title=LABELS["notes"])


class OtherIncomeInput(SheetPart):
    pension: YenInput = _yen(OTHER_INCOME["pension"])
    allowance: YenInput = _yen(OTHER_INCOME["allowance"])
    remittance: YenInput = _yen(OTHER_INCOME["remittance"])
    other: YenInput = _yen(OTHER_INCOME["other"])


class ExpensesInput(SheetPart):
    rent: YenInput = _yen(EXPENSES["rent"])
    food: YenInput = _yen(EXPENSES["food"])
    utilities: YenInput = _yen(EXPENSES["utilities"])
    communication: YenInput = _yen(EXPENSES["communication"])
    insurance: YenInput = _yen(EXPENSES["insurance"])
    medical: YenInput = _yen(EXPENSES["medical"])
    education: YenInput = _yen(EXPENSES["education"])
    transport: YenInput = _yen(EXPENSES["transport"])
    other: YenInput = _yen(EXPENSES["other"])


class HouseholdMemberInput(SheetPart):
    relationship: TextInput = Field(None, title=LABELS["relationship"])
    age: Int | _Str | None = Field(None, title=LABELS["age"], description="0〜120（「74歳」も可）")
    is_working: FlagInput = Field(None, title=LABELS["is_working"])


class HouseholdBudgetInput(SheetPart):
    take_home: YenInput = _yen(LABELS["take_home"])
    other_income: OtherIncomeInput | None = Field(None, title="その他の収入")
    members: list[HouseholdMemberInput] | None = Field(None, title="世帯員", description="本人以外")
    expenses: ExpensesInput | None = Field(None, title="支出")


class PrivateDebtInput(SheetPart):
    kind: DebtKind | Literal[""] | None = Field(
        None, title=LABELS["kind"], description=_described(DEBT_KINDS)
    )
    creditor: TextInput = Field(None, title=LABELS["creditor"])
    total: YenInput = _yen(LABELS["total"])
    monthly: YenInput = _yen("月返済額")
    is_overdue: FlagInput = Field(None, title=LABELS["is_overdue"])


class PrivateDebtsInput(SheetPart):
    debts: list[PrivateDebtInput] | None = Field(None, title="民間債務")


class AssetItemInput(SheetPart):
    has: FlagInput = Field(None, title=LABELS["has"])
    value: YenInput = _yen(LABELS["value"])
    notes: TextInput = Field(None, title=LABELS["notes"])


def _asset(key: str) -> Any:
    label, amount = ASSETS[key]
    return Field(None, title=label, description=f"{label}（金額は{amount}）")


class AssetsInput(SheetPart):
    real_estate: AssetItemInput | None = _asset("real_estate")
    deposits: AssetItemInput | None = _asset("deposits")
    life_insurance: AssetItemInput | None = _asset("life_insurance")
    vehicles: AssetItemInput | None = _asset("vehicles")
    other: AssetItemInput | None = _asset("other")


def _flag(key: str) -> Any:
    return Field(None, title=LIFE_FLAGS[key])


def _text(key: str) -> Any:
    return Field(None, title=LIFE_TEXTS[key][0])


class LifeSituationInput(SheetPart):
    employment: Employment | Literal[""] | None = Field(
        None, title=LABELS["employment"], description=_described(EMPLOYMENT)
    )
    job_lost_on: DayInput = Field(None, title=LABELS["job_lost_on"])
    income_reduced: FlagInput = _flag("income_reduced")
    wants_work: FlagInput = _flag("wants_work")
    work_difficulty: FlagInput = _flag("work_difficulty")
    family_circumstances: FlagInput = _flag("family_circumstances")
    large_expenses: FlagInput = _flag("large_expenses")
    wants_rebuild: FlagInput = _flag("wants_rebuild")
    work_difficulty_notes: TextInput = _text("work_difficulty_notes")
    family_notes: TextInput = _text("family_notes")
    notes: TextInput = _text("notes")


def _section(key: str, description: str = "") -> Any:
    return Field(None, title=SECTIONS[key][0], description=description or None)


class HearingSectionsInput(SheetPart):
    """The sheet's sections as typed; a section left out (or null) is not answered."""

    arrears: ArrearsInput | None = _section("arrears", "債権ごとの滞納額・年度と期")
    payment_plan: PaymentPlanInput | None = _section("payment_plan", "合意した月額・期間")
    household_budget: HouseholdBudgetInput | None = _section("household_budget", "月額")
    private_debts: PrivateDebtsInput | None = _section("private_debts")
    assets: AssetsInput | None = _section("assets")
    life_situation: LifeSituationInput | None = _section("life_situation")


# ------------------------------------------------------------------ stored: strict

Yen = Annotated[int, Field(ge=0, description="円（整数）")] | None
Month = Annotated[str, Field(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")]
Answer = Annotated[bool | None, Field(description="null は未確認")]


class ArrearsPeriod(Out):
    fiscal_year: int = Field(description="年度（西暦。2024 = 令和6年度）")
    from_period: int = Field(ge=1, le=12)
    to_period: int = Field(ge=1, le=12)


class ArrearsClaim(Out):
    claim_type_id: int = Field(description=CLAIM)
    amount: Yen
    periods: list[ArrearsPeriod]
    oldest_due: date | None
    notes: str


class Arrears(Out):
    claims: list[ArrearsClaim]


class PaymentPlanItem(Out):
    claim_type_id: int = Field(description=CLAIM)
    monthly: Yen
    start: Month | None
    until: Month | None


class PaymentPlan(Out):
    items: list[PaymentPlanItem]
    notes: str


class OtherIncome(Out):
    pension: Yen
    allowance: Yen
    remittance: Yen
    other: Yen


class Expenses(Out):
    rent: Yen
    food: Yen
    utilities: Yen
    communication: Yen
    insurance: Yen
    medical: Yen
    education: Yen
    transport: Yen
    other: Yen


class HouseholdMember(Out):
    relationship: str
    age: int | None = Field(ge=0, le=120)
    is_working: Answer


class HouseholdBudget(Out):
    take_home: Yen
    other_income: OtherIncome
    members: list[HouseholdMember] = Field(description="世帯員（本人以外）")
    expenses: Expenses


class PrivateDebt(Out):
    kind: DebtKind | None = Field(description=_described(DEBT_KINDS))
    creditor: str
    total: Yen
    monthly: Yen
    is_overdue: Answer


class PrivateDebts(Out):
    debts: list[PrivateDebt]


class AssetItem(Out):
    has: Answer
    value: Yen
    notes: str


class Assets(Out):
    real_estate: AssetItem
    deposits: AssetItem
    life_insurance: AssetItem
    vehicles: AssetItem
    other: AssetItem


class LifeSituation(Out):
    employment: Employment | None = Field(description=_described(EMPLOYMENT))
    job_lost_on: date | None
    income_reduced: Answer
    wants_work: Answer
    work_difficulty: Answer
    family_circumstances: Answer
    large_expenses: Answer
    wants_rebuild: Answer
    work_difficulty_notes: str
    family_notes: str
    notes: str


def _stored(key: str) -> Any:
    """A section: present when answered (and shown to the viewer), else left out."""
    return Field(None, description=SECTIONS[key][0], exclude_if=lambda value: value is None)


class HearingSections(Out):
    """A version's sections as stored: only those answered, and shown to the viewer."""

    arrears: Arrears | Maybe = _stored("arrears")
    payment_plan: PaymentPlan | Maybe = _stored("payment_plan")
    household_budget: HouseholdBudget | Maybe = _stored("household_budget")
    private_debts: PrivateDebts | Maybe = _stored("private_debts")
    assets: Assets | Maybe = _stored("assets")
    life_situation: LifeSituation | Maybe = _stored("life_situation")
