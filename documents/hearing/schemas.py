"""The hearing-sheet API's contracts: each request and response one model.

The sections themselves are in sheet_models.py (lenient as sent, strict as stored); the field
tables of the paper sheet are in schema.py. A sheet's field errors are keyed by their path
inside ``sections`` (``household_budget.expenses.rent``), as the parser and the web form key
them.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

from hub.api.models import Body, DepartmentRef, Int, Maybe, Out, PersonRef, Query, Text, Timestamp
from hub.documents.categories import InformationCategory
from hub.documents.hearing import calc, judgements
from hub.documents.hearing.criteria import BY_NUMBER
from hub.documents.hearing.display import Change
from hub.documents.hearing.models import CriteriaJudgement, Outcome
from hub.documents.hearing.services import Calculation
from hub.documents.hearing.sheet_models import HearingSections, HearingSectionsInput, Month, Yen
from hub.documents.hearing.visible import VisibleSheet

OUTCOME = "met: 該当 / not_met: 非該当 / unknown: 判断材料なし"
Criterion = Annotated[int, Field(ge=1, le=6, description="共通目安の番号")]
Version = Annotated[int, Field(ge=1, le=999_999)]

# ------------------------------------------------------------------ requests


class SheetQuery(Query):
    version: Version | Maybe = Field(None, title="版", description="省略すると最新の版")


class CompareQuery(Query):
    """Both versions are needed; a request without them is refused (400) once the case is
    known to be visible to the user (to others it does not exist: 404)."""

    model_config = ConfigDict(json_schema_extra={"required": ["from", "to"]})
    from_: Version | Maybe = Field(None, alias="from", title="比較元の版")
    to: Version | Maybe = Field(None, title="比較先の版")


class HearingSheetInput(Body):
    """A new version of the sheet."""

    #: Errors inside the sheet are keyed as the sections parser keys them.
    KEYED_INSIDE = frozenset({"sections"})
    based_on: Int | Maybe = Field(
        None, ge=0, title="元の版", description="編集の元にした版（0 は初版）。最新でなければ 409"
    )
    sections: HearingSectionsInput = Field(title="シート")


class HearingCalculateInput(Body):
    """A sheet to check and compute without saving."""

    KEYED_INSIDE = frozenset({"sections"})
    sections: HearingSectionsInput = Field(title="シート")


class CriterionDecisionInput(Body):
    decision: Literal["met", "not_met", ""] | Maybe = Field(
        None, title="判断", description="met: 該当 / not_met: 非該当 / 空: 判断しない"
    )
    reason: Text | Maybe = Field(
        None,
        max_length=1000,
        title="理由",
        description="提案と異なる判断・提案のない目安では必須",
    )


def _decision(number: int) -> Any:
    return Field(None, alias=str(number), title=f"目安{number}")


class CriteriaDecisions(Body):
    """The decision on each 共通目安 by its number (``"1"`` … ``"6"``); one left out is not
    judged."""

    model_config = ConfigDict(serialize_by_alias=True)
    c1: CriterionDecisionInput | Maybe = _decision(1)
    c2: CriterionDecisionInput | Maybe = _decision(2)
    c3: CriterionDecisionInput | Maybe = _decision(3)
    c4: CriterionDecisionInput | Maybe = _decision(4)
    c5: CriterionDecisionInput | Maybe = _decision(5)
    c6: CriterionDecisionInput | Maybe = _decision(6)


class HearingCriteriaInput(Body):
    version: Int = Field(ge=1, title="版", description="判断の基にした最新の版")
    decisions: CriteriaDecisions = Field(title="判断")


# ------------------------------------------------------------------ responses


class HearingSheetSummary(Out):
    """One version: who saved it, for which department, and what it holds for the viewer."""

    version: int = Field(ge=1)
    author: PersonRef
    department: DepartmentRef
    created_at: Timestamp
    categories: list[InformationCategory] = Field(description="記入のある区分（情報の区分）")
    withheld: list[InformationCategory] = Field(
        description="記入はあるが、本人の同意の範囲外のため表示しない区分（主管課には空）"
    )
    source_note: str = Field(description="作成元（共有されたシートから作成した版）")

    @classmethod
    def of(cls, seen: VisibleSheet) -> HearingSheetSummary:
        return cls(
            version=seen.version,
            author=PersonRef.of(seen.author),
            department=DepartmentRef.of(seen.department),
            created_at=seen.created_at,
            categories=seen.present,
            withheld=seen.withheld,
            source_note=seen.source_note,
        )


class HearingSheetList(Out):
    items: list[HearingSheetSummary]


class LimitationEstimate(Out):
    date: Annotated[str, Field(json_schema_extra={"format": "date"})] | None
    estimated: bool = Field(description="納期限が未入力のため年度初日から推定")
    is_near: bool
    is_passed: bool


class JointPlanItem(Out):
    claim_type_id: int
    amount: int = Field(ge=0)
    monthly: int = Field(ge=0)
    months: int | None = Field(ge=1, description="完納までの月数")
    until: Month | None
    is_long: bool
    limitation: LimitationEstimate


class JointPlan(Out):
    """共同の納付計画の提案."""

    start: Month
    affordable: Yen
    total_monthly: int = Field(ge=0)
    items: list[JointPlanItem]


class HearingParams(Out):
    """計算に使った設定値 (hub.documents.hearing.settings.Params)."""

    rent_heavy_ratio: float
    protected_base: int
    protected_per_member: int
    debt_service_heavy_ratio: float
    debt_total_heavy_ratio: float
    rounding_unit: int
    limitation_warning_months: int
    plan_long_months: int


Ratio = Annotated[float, Field(ge=0)] | None
Heavy = bool | None
SignedYen = Annotated[int | None, Field(description="円（負になりうる）")]


class HearingFigures(Out):
    """算出値（保存時に計算して版とともに保存）."""

    monthly_income: Yen
    monthly_expenses: Yen
    rent: Yen
    private_repayment: int = Field(ge=0)
    surplus: SignedYen
    rent_ratio: Ratio
    rent_heavy: Heavy
    private_debt_total: int = Field(ge=0)
    debt_service_ratio: Ratio
    debt_service_heavy: Heavy
    debt_total_ratio: Ratio
    debt_total_heavy: Heavy
    household_size: int = Field(ge=1)
    protected_amount: int = Field(ge=0)
    capacity: SignedYen
    affordable: Yen
    arrears_total: int = Field(ge=0)
    assets_total: int = Field(ge=0)
    agreed_monthly: Yen
    agreed_over_affordable: Heavy
    plan: JointPlan
    params: HearingParams


class HearingSheet(HearingSheetSummary):
    """One version with its sections and figures, cut for the viewer's department."""

    case_id: int
    sections: HearingSections
    figures: HearingFigures | None = Field(
        description="算出値（元になる区分に表示しないものがあれば null）"
    )
    formula: list[str] = Field(description="納付可能額の計算式（1行ずつ）")
    notice: str | None = Field(
        description="表示しない区分の説明（例: 同意の範囲外のため表示していません：…）"
    )

    @classmethod
    def of(cls, seen: VisibleSheet) -> HearingSheet:
        figures = seen.figures
        return cls(
            **HearingSheetSummary.of(seen).model_dump(),
            case_id=seen.sheet.case_id,
            sections=HearingSections.model_validate(seen.data),
            figures=HearingFigures.model_validate(figures) if figures is not None else None,
            formula=calc.formula(figures) if figures is not None else [],
            notice=seen.notice,
        )


