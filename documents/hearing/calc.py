"""Derived figures of a sheet: income, expenses, surplus, ratios, protected living amount, and
the suggested affordable monthly payment toward the public claims.

Formulas (all amounts monthly, integer yen; settings in documents/hearing/settings.py):

- 月収入 = 手取り収入 + 年金 + 手当 + 仕送り + その他の収入
- 月支出 = the nine expense lines; 民間返済 = the monthly repayments of the private debts
- 月の余り = 月収入 − 月支出 − 民間返済
- 家賃比率 = 家賃 ÷ 月収入; 返済比率 = 民間返済 ÷ 月収入; 債務年収比 = 債務総額 ÷ (月収入 × 12)
- 保護する生活費 = 本人分 + 世帯員1人あたりの額 × 世帯員数 (国税徴収法第76条に倣う)
- 保護後の余力 = 月収入 − 保護する生活費 − 民間返済
- 納付可能額 = min(月の余り, 保護後の余力) を 0 未満なら 0 とし、端数処理の単位で切り捨て

hub/static/js/hearing.js computes the same figures while staff type (``compute``); a browser
test feeds both the same households.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from hub.documents.hearing.money import floor_to
from hub.documents.hearing.plan import ClaimInfo, propose
from hub.documents.hearing.settings import Params
from hub.jp import yen


def _known_sum(values: Iterable[int | None]) -> int | None:
    """Sum the answered amounts; None when nothing was answered."""
    answered = [v for v in values if v is not None]
    return sum(answered) if answered else None


def _ratio(part: int | None, whole: int | None) -> float | None:
    return part / whole if part is not None and whole else None


def _heavy(part: int | None, whole: int | None, threshold: float) -> bool | None:
    """part > threshold × whole; with no income, any payment at all is heavy."""
    if part is None or whole is None:
        return None
    return part > threshold * whole if whole else part > 0


def percent(ratio: float | None) -> int | None:
    """Round a ratio to a whole percent, halves up (the same in Python and JavaScript)."""
    return None if ratio is None else math.floor(ratio * 100 + 0.5)


def compute(
    data: Mapping[str, Any],
    params: Params,
    claims: Mapping[int, ClaimInfo],
    today: date,
) -> dict[str, Any]:
    """Compute the derived figures and the proposed joint plan of a (parsed) sheet."""
    budget = data.get("household_budget") or {}
    other = budget.get("other_income") or {}
    expense_lines = budget.get("expenses") or {}
    debts = (data.get("private_debts") or {}).get("debts") or []
    arrears = (data.get("arrears") or {}).get("claims") or []

    income = _known_sum([budget.get("take_home"), *other.values()])
    expenses = _known_sum(expense_lines.values())
    rent = expense_lines.get("rent")
    repayment = sum(d.get("monthly") or 0 for d in debts)
    debt_total = sum(d.get("total") or 0 for d in debts)
    members = len(budget.get("members") or [])
    protected = params.protected_base + params.protected_per_member * members

    surplus = income - expenses - repayment if income is not None and expenses is not None else None
    capacity = income - protected - repayment if income is not None else None
    affordable = None
    if surplus is not None and capacity is not None:
        affordable = floor_to(max(0, min(surplus, capacity)), params.rounding_unit)
    annual = income * 12 if income is not None else None
    agreed = _known_sum(i.get("monthly") for i in (data.get("payment_plan") or {}).get("items", []))

    return {
        "monthly_income": income,
        "monthly_expenses": expenses,
        "rent": rent,
        "private_repayment": repayment,
        "surplus": surplus,
        "rent_ratio": _ratio(rent, income),
        "rent_heavy": _heavy(rent, income, params.rent_heavy_ratio),
        "private_debt_total": debt_total,
        "debt_service_ratio": _ratio(repayment, income) if debts else None,
        "debt_service_heavy": _heavy(repayment, income, params.debt_service_heavy_ratio)
        if debts
        else None,
        "debt_total_ratio": _ratio(debt_total, annual) if debts else None,
        "debt_total_heavy": _heavy(debt_total, annual, params.debt_total_heavy_ratio)
        if debts
        else None,
        "household_size": 1 + members,
        "protected_amount": protected,
        "capacity": capacity,
        "affordable": affordable,
        "arrears_total": sum(c.get("amount") or 0 for c in arrears),
        "assets_total": sum(
            (a or {}).get("value") or 0 for a in (data.get("assets") or {}).values()
        ),
        "agreed_monthly": agreed,
        "agreed_over_affordable": agreed > affordable
        if agreed is not None and affordable is not None
        else None,
        "plan": propose(arrears, affordable, claims, params, today),
        "params": params.as_dict(),
    }


def formula(figures: Mapping[str, Any]) -> list[str]:
    """Explain the affordable amount in words and numbers, one line per step."""
    if figures.get("affordable") is None:
        if figures.get("monthly_income") is None:
            return ["収入が未記入のため、納付可能額は算出できません。"]
        return ["支出が未記入のため、納付可能額は算出できません。"]
    p = figures["params"]
    members = figures["household_size"] - 1
    return [
        f"① 月の余り = 月収入 {yen(figures['monthly_income'])} − 月支出 "
        f"{yen(figures['monthly_expenses'])} − 民間返済 {yen(figures['private_repayment'])} "
        f"= {yen(figures['surplus'])}",
        f"② 保護する生活費 = {yen(p['protected_base'])} + {yen(p['protected_per_member'])} × "
        f"世帯員{members}人 = {yen(figures['protected_amount'])}（国税徴収法第76条に倣う）",
        f"③ 保護後の余力 = 月収入 {yen(figures['monthly_income'])} − 保護する生活費 "
        f"{yen(figures['protected_amount'])} − 民間返済 {yen(figures['private_repayment'])} "
        f"= {yen(figures['capacity'])}",
        f"納付可能額 = ①と③の小さい方（0円未満は0円）を{yen(p['rounding_unit'])}未満切り捨て "
        f"= {yen(figures['affordable'])}",
    ]
