"""The HTML form of the sheet: input names are the dotted paths the parser reports errors on.

``unflatten`` turns ``household_budget.members.0.age`` style fields into the nested sheet the
parser reads; ``to_form`` turns a saved sheet back into input values to edit it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from hub import jp
from hub.documents.hearing import dates
from hub.documents.hearing.schema import ASSETS, SECTIONS
from hub.models import ClaimType

#: Blank rows offered below the filled ones (the page works without JavaScript).
SPARE_ROWS = 2
MIN_ROWS = 3


def unflatten(form: Mapping[str, str]) -> dict[str, Any]:
    """Build the nested sheet from dotted field names; levels keyed 0, 1, … become lists."""
    tree: dict[str, Any] = {}
    for name, value in form.items():
        parts = name.split(".")
        if parts[0] not in SECTIONS or len(parts) > 5 or not all(parts):
            continue
        node = tree
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                break
        else:
            node.setdefault(parts[-1], value)
    return _lists(tree)


def _lists(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    if node and all(k.isascii() and k.isdigit() and len(k) <= 3 for k in node):
        size = max(int(k) for k in node) + 1
        return [_lists(node.get(str(i))) for i in range(size)]
    return {k: _lists(v) for k, v in node.items()}


def _yen(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def _day(value: str | None) -> str:
    return jp.wareki(date.fromisoformat(value)) if value else ""


def _flag(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def to_form(data: Mapping[str, Any], claims: Iterable[ClaimType]) -> dict[str, str]:
    """Turn a saved sheet into input values (amounts with commas, months in 和暦)."""
    values: dict[str, str] = {}
    order = [c.id for c in claims]
    arrears = {c["claim_type_id"]: c for c in (data.get("arrears") or {}).get("claims", [])}
    plan = {i["claim_type_id"]: i for i in (data.get("payment_plan") or {}).get("items", [])}
    for row, cid in enumerate(order):
        if c := arrears.get(cid):
            p = f"arrears.claims.{row}"
            values[f"{p}.amount"] = _yen(c["amount"])
            values[f"{p}.periods"] = dates.periods_label(c["periods"])
            values[f"{p}.oldest_due"] = _day(c["oldest_due"])
            values[f"{p}.notes"] = c["notes"]
        if i := plan.get(cid):
            p = f"payment_plan.items.{row}"
            values[f"{p}.monthly"] = _yen(i["monthly"])
            values[f"{p}.start"] = dates.month_label(i["start"])
            values[f"{p}.until"] = dates.month_label(i["until"])
    values["payment_plan.notes"] = (data.get("payment_plan") or {}).get("notes", "")
    budget = data.get("household_budget") or {}
    values["household_budget.take_home"] = _yen(budget.get("take_home"))
    for group in ("other_income", "expenses"):
        for key, amount in (budget.get(group) or {}).items():
            values[f"household_budget.{group}.{key}"] = _yen(amount)
    for i, m in enumerate(budget.get("members", [])):
        p = f"household_budget.members.{i}"
        values[f"{p}.relationship"] = m["relationship"]
        values[f"{p}.age"] = "" if m["age"] is None else str(m["age"])
        values[f"{p}.is_working"] = _flag(m["is_working"])
    for i, d in enumerate((data.get("private_debts") or {}).get("debts", [])):
        p = f"private_debts.debts.{i}"
        values.update(
            {
                f"{p}.kind": d["kind"] or "",
                f"{p}.creditor": d["creditor"],
                f"{p}.total": _yen(d["total"]),
                f"{p}.monthly": _yen(d["monthly"]),
                f"{p}.is_overdue": _flag(d["is_overdue"]),
            }
        )
    for key in ASSETS:
        a = (data.get("assets") or {}).get(key) or {}
        values[f"assets.{key}.has"] = _flag(a.get("has"))
        values[f"assets.{key}.value"] = _yen(a.get("value"))
        values[f"assets.{key}.notes"] = a.get("notes", "")
    for key, value in (data.get("life_situation") or {}).items():
        if key == "job_lost_on":
            value = _day(value)
        values[f"life_situation.{key}"] = (
            _flag(value) if isinstance(value, bool) or value is None else str(value)
        )
    return {k: v for k, v in values.items() if v}


def with_plan(form: Mapping[str, str], plan: Mapping[str, Any], claims: Iterable[ClaimType]):
    """Copy the proposed joint plan into the payment-plan inputs (staff edit it, then save)."""
    values = dict(form)
    rows = {c.id: row for row, c in enumerate(claims)}
    for item in plan.get("items", []):
        row = rows.get(item["claim_type_id"])
        if row is None:
            continue
        p = f"payment_plan.items.{row}"
        monthly = item["monthly"]
        values[f"{p}.monthly"] = _yen(monthly) if monthly else ""
        values[f"{p}.start"] = dates.month_label(plan["start"]) if monthly else ""
        values[f"{p}.until"] = dates.month_label(item["until"]) if monthly else ""
    return values


def row_count(form: Mapping[str, str], prefix: str, limit: int) -> int:
    """How many rows of a list to print: the filled ones, then a few blank ones."""
    used = [
        int(name[len(prefix) :].split(".", 1)[0])
        for name, value in form.items()
        if name.startswith(prefix)
        and name[len(prefix) :].split(".", 1)[0].isdigit()
        and str(value).strip()
    ]
    return min(max(MIN_ROWS, (max(used) + 1 if used else 0) + SPARE_ROWS), limit + SPARE_ROWS)
