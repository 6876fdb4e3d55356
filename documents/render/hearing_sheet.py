"""The 共通ヒアリングシート as printed: one version, its sections, figures, plan and criteria.

``HearingSheetData`` is the contract (plain data, filled by ``hearing_input.sheet_data`` from a
stored version and what the reader may see); ``sheet_blocks`` and ``criteria_blocks`` say every
printed text once; ``render_hearing_sheet_pdf`` / ``_docx`` print them. A section the reader may
not see is never in the contract: one line names what was left out
(「同意の範囲外のため記載していません：民間債務の状況」).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hub.documents.hearing import dates
from hub.documents.hearing.criteria import BY_NUMBER
from hub.documents.hearing.models import Outcome
from hub.jp import wareki, yen

from .blocks import Block, Content, Formula, Heading, KeyValues, Note, Table, Title, Withheld
from .blocks import withheld as withheld_line
from .emit import render_docx, render_pdf
from .page import TEXT_WIDTH_MM, Cell, Marking

TITLE = "共通ヒアリングシート"
CRITERIA_TITLE = "共通目安の判断"
FIGURES_TITLE = "算出値と共同の納付計画"
FIGURES_WITHHELD = (
    "算出値と共同の納付計画は、同意の範囲外の項目から算出されるため記載していません。"
)
CRITERIA_WITHHELD = "同意の範囲外のため記載していません：共通目安の判断"
SECTION_COLUMNS_MM = (62.0, TEXT_WIDTH_MM - 62.0)
PLAN_HEADINGS = ("債権", "滞納額", "月額", "回数", "完納見込み", "時効（目安）")
PLAN_COLUMNS_MM = (30.0, 24.0, 22.0, 13.0, 27.0, TEXT_WIDTH_MM - 116.0)
CRITERIA_HEADINGS = ("共通目安", "提案と理由", "判断と理由", "判断者・日付")
CRITERIA_COLUMNS_MM = (38.0, 48.0, 50.0, TEXT_WIDTH_MM - 136.0)


@dataclass(frozen=True)
class SheetSection:
    """One section as the screen shows it: 「特別区民税：滞納額」 / 「186,400円」 rows."""

    title: str
    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class PlanItem:
    claim: str
    arrears: int
    monthly: int
    months: int | None
    until: str = ""  # "2027-03"
    limitation: str = ""  # 「令和8年4月1日頃（推定）」
    is_long: bool = False
    limitation_near: bool = False


@dataclass(frozen=True)
class JointPlan:
    start: str  # "2026-12", the first month
    affordable: int | None
    total_monthly: int
    items: tuple[PlanItem, ...]


@dataclass(frozen=True)
class CriterionRow:
    """One of the six 共通目安: what the rules suggested, what staff decided, who, when, why."""

    number: int
    suggestion: str  # Outcome value: "met", "not_met", "unknown"
    suggestion_reason: str
    decision: str = ""  # "met" or "not_met"; "" while undecided
    reason: str = ""
    judged_by: str = ""
    department: str = ""
    judged_on: date | None = None
    sheet_version: int | None = None


@dataclass(frozen=True)
class HearingSheetData:
    case_reference: str  # 「ケース 7」
    department: str  # the department that saved the version (its owner)
    resident_name: str
    version: int
    saved_on: date
    author: str
    issued_on: date
    sections: tuple[SheetSection, ...]
    #: Category labels left out for this reader (all sheet categories it may not see).
    withheld: tuple[str, ...] = ()
    #: Label / value of the derived figures; empty when withheld.
    figures: tuple[tuple[str, str], ...] = ()
    formula: tuple[str, ...] = ()
    plan: JointPlan | None = None
    figures_withheld: bool = False
    criteria: tuple[CriterionRow, ...] = ()
    criteria_withheld: bool = False


def _particulars(data: HearingSheetData) -> KeyValues:
    return KeyValues(
        (
            ("ケース", data.case_reference),
            ("対象者", data.resident_name),
            ("版", f"第{data.version}版（{wareki(data.saved_on)}保存）"),
            ("作成", f"{data.department}　{data.author}".strip()),
        )
    )


def sheet_blocks(data: HearingSheetData, *, with_criteria: bool = True) -> tuple[Block, ...]:
    """Every printed text of the sheet, in order."""
    out: list[Block] = [Note(f"作成日　{wareki(data.issued_on)}", align="R"), Title(TITLE)]
    out.append(_particulars(data))
    if data.withheld:
        out.append(withheld_line(data.withheld))
    for number, section in enumerate(data.sections, 1):
        out.append(Heading(f"{number}　{section.title}"))
        rows = tuple((Cell(label, shaded=True), text) for label, text in section.rows)
        out.append(Table(rows, SECTION_COLUMNS_MM))
    out.extend(_figures(data))
    if with_criteria:
        out.extend(criteria_blocks(data, heading=True))
    return tuple(out)


def _figures(data: HearingSheetData) -> list[Block]:
    if data.figures_withheld:
        return [Heading(FIGURES_TITLE), Withheld(FIGURES_WITHHELD)]
    if not data.figures:
        return []
    rows = tuple(
        (Cell(label, shaded=True), Cell(value, align="R")) for label, value in data.figures
    )
    out: list[Block] = [Heading(FIGURES_TITLE), Table(rows, (62.0, 40.0))]
    if data.formula:
        out += [Heading("納付可能額の算出", level=2), Formula(data.formula)]
    plan = data.plan
    if plan and plan.items:
        out.append(Heading("共同の納付計画（提案）", level=2))
        out.append(Table(tuple(_plan_row(i) for i in plan.items), PLAN_COLUMNS_MM, PLAN_HEADINGS))
        out.append(
            Note(
                f"開始月 {dates.month_label(plan.start)}　納付可能額 {_yen(plan.affordable)}　"
                f"月額の合計 {yen(plan.total_monthly)}（各債権の滞納額で按分）"
            )
        )
    return out


def _plan_row(item: PlanItem) -> tuple[Cell | str, ...]:
    months = f"{item.months}回" if item.months else "—"
    until = dates.month_label(item.until) or "—"
    if item.is_long:
        until += "（長期）"
    limitation = item.limitation or "—"
    if item.limitation_near:
        limitation += "（注意）"
    return (
        item.claim,
        Cell(yen(item.arrears), align="R"),
        Cell(yen(item.monthly), align="R"),
        Cell(months, align="R"),
        until,
        limitation,
    )


def _yen(amount: int | None) -> str:
    return "算出できません" if amount is None else yen(amount)


def criteria_blocks(data: HearingSheetData, *, heading: bool) -> list[Block]:
    """The six 共通目安 with the suggestion, the decision, who judged, when and why."""
    out: list[Block] = [Heading(CRITERIA_TITLE)] if heading else []
    if data.criteria_withheld:
        return [*out, Withheld(CRITERIA_WITHHELD)]
    if not data.criteria:
        return []
    rows = tuple(_criterion_row(c) for c in data.criteria)
    out.append(Table(rows, CRITERIA_COLUMNS_MM, CRITERIA_HEADINGS))
    return out


def _criterion_row(row: CriterionRow) -> tuple[str, ...]:
    criterion = BY_NUMBER[row.number]
    suggestion = Outcome(row.suggestion).label if row.suggestion else "—"
    decision = Outcome(row.decision).label if row.decision else "未判断"
    who = "\n".join(
        part
        for part in (
            f"{row.department} {row.judged_by}".strip(),
            wareki(row.judged_on),
            f"第{row.sheet_version}版で判断" if row.sheet_version else "",
        )
        if part
    )
    return (
        f"{criterion.number}　{criterion.title}",
        "\n".join(filter(None, (suggestion, row.suggestion_reason))),
        "\n".join(filter(None, (decision, row.reason))),
        who or "—",
    )


def marking(data: HearingSheetData) -> Marking:
    return Marking(
        department=data.department,
        reference=f"{data.case_reference}　第{data.version}版",
        title=TITLE,
    )


def content(data: HearingSheetData) -> Content:
    return Content(marking(data), sheet_blocks(data))


def render_hearing_sheet_pdf(data: HearingSheetData) -> bytes:
    return render_pdf(content(data))


def render_hearing_sheet_docx(data: HearingSheetData) -> bytes:
    return render_docx(content(data))
