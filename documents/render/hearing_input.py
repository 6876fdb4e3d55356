"""Fill ``HearingSheetData`` from a stored sheet version and the categories its reader may see.

The one place that decides what of a sheet is printed for a reader: sections outside
``visible`` are left out and named; the derived figures and the joint plan are printed only
when every section they are computed from is visible (月収入 alone tells the household budget);
the 共通目安 only with 生活状況, the category that carries them, and without the suggested
reasons that quote figures when the figures are withheld.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from hub.documents.categories import ORDER, InformationCategory
from hub.documents.hearing import calc, display
from hub.documents.hearing.plan import limitation_label
from hub.documents.hearing.schema import SECTIONS

from .hearing_sheet import CriterionRow, HearingSheetData, JointPlan, PlanItem, SheetSection

#: The sections the figures and the plan are computed from.
FIGURE_SOURCES = frozenset(
    {
        InformationCategory.ARREARS,
        InformationCategory.HOUSEHOLD_BUDGET,
        InformationCategory.PRIVATE_DEBTS,
    }
)
SHEET_CATEGORIES = tuple(category for _label, category in SECTIONS.values())
#: 共通目安 whose suggested reason quotes figures (「現在の月収入 225,000円」, the rent ratio,
#: the debts): printed without that reason when the figures are withheld.
FIGURE_CRITERIA = frozenset({1, 2, 3})
REASON_WITHHELD = "（算出値に基づく理由は、同意の範囲外のため記載していません）"


def sheet_data(
    *,
    case_reference: str,
    department: str,
    resident_name: str,
    version: int,
    saved_on: date,
    author: str,
    issued_on: date,
    data: Mapping[str, Any],
    figures: Mapping[str, Any],
    claim_names: Mapping[int, str],
    criteria: Sequence[CriterionRow] = (),
    visible: Collection[InformationCategory] | None = None,
) -> HearingSheetData:
    """The printed sheet of a stored version (``HearingSheet.data`` and ``.figures``).

    ``visible`` is what the reader may see (None: everything, the owner's own copy).
    """
    shown = set(ORDER if visible is None else visible)
    hidden = [c for c in SHEET_CATEGORIES if c not in shown]
    lines = display.lines(
        {
            key: value
            for key, value in data.items()
            if key in SECTIONS and SECTIONS[key][1] in shown
        },
        claim_names,
    )
    sections = tuple(
        SheetSection(title, tuple((line.label, line.text) for line in rows))
        for title, rows in display.grouped(lines)
    )
    figures_withheld = bool(FIGURE_SOURCES - shown)
    printed_figures = not figures_withheld and bool(figures)
    return HearingSheetData(
        case_reference=case_reference,
        department=department,
        resident_name=resident_name,
        version=version,
        saved_on=saved_on,
        author=author,
        issued_on=issued_on,
        sections=sections,
        withheld=tuple(category.label for category in hidden),
        figures=tuple((line.label, line.text) for line in display.figure_lines(figures))
        if printed_figures
        else (),
        formula=tuple(calc.formula(figures)) if printed_figures else (),
        plan=_plan(figures.get("plan"), claim_names) if printed_figures else None,
        figures_withheld=figures_withheld,
        criteria=_criteria(criteria, figures_withheld)
        if InformationCategory.LIFE_SITUATION in shown
        else (),
        criteria_withheld=InformationCategory.LIFE_SITUATION not in shown,
    )


def _criteria(rows: Sequence[CriterionRow], figures_withheld: bool) -> tuple[CriterionRow, ...]:
    if not figures_withheld:
        return tuple(rows)
    return tuple(
        replace(row, suggestion_reason=REASON_WITHHELD) if row.number in FIGURE_CRITERIA else row
        for row in rows
    )


def _plan(plan: Mapping[str, Any] | None, claim_names: Mapping[int, str]) -> JointPlan | None:
    if not plan:
        return None
    items = tuple(
        PlanItem(
            claim=claim_names.get(item["claim_type_id"], f"債権{item['claim_type_id']}"),
            arrears=item["amount"],
            monthly=item["monthly"],
            months=item.get("months"),
            until=item.get("until") or "",
            limitation=limitation_label(item.get("limitation") or {}),
            is_long=bool(item.get("is_long")),
            limitation_near=bool((item.get("limitation") or {}).get("is_near")),
        )
        for item in plan.get("items", [])
    )
    return JointPlan(
        start=plan.get("start") or "",
        affordable=plan.get("affordable"),
        total_monthly=plan.get("total_monthly") or 0,
        items=items,
    )