class CriterionSuggestion(Out):
    criterion: Criterion
    title: str
    outcome: Outcome = Field(description=OUTCOME)
    reason: str


class HearingCalculation(Out):
    sections: HearingSections
    figures: HearingFigures
    formula: list[str]
    suggestions: list[CriterionSuggestion]

    @classmethod
    def of(cls, result: Calculation) -> HearingCalculation:
        return cls(
            sections=HearingSections.model_validate(result.data),
            figures=HearingFigures.model_validate(result.figures),
            formula=calc.formula(result.figures),
            suggestions=[
                CriterionSuggestion(
                    criterion=s.criterion,
                    title=BY_NUMBER[s.criterion].title,
                    outcome=s.outcome,
                    reason=s.reason,
                )
                for s in result.suggestions
            ],
        )


class SheetChange(Out):
    section: str = Field(description="区分（figures は算出値）")
    section_label: str
    field: str
    label: str
    old: str = Field(description="比較元の表示（— は未記入）")
    new: str

    @classmethod
    def of(cls, change: Change) -> SheetChange:
        return cls(
            section=change.key.split(".", 1)[0],
            section_label=change.section,
            field=change.key,
            label=change.label,
            old=change.old,
            new=change.new,
        )


class HearingComparison(Out):
    model_config = ConfigDict(serialize_by_alias=True)
    from_: HearingSheetSummary = Field(alias="from")
    to: HearingSheetSummary
    changes: list[SheetChange]


class ItemSuggestion(Out):
    outcome: Outcome = Field(description=OUTCOME)
    reason: str


class RecordedJudgement(Out):
    decision: Literal["met", "not_met"]
    reason: str
    suggestion: Outcome = Field(description=OUTCOME)
    suggestion_reason: str
    is_overruled: bool
    sheet_version: int = Field(ge=1)
    is_outdated: bool = Field(description="最新より古い版にもとづく判断")
    judged_by: PersonRef
    department: DepartmentRef
    judged_at: Timestamp

    @classmethod
    def of(cls, j: CriteriaJudgement, item: judgements.Item) -> RecordedJudgement:
        return cls(
            decision=j.decision.value,
            reason=j.reason,
            suggestion=j.suggestion,
            suggestion_reason=j.suggestion_reason,
            is_overruled=j.is_overruled,
            sheet_version=j.sheet.version,
            is_outdated=item.is_outdated,
            judged_by=PersonRef.of(j.judged_by),
            department=DepartmentRef.of(j.department),
            judged_at=j.judged_at,
        )


class CriterionState(Out):
    criterion: Criterion
    title: str
    text: str
    suggestion: ItemSuggestion | None
    judgement: RecordedJudgement | None


class HearingCriteria(Out):
    """The six 共通目安 as the viewer's department may see them."""

    case_id: int
    sheet_version: int | None = Field(ge=1)
    notice: str | None = Field(description="表示しない判断の説明")
    suggestions_shown: bool = Field(
        description="提案を表示するか（シートの全項目を見られる所管課だけ）"
    )
    meets: bool | None = Field(description="該当の判断が1つでもあれば true（判断前は null）")
    met: list[Criterion]
    items: list[CriterionState]

    @classmethod
    def of(cls, state: judgements.CriteriaState) -> HearingCriteria:
        return cls(
            case_id=state.case.id,
            sheet_version=state.sheet.version if state.sheet else None,
            notice=state.notice,
            suggestions_shown=state.suggestions_shown,
            meets=state.meets,
            met=state.met,
            items=[
                CriterionState(
                    criterion=i.criterion.number,
                    title=i.criterion.title,
                    text=i.criterion.text,
                    suggestion=ItemSuggestion(
                        outcome=i.suggestion.outcome, reason=i.suggestion.reason
                    )
                    if i.suggestion
                    else None,
                    judgement=RecordedJudgement.of(i.judgement, i) if i.judgement else None,
                )
                for i in state.items
            ],
        )
