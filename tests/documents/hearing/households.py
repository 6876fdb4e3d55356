"""A household to start tests from: 山田さん (lost his job, heavy rent, two private debts)."""

from __future__ import annotations

from datetime import date
from typing import Any

from hub.models import ClaimType

#: The day the tests pretend it is (limitation warnings, future dates).
TODAY = date(2026, 11, 22)


def household(claims: dict[str, ClaimType] | None = None, **changes: Any) -> dict[str, Any]:
    """山田さんの世帯: lost his job, wants work, heavy rent, two private debts (API form)."""
    ids = {code: c.id for code, c in (claims or {}).items()} or {"kuminzei": 1, "kokuho": 2}
    sheet: dict[str, Any] = {
        "arrears": {
            "claims": [
                {
                    "claim_type_id": ids["kuminzei"],
                    "amount": "186,400",
                    "periods": "令和6年度 3期〜4期",
                },
                {"claim_type_id": ids["kokuho"], "amount": "142300円", "periods": "R7 1-6期"},
            ]
        },
        "household_budget": {
            "take_home": "160,000",
            "other_income": {"pension": "65000"},
            "members": [{"relationship": "母", "age": 74, "is_working": False}],
            "expenses": {
                "rent": "85000",
                "food": "42000",
                "utilities": "15000",
                "communication": "8000",
                "insurance": "4000",
                "medical": "6000",
                "transport": "5000",
                "other": "6000",
            },
        },
        "private_debts": {
            "debts": [
                {"kind": "consumer_finance", "creditor": "A社", "total": "60万", "monthly": 18000},
                {"kind": "credit_card", "total": 150000, "monthly": 6000, "is_overdue": False},
            ]
        },
        "life_situation": {
            "employment": "lost_job",
            "job_lost_on": "令和7年9月30日",
            "wants_work": True,
            "wants_rebuild": True,
            "work_difficulty": False,
            "family_circumstances": False,
        },
    }
    for path, value in changes.items():
        node = sheet
        *parents, last = path.split("__")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return sheet
