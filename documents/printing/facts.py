"""Hearing-sheet facts a counselling window can be linked to, each read from one section.

A fact is only looked at in what the reader may see of a sheet (a VisibleSheet's data), so a
handout never suggests a window from a section the consent withholds from the reader.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from hub.documents.categories import InformationCategory

LIFE = InformationCategory.LIFE_SITUATION
DEBTS = InformationCategory.PRIVATE_DEBTS
BUDGET = InformationCategory.HOUSEHOLD_BUDGET
ARREARS = InformationCategory.ARREARS


@dataclass(frozen=True)
class Fact:
    key: str
    label: str
    #: The section it is read from: a reader without that category never matches it.
    category: InformationCategory
    test: Callable[[Mapping[str, Any], Mapping[str, Any] | None], bool]


def _life(data: Mapping[str, Any]) -> Mapping[str, Any]:
    return data.get("life_situation") or {}


def _debts(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list((data.get("private_debts") or {}).get("debts") or [])


FACTS: dict[str, Fact] = {
    f.key: f
    for f in (
        Fact(
            "income_lost",
            "退職・失職・休業等で収入が減った",
            LIFE,
            lambda d, _f: (
                _life(d).get("employment") == "lost_job" or _life(d).get("income_reduced") is True
            ),
        ),
        Fact(
            "wants_work",
            "就労を希望している",
            LIFE,
            lambda d, _f: _life(d).get("wants_work") is True,
        ),
        Fact(
            "work_difficulty",
            "働くことが困難な事情（病気・障害等）がある",
            LIFE,
            lambda d, _f: _life(d).get("work_difficulty") is True,
        ),
        Fact(
            "family_circumstances",
            "家族等に介護その他の特殊な事情がある",
            LIFE,
            lambda d, _f: _life(d).get("family_circumstances") is True,
        ),
        Fact(
            "wants_rebuild",
            "生活再建を希望している",
            LIFE,
            lambda d, _f: _life(d).get("wants_rebuild") is True,
        ),
        Fact("private_debts", "民間債務がある", DEBTS, lambda d, _f: bool(_debts(d))),
        Fact(
            "consumer_credit",
            "消費者金融・クレジットカードの借入がある",
            DEBTS,
            lambda d, _f: any(
                x.get("kind") in ("consumer_finance", "credit_card") for x in _debts(d)
            ),
        ),
        Fact(
            "scholarship",
            "奨学金の返済がある",
            DEBTS,
            lambda d, _f: any(x.get("kind") == "scholarship" for x in _debts(d)),
        ),
        Fact(
            "rent_heavy",
            "家賃の負担が大きい（収入に占める家賃の割合が目安を超える）",
            BUDGET,
            lambda _d, f: bool(f and f.get("rent_heavy")),
        ),
        Fact(
            "several_claims",
            "複数の税・保険料を滞納している",
            ARREARS,
            lambda d, _f: len((d.get("arrears") or {}).get("claims") or []) > 1,
        ),
    )
}


def present(data: Mapping[str, Any], figures: Mapping[str, Any] | None) -> set[str]:
    """The facts that hold in a (cut) sheet's data."""
    return {key for key, fact in FACTS.items() if fact.test(data, figures)}
