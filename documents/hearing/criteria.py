"""The six 共通目安 (seed 000 §4⑴②) and the rules that suggest each from a sheet.

A suggestion is met / not_met / unknown with its reason in words; staff confirm or overrule it
(judgements.py). Criterion 6 (その他) is for staff alone: its suggestion is always unknown.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from hub import jp
from hub.documents.hearing.calc import percent
from hub.documents.hearing.models import Outcome
from hub.documents.hearing.settings import Params

MET, NOT_MET, UNKNOWN = Outcome.MET, Outcome.NOT_MET, Outcome.UNKNOWN


@dataclass(frozen=True)
class Criterion:
    number: int
    #: A few words for tables and the case panel.
    title: str
    #: The wording of the plan (seed 000).
    text: str


CRITERIA = (
    Criterion(
        1,
        "失職等による収入減・就労希望",
        "退職・失職等の事由により、現在収入がない又は減ったかつ就労を希望している。",
    ),
    Criterion(2, "家賃の負担が大きい", "収入に占める家賃の金額が大きく支払いが厳しい。"),
    Criterion(
        3, "債務による生活再建の希望", "公債権、民間債権等の事由により生活再建を希望している。"
    ),
    Criterion(
        4, "介護等の特殊な事情・大きな出費", "家族等に介護その他の特殊な事情があり、出費が大きい。"
    ),
    Criterion(5, "働くことが困難な事情", "現在働くことが困難な事情（病気、障害等）がある。"),
    Criterion(6, "その他", "その他、納付相談において必要性があった場合。"),
)
BY_NUMBER = {c.number: c for c in CRITERIA}


@dataclass(frozen=True)
class Suggestion:
    criterion: int
    outcome: Outcome
    reason: str


def _pct(ratio: float, threshold: float) -> tuple[str, str]:
    """Whole percents, with one decimal where rounding would hide which side of the line."""
    shown, line = percent(ratio), percent(threshold)
    if shown == line and ratio != threshold:
        # Round away from the line, so that 30.05% never reads as 30.0%.
        tenths = math.ceil(ratio * 1000) if ratio > threshold else math.floor(ratio * 1000)
        return f"{tenths / 10:.1f}", f"{line}"
    return f"{shown}", f"{line}"


def _lost_work(life: Mapping[str, Any], figures: Mapping[str, Any], p: Params) -> Suggestion:
    employment, reduced, wants = (
        life.get("employment"),
        life.get("income_reduced"),
        life.get("wants_work"),
    )
    lost = employment == "lost_job" or reduced is True
    if lost and wants is True:
        if employment == "lost_job":
            day = life.get("job_lost_on")
            what = f"{jp.wareki(date.fromisoformat(day))}に退職・失職" if day else "退職・失職"
        else:
            what = "収入が減少"
        income = figures.get("monthly_income")
        now = f"（現在の月収入 {jp.yen(income)}）" if income is not None else ""
        return Suggestion(1, MET, f"{what}し、就労を希望している{now}")
    if wants is False:
        return Suggestion(1, NOT_MET, "就労を希望していない")
    if not lost and employment in ("working", "never_worked") and reduced is False:
        return Suggestion(1, NOT_MET, "退職・失職や収入の減少がない")
    missing = []
    if not lost and (employment is None or reduced is None):
        missing.append("就労の状況・収入の減少")
    if wants is None:
        missing.append("就労の希望")
    return Suggestion(1, UNKNOWN, f"{'、'.join(missing)}が未記入")


def _rent(life: Mapping[str, Any], figures: Mapping[str, Any], p: Params) -> Suggestion:
    rent, income = figures.get("rent"), figures.get("monthly_income")
    if rent is None or income is None:
        return Suggestion(2, UNKNOWN, "家賃または収入が未記入")
    if income == 0:
        if rent > 0:
            return Suggestion(2, MET, f"収入がないなか家賃{jp.yen(rent)}を支払っている")
        return Suggestion(2, NOT_MET, "家賃の負担がない")
    shown, line = _pct(figures["rent_ratio"], p.rent_heavy_ratio)
    if figures["rent_heavy"]:
        return Suggestion(2, MET, f"家賃が手取り収入の{shown}%（目安{line}%）")
    return Suggestion(2, NOT_MET, f"家賃は手取り収入の{shown}%（目安{line}%以下）")


def _rebuild(life: Mapping[str, Any], figures: Mapping[str, Any], p: Params) -> Suggestion:
    wants = life.get("wants_rebuild")
    if wants is None:
        return Suggestion(3, UNKNOWN, "生活再建の希望が未記入")
    if wants is False:
        return Suggestion(3, NOT_MET, "生活再建を希望していない")
    arrears, debts = figures.get("arrears_total") or 0, figures.get("private_debt_total") or 0
    if not arrears and not debts:
        return Suggestion(3, UNKNOWN, "生活再建を希望しているが、滞納額・民間債務が未記入")
    parts = []
    if arrears:
        parts.append(f"公債権の滞納 {jp.yen(arrears)}")
    if debts:
        debt = f"民間債務 {jp.yen(debts)}"
        ratio = figures.get("debt_service_ratio")
        if ratio is not None:
            shown, line = _pct(ratio, p.debt_service_heavy_ratio)
            mark = "超" if figures.get("debt_service_heavy") else "以下"
            paid = jp.yen(figures["private_repayment"])
            debt += f"（月返済 {paid}＝手取りの{shown}%、目安{line}%{mark}）"
        parts.append(debt)
    return Suggestion(3, MET, f"生活再建を希望している。{'、'.join(parts)}")


def _family(life: Mapping[str, Any], figures: Mapping[str, Any], p: Params) -> Suggestion:
    circumstances, large = life.get("family_circumstances"), life.get("large_expenses")
    if circumstances is True and large is True:
        return Suggestion(4, MET, "家族等に介護その他の特殊な事情があり、出費が大きい")
    if circumstances is False:
        return Suggestion(4, NOT_MET, "介護その他の特殊な事情がない")
    if large is False:
        return Suggestion(4, NOT_MET, "特殊な事情による大きな出費がない")
    return Suggestion(4, UNKNOWN, "特殊な事情または出費の大きさが未記入")


def _hard_to_work(life: Mapping[str, Any], figures: Mapping[str, Any], p: Params) -> Suggestion:
    difficulty = life.get("work_difficulty")
    if difficulty is True:
        return Suggestion(5, MET, "病気・障害等により働くことが困難な事情がある")
    if difficulty is False:
        return Suggestion(5, NOT_MET, "働くことが困難な事情がない")
    return Suggestion(5, UNKNOWN, "働くことが困難な事情の有無が未記入")


def _other(life: Mapping[str, Any], figures: Mapping[str, Any], p: Params) -> Suggestion:
    return Suggestion(6, UNKNOWN, "納付相談の内容から担当者が判断します")


RULES: tuple[Callable[[Mapping, Mapping, Params], Suggestion], ...] = (
    _lost_work,
    _rent,
    _rebuild,
    _family,
    _hard_to_work,
    _other,
)


def suggest(
    data: Mapping[str, Any], figures: Mapping[str, Any], params: Params
) -> list[Suggestion]:
    """Suggest each of the six criteria from a sheet's data and figures, with the reason."""
    life = data.get("life_situation") or {}
    return [rule(life, figures, params) for rule in RULES]
