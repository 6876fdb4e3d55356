"""The structured sheet: parse staff input into the stored form, and split it by category.

The stored form (``HearingSheet.data``) holds only the sections that have an answer; inside a
section every field is present (``None`` or ``""`` when not answered). Amounts are integer yen,
months ``"2026-03"``, dates ``"2025-01-31"``, periods ``{"fiscal_year", "from_period",
"to_period"}``, claims by ``claim_type_id`` (the ClaimType table, never a fixed list).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from typing import Any

from hub.documents.categories import InformationCategory
from hub.documents.hearing.money import TOTAL_MAX
from hub.documents.hearing.reader import Reader, blank
from hub.documents.hearing.schema import (
    ASSETS,
    DEBT_KINDS,
    EMPLOYMENT,
    EXPENSES,
    LABELS,
    LIFE_FLAGS,
    LIFE_TEXTS,
    MAX_ROWS,
    OTHER_INCOME,
    SECTIONS,
    TEXT_LIMITS,
)
from hub.errors import InvalidInput

EMPTY_SHEET = "少なくとも1つの項目を入力してください。"


def parse_sheet(
    raw: Any, claim_type_ids: Collection[int], *, today: date, from_form: bool = False
) -> dict[str, Any]:
    """Check a whole sheet and return its stored form; raise InvalidInput naming each field."""
    r = Reader(from_form=from_form, today=today)
    sections = r.mapping(raw, "sections", "シート", set(SECTIONS))
    parsers = {
        "arrears": lambda v: _arrears(r, v, claim_type_ids),
        "payment_plan": lambda v: _payment_plan(r, v, claim_type_ids),
        "household_budget": lambda v: _household_budget(r, v),
        "private_debts": lambda v: _private_debts(r, v),
        "assets": lambda v: _assets(r, v),
        "life_situation": lambda v: _life_situation(r, v),
    }
    data = {}
    for key in SECTIONS:
        value = parsers[key](sections.get(key))
        if value is not None and not blank(value):
            data[key] = value
    if r.errors:
        raise InvalidInput(fields=r.errors)
    if not data:
        raise InvalidInput(EMPTY_SHEET, fields={"sections": EMPTY_SHEET})
    return data


def _claim(r: Reader, value: Any, path: str, ids: Collection[int], seen: set[int]) -> int | None:
    number = value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        number = int(value)
    if not isinstance(number, int) or isinstance(number, bool) or number not in ids:
        r.error(path, "債権の指定が正しくありません。")
        return None
    if number in seen:
        r.error(path, "同じ債権が2回指定されています。")
        return None
    seen.add(number)
    return number


def _arrears(r: Reader, value: Any, ids: Collection[int]) -> dict | None:
    section = r.mapping(value, "arrears", "滞納状況", {"claims"})
    claims: list[dict[str, Any]] = []
    seen: set[int] = set()
    for i, row in r.rows(
        section.get("claims"), "arrears.claims", "滞納状況", len(ids) or 1, "claim_type_id"
    ):
        p = f"arrears.claims.{i}"
        r.mapping(row, p, "滞納状況", {"claim_type_id", "amount", "periods", "oldest_due", "notes"})
        claim = {
            "claim_type_id": _claim(r, row.get("claim_type_id"), f"{p}.claim_type_id", ids, seen),
            "amount": r.yen(row.get("amount"), f"{p}.amount", "滞納額", TOTAL_MAX),
            "periods": r.periods(
                row.get("periods"), f"{p}.periods", "年度・期", MAX_ROWS["periods"]
            ),
            "oldest_due": r.day(row.get("oldest_due"), f"{p}.oldest_due", LABELS["oldest_due"]),
            "notes": r.text(row.get("notes"), f"{p}.notes", "備考", TEXT_LIMITS["notes"]),
        }
        if claim["amount"] is None and f"{p}.amount" not in r.errors:
            r.error(f"{p}.amount", "滞納額を入力してください。")
        claims.append(claim)
    return {"claims": claims} if claims else None


def _payment_plan(r: Reader, value: Any, ids: Collection[int]) -> dict | None:
    section = r.mapping(value, "payment_plan", "納付計画", {"items", "notes"})
    items: list[dict[str, Any]] = []
    seen: set[int] = set()
    for i, row in r.rows(
        section.get("items"), "payment_plan.items", "納付計画", len(ids) or 1, "claim_type_id"
    ):
        p = f"payment_plan.items.{i}"
        r.mapping(row, p, "納付計画", {"claim_type_id", "monthly", "start", "until"})
        item = {
            "claim_type_id": _claim(r, row.get("claim_type_id"), f"{p}.claim_type_id", ids, seen),
            "monthly": r.yen(row.get("monthly"), f"{p}.monthly", "合意した月額"),
            "start": r.month(row.get("start"), f"{p}.start", "開始月"),
            "until": r.month(row.get("until"), f"{p}.until", "終了月"),
        }
        if item["monthly"] is None and f"{p}.monthly" not in r.errors:
            r.error(f"{p}.monthly", "合意した月額を入力してください。")
        start, until = item["start"], item["until"]
        if isinstance(start, str) and isinstance(until, str) and until < start:
            r.error(f"{p}.until", "終了月は開始月以降にしてください。")
        items.append(item)
    notes = r.text(section.get("notes"), "payment_plan.notes", "備考", TEXT_LIMITS["plan_notes"])
    return {"items": items, "notes": notes} if items or notes else None


def _amounts(r: Reader, value: Any, path: str, label: str, labels: Mapping[str, str]) -> dict:
    section = r.mapping(value, path, label, set(labels))
    return {key: r.yen(section.get(key), f"{path}.{key}", name) for key, name in labels.items()}


def _household_budget(r: Reader, value: Any) -> dict:
    p = "household_budget"
    section = r.mapping(
        value, p, "収支の状況", {"take_home", "other_income", "members", "expenses"}
    )
    members = []
    for i, row in r.rows(section.get("members"), f"{p}.members", "世帯員", MAX_ROWS["members"]):
        m = f"{p}.members.{i}"
        r.mapping(row, m, "世帯員", {"relationship", "age", "is_working"})
        member = {
            "relationship": r.text(
                row.get("relationship"), f"{m}.relationship", "続柄", TEXT_LIMITS["relationship"]
            ),
            "age": r.integer(row.get("age"), f"{m}.age", "年齢", 0, 120),
            "is_working": r.flag(row.get("is_working"), f"{m}.is_working", "就労"),
        }
        if not member["relationship"] and f"{m}.relationship" not in r.errors:
            r.error(f"{m}.relationship", "続柄を入力してください（例: 妻、長男、母）。")
        members.append(member)
    return {
        "take_home": r.yen(section.get("take_home"), f"{p}.take_home", "手取り収入"),
        "other_income": _amounts(
            r, section.get("other_income"), f"{p}.other_income", "その他の収入", OTHER_INCOME
        ),
        "members": members,
        "expenses": _amounts(r, section.get("expenses"), f"{p}.expenses", "支出", EXPENSES),
    }


def _private_debts(r: Reader, value: Any) -> dict | None:
    section = r.mapping(value, "private_debts", "民間債務の状況", {"debts"})
    debts = []
    path = "private_debts.debts"
    for i, row in r.rows(section.get("debts"), path, "民間債務", MAX_ROWS["debts"]):
        p = f"{path}.{i}"
        r.mapping(row, p, "民間債務", {"kind", "creditor", "total", "monthly", "is_overdue"})
        debt = {
            "kind": r.choice(row.get("kind"), f"{p}.kind", "種類", DEBT_KINDS),
            "creditor": r.text(
                row.get("creditor"), f"{p}.creditor", "借入先", TEXT_LIMITS["creditor"]
            ),
            "total": r.yen(row.get("total"), f"{p}.total", "債務総額", TOTAL_MAX),
            "monthly": r.yen(row.get("monthly"), f"{p}.monthly", "月返済額"),
            "is_overdue": r.flag(row.get("is_overdue"), f"{p}.is_overdue", "延滞"),
        }
        if debt["kind"] is None and f"{p}.kind" not in r.errors:
            r.error(f"{p}.kind", "種類を選んでください。")
        debts.append(debt)
    return {"debts": debts} if debts else None


def _assets(r: Reader, value: Any) -> dict:
    section = r.mapping(value, "assets", "財産の状況", set(ASSETS))
    result = {}
    for key, (label, amount_label) in ASSETS.items():
        p = f"assets.{key}"
        row = r.mapping(section.get(key), p, label, {"has", "value", "notes"})
        has = r.flag(row.get("has"), f"{p}.has", f"{label}の有無")
        amount = r.yen(row.get("value"), f"{p}.value", f"{label}の{amount_label}", TOTAL_MAX)
        if has is False and amount:
            r.error(f"{p}.value", f"{label}が「なし」のときは金額を入力しないでください。")
        notes = r.text(row.get("notes"), f"{p}.notes", f"{label}の備考", TEXT_LIMITS["notes"])
        has = True if has is None and amount else has
        result[key] = {"has": has, "value": amount, "notes": notes}
    return result


def _life_situation(r: Reader, value: Any) -> dict:
    p = "life_situation"
    keys = {"employment", "job_lost_on", *LIFE_FLAGS, *LIFE_TEXTS}
    section = r.mapping(value, p, "生活状況", keys)
    result: dict[str, Any] = {
        "employment": r.choice(
            section.get("employment"), f"{p}.employment", "就労の状況", EMPLOYMENT
        ),
        "job_lost_on": r.day(section.get("job_lost_on"), f"{p}.job_lost_on", LABELS["job_lost_on"]),
    }
    if result["job_lost_on"] and result["employment"] not in (None, "lost_job"):
        r.error(
            f"{p}.job_lost_on",
            "退職・失職した日は、就労の状況が「退職・失職した」のときに入力します。",
        )
    for key, label in LIFE_FLAGS.items():
        result[key] = r.flag(section.get(key), f"{p}.{key}", label)
    for key, (label, limit) in LIFE_TEXTS.items():
        result[key] = r.text(section.get(key), f"{p}.{key}", label, limit)
    return result


# ------------------------------------------------------------- sharing by category


def sheet_categories(sheet: Any) -> set[InformationCategory]:
    """Return the information categories a sheet carries (its filled sections only)."""
    data = sheet if isinstance(sheet, Mapping) else sheet.data
    return {SECTIONS[key][1] for key, value in data.items() if key in SECTIONS and not blank(value)}


def filtered_copy(
    sheet_data: Mapping[str, Any], categories: Collection[InformationCategory]
) -> dict[str, Any]:
    """Return a copy of the sheet holding only the sections of the given categories."""
    allowed = set(categories)
    return {
        key: _deep_copy(value)
        for key, value in sheet_data.items()
        if key in SECTIONS and SECTIONS[key][1] in allowed
    }


def _deep_copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value
