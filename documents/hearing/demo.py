"""Demo: a hearing sheet and 共通目安 decisions for 山田 太郎 (宛名番号 0001000001, 納税課).

He lost his job, lives with his mother on her pension and his part-time pay, pays a heavy
rent and two private debts, and wants work and a fresh start: criteria 1–3 apply.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.documents.hearing import judgements, services
from hub.models import Case, ClaimType, Resident, User

ATENA_NO = "0001000001"
AUTHOR = "nozei01"


def _sheet(claims: dict[str, int]) -> dict[str, Any]:
    return {
        "arrears": {
            "claims": [
                {
                    "claim_type_id": claims["kuminzei"],
                    "amount": 186_400,
                    "periods": "令和6年度 3期〜4期、令和7年度 1期〜4期",
                    "notes": "督促状送付済み",
                },
                {
                    "claim_type_id": claims["kokuho"],
                    "amount": 142_300,
                    "periods": "令和7年度 1期〜6期",
                    "notes": "",
                },
            ]
        },
        "household_budget": {
            "take_home": 160_000,
            "other_income": {"pension": 65_000},
            "members": [{"relationship": "母", "age": 74, "is_working": False}],
            "expenses": {
                "rent": 85_000,
                "food": 42_000,
                "utilities": 15_000,
                "communication": 8_000,
                "insurance": 4_000,
                "medical": 6_000,
                "transport": 5_000,
                "other": 6_000,
            },
        },
        "private_debts": {
            "debts": [
                {
                    "kind": "consumer_finance",
                    "creditor": "A社",
                    "total": 600_000,
                    "monthly": 18_000,
                    "is_overdue": True,
                },
                {
                    "kind": "credit_card",
                    "creditor": "Bカード",
                    "total": 150_000,
                    "monthly": 6_000,
                    "is_overdue": False,
                },
            ]
        },
        "assets": {
            "real_estate": {"has": False},
            "deposits": {"has": True, "value": 32_000, "notes": "給与振込口座"},
            "life_insurance": {"has": False},
            "vehicles": {"has": False},
        },
        "life_situation": {
            "employment": "lost_job",
            "job_lost_on": "2025-09-30",
            "income_reduced": True,
            "wants_work": True,
            "work_difficulty": False,
            "family_circumstances": False,
            "wants_rebuild": True,
            "notes": "倉庫の正社員を退職後、週3日のアルバイト。正社員での再就職を希望。",
        },
    }


def load(session: Session) -> bool:
    """Add the demo sheet and decisions once; return False if the case already has a sheet."""
    case = session.scalar(
        select(Case).join(Resident).where(Resident.atena_no == ATENA_NO).order_by(Case.id)
    )
    author = session.scalar(select(User).where(User.login_id == AUTHOR))
    if case is None or author is None or services.latest(session, case.id) is not None:
        return False
    claims = {c.code: c.id for c in session.scalars(select(ClaimType))}
    if not {"kuminzei", "kokuho"} <= set(claims):
        return False
    sheet = services.save(session, author, case.id, _sheet(claims), based_on=0)
    decisions = {
        "1": {"decision": "met", "reason": ""},
        "2": {"decision": "met", "reason": ""},
        "3": {"decision": "met", "reason": ""},
        "4": {"decision": "not_met", "reason": ""},
        "5": {"decision": "not_met", "reason": ""},
    }
    judgements.judge(session, author, case.id, sheet.version, decisions)
    return True
