"""A sheet as labelled lines of text: for the read-only view and the field-by-field compare."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from typing import Any

from hub import jp
from hub.documents.hearing import dates
from hub.documents.hearing.calc import percent
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

NONE = "—"


@dataclass(frozen=True)
class Line:
    #: Stable identity of the line across versions (a dotted path, claims by id).
    key: str
    section: str
    label: str
    text: str


def yen(value: int | None) -> str:
    return NONE if value is None else jp.yen(value)


def flag(value: bool | None, yes: str = "はい", no: str = "いいえ") -> str:
    return NONE if value is None else (yes if value else no)


def day(value: str | None) -> str:
    return jp.wareki(date.fromisoformat(value)) if value else NONE


def ratio(value: float | None) -> str:
    return NONE if value is None else f"{percent(value)}%"


def lines(data: Mapping[str, Any], claim_names: Mapping[int, str]) -> list[Line]:
    """Every answered field of a sheet as a labelled line, in the order of the paper sheet."""
    out: list[Line] = []

    def add(section: str, key: str, label: str, value: str) -> None:
        out.append(Line(f"{section}.{key}", SECTIONS[section][0], label, value))

    def claim(cid: int) -> str:
        return claim_names.get(cid, f"債権{cid}")

    for c in (data.get("arrears") or {}).get("claims", []):
        name, cid = claim(c["claim_type_id"]), c["claim_type_id"]
        add("arrears", f"{cid}.amount", f"{name}：滞納額", yen(c["amount"]))
        add(
            "arrears",
            f"{cid}.periods",
            f"{name}：年度・期",
            dates.periods_label(c["periods"]) or NONE,
        )
        if c.get("oldest_due"):
            add(
                "arrears",
                f"{cid}.oldest_due",
                f"{name}：{LABELS['oldest_due']}",
                day(c["oldest_due"]),
            )
        if c.get("notes"):
            add("arrears", f"{cid}.notes", f"{name}：備考", c["notes"])
    plan = data.get("payment_plan") or {}
    for item in plan.get("items", []):
        cid = item["claim_type_id"]
        start = dates.month_label(item["start"]) or "未定"
        span = f"{start}〜{dates.month_label(item['until']) or '未定'}"
        add(
            "payment_plan",
            f"{cid}",
            f"{claim(cid)}：合意した月額・期間",
            f"{yen(item['monthly'])}（{span}）",
        )
    if plan.get("notes"):
        add("payment_plan", "notes", "備考", plan["notes"])
    _budget(data.get("household_budget"), add)
    for i, d in enumerate((data.get("private_debts") or {}).get("debts", []), 1):
        who = f"{DEBT_KINDS.get(d['kind'] or '', NONE)}" + (
            f"（{d['creditor']}）" if d["creditor"] else ""
        )
        overdue = {True: "延滞あり", False: "延滞なし", None: "延滞は未確認"}[d["is_overdue"]]
        add(
            "private_debts",
            f"debts.{i}",
            f"民間債務{i}",
            f"{who} 総額{yen(d['total'])}・月返済{yen(d['monthly'])}・{overdue}",
        )
    for key, (label, amount_label) in ASSETS.items():
        a = ((data.get("assets") or {}).get(key)) or {}
        if a and (a.get("has") is not None or a.get("value") is not None or a.get("notes")):
            value = flag(a.get("has"), "あり", "なし")
            if a.get("value") is not None:
                value += f"（{amount_label} {yen(a['value'])}）"
            if a.get("notes"):
                value += f" {a['notes']}"
            add("assets", key, label, value)
    _life(data.get("life_situation"), add)
    return out


def _budget(budget: Mapping[str, Any] | None, add) -> None:
    if not budget:
        return
    s = "household_budget"
    add(s, "take_home", LABELS["take_home"], yen(budget["take_home"]))
    for key, label in OTHER_INCOME.items():
        if budget["other_income"].get(key) is not None:
            add(s, f"other_income.{key}", label, yen(budget["other_income"][key]))
    for i, m in enumerate(budget.get("members", []), 1):
        age = f"{m['age']}歳" if m["age"] is not None else "年齢未確認"
        work = {True: "就労している", False: "就労していない", None: "就労は未確認"}[
            m["is_working"]
        ]
        add(s, f"members.{i}", f"世帯員{i}", f"{m['relationship']}・{age}・{work}")
    for key, label in EXPENSES.items():
        if budget["expenses"].get(key) is not None:
            add(s, f"expenses.{key}", label, yen(budget["expenses"][key]))


def _life(life: Mapping[str, Any] | None, add) -> None:
    if not life:
        return
    s = "life_situation"
    if life.get("employment"):
        add(s, "employment", LABELS["employment"], EMPLOYMENT[life["employment"]])
    if life.get("job_lost_on"):
        add(s, "job_lost_on", LABELS["job_lost_on"], day(life["job_lost_on"]))
    for key, label in LIFE_FLAGS.items():
        if life.get(key) is not None:
            add(s, key, label, flag(life[key]))
    for key, (label, _limit) in LIFE_TEXTS.items():
        if life.get(key):
            add(s, key, label, life[key])


def grouped(found: list[Line]) -> list[tuple[str, list[Line]]]:
    """Group lines by their section, keeping the sheet's order."""
    return [(section, list(rows)) for section, rows in groupby(found, key=lambda x: x.section)]


def figure_lines(figures: Mapping[str, Any]) -> list[Line]:
    """The key derived figures as lines (the compare view shows how they moved)."""
    f = figures
    rows = [
        ("monthly_income", "月収入", yen(f.get("monthly_income"))),
        ("monthly_expenses", "月支出", yen(f.get("monthly_expenses"))),
        ("private_repayment", "民間債務の月返済額", yen(f.get("private_repayment"))),
        ("surplus", "月の余り", yen(f.get("surplus"))),
        ("rent_ratio", "家賃比率", ratio(f.get("rent_ratio"))),
        ("private_debt_total", "民間債務の総額", yen(f.get("private_debt_total"))),
        ("debt_service_ratio", "返済比率", ratio(f.get("debt_service_ratio"))),
        ("protected_amount", "保護する生活費", yen(f.get("protected_amount"))),
        ("affordable", "納付可能額（提案）", yen(f.get("affordable"))),
    ]
    return [Line(f"figures.{key}", "算出値", label, value) for key, label, value in rows]


@dataclass(frozen=True)
class Change:
    section: str
    key: str
    label: str
    old: str
    new: str


def diff(old: list[Line], new: list[Line]) -> list[Change]:
    """Compare two versions' lines: what was added, removed or changed, in sheet order."""
    before = {line.key: line for line in old}
    after = {line.key: line for line in new}
    order = [line.key for line in new]
    # A removed line goes back where it stood: after the last line before it that remains.
    place = 0
    for line in old:
        if line.key in after:
            place = order.index(line.key) + 1
        else:
            order.insert(place, line.key)
            place += 1
    changes = []
    for key in order:
        a, b = before.get(key), after.get(key)
        if a is not None and b is not None and a.text == b.text:
            continue
        shown = b or a
        assert shown is not None  # a key is in one of the versions at least
        changes.append(
            Change(shown.section, key, shown.label, a.text if a else NONE, b.text if b else NONE)
        )
    return changes
