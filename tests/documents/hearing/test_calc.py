"""Derived figures, the affordable amount and the joint payment plan (no database)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub import settings
from hub.documents.hearing.calc import compute, formula
from hub.documents.hearing.plan import ClaimInfo, limitation, split
from hub.documents.hearing.sections import parse_sheet
from hub.documents.hearing.settings import DEFINITIONS, Params

from .households import TODAY, household

INFOS = {1: ClaimInfo(1, "特別区民税・都民税", 5), 2: ClaimInfo(2, "国民健康保険料", 2)}


def figures(raw, params: Params | None = None, today: date = TODAY):
    data = parse_sheet(raw, set(INFOS), today=today)
    return compute(data, params or Params(), INFOS, today)


def budget(take_home=None, rent=None, other=None, members=0, debts=(), **expenses):
    """A sheet with only a household budget (and private debts as (total, monthly) pairs)."""
    raw = {
        "household_budget": {
            "take_home": take_home,
            "other_income": {"pension": other},
            "members": [{"relationship": "子", "age": 10}] * members,
            "expenses": {"rent": rent, **expenses},
        }
    }
    if debts:
        raw["private_debts"] = {
            "debts": [{"kind": "bank", "total": t, "monthly": m} for t, m in debts]
        }
    return raw


def test_the_yamada_household():
    f = figures(household())
    assert f["monthly_income"] == 225_000  # 160,000 + pension 65,000
    assert f["monthly_expenses"] == 171_000
    assert f["private_repayment"] == 24_000
    assert f["surplus"] == 30_000
    assert round(f["rent_ratio"], 4) == 0.3778 and f["rent_heavy"] is True
    assert f["private_debt_total"] == 750_000
    assert round(f["debt_service_ratio"], 4) == 0.1067 and f["debt_service_heavy"] is False
    assert f["household_size"] == 2
    assert f["protected_amount"] == 145_000  # 100,000 + 45,000 × 1
    assert f["capacity"] == 56_000  # 225,000 − 145,000 − 24,000
    assert f["affordable"] == 30_000  # min(30,000, 56,000)
    assert f["arrears_total"] == 328_700
    lines = formula(f)
    assert lines[0] == (
        "① 月の余り = 月収入 225,000円 − 月支出 171,000円 − 民間返済 24,000円 = 30,000円"
    )
    assert "100,000円 + 45,000円 × 世帯員1人 = 145,000円" in lines[1]
    assert lines[-1].endswith("を100円未満切り捨て = 30,000円")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # (take-home, rent, …) → (surplus, affordable, rent heavy?)
        (budget(200_000, 50_000, food=40_000), (110_000, 100_000, False)),  # capped by protection
        (budget(300_000, 90_000, food=40_000), (170_000, 170_000, False)),  # 30% exactly: not heavy
        (budget(300_000, 90_001, food=40_000), (169_999, 169_900, True)),  # rounded down to 100
        (budget(150_000, 80_000, food=80_000), (-10_000, 0, True)),  # deficit: nothing to pay
        (budget(0, 50_000, food=30_000), (-80_000, 0, True)),  # no income, rent: heavy
        (budget(0, 0), (0, 0, False)),
        (budget(120_000, None, food=30_000), (90_000, 20_000, None)),  # rent unknown
        (budget(None, 60_000, other=180_000), (120_000, 80_000, True)),  # pension only
        (budget(400_000, 100_000, members=3, food=100_000), (200_000, 165_000, False)),
        (
            budget(250_000, 60_000, debts=[(900_000, 40_000)], food=50_000),
            (100_000, 100_000, False),
        ),
    ],
)
def test_surplus_affordable_amount_and_rent_burden(raw, expected):
    f = figures(raw)
    assert (f["surplus"], f["affordable"], f["rent_heavy"]) == expected
    assert f["affordable"] % 100 == 0


def test_without_income_or_expenses_nothing_is_suggested():
    f = figures(budget(None, 60_000))
    assert (f["monthly_income"], f["surplus"], f["affordable"], f["rent_ratio"]) == (
        None,
        None,
        None,
        None,
    )
    assert formula(f) == ["収入が未記入のため、納付可能額は算出できません。"]
    g = figures(budget(200_000))
    assert g["monthly_expenses"] is None and g["affordable"] is None
    assert formula(g) == ["支出が未記入のため、納付可能額は算出できません。"]


def test_debt_ratios_only_when_there_are_debts():
    f = figures(budget(200_000, 50_000, debts=[(1_000_000, 50_000)]))
    assert f["debt_service_ratio"] == 0.25 and f["debt_service_heavy"] is True
    assert f["debt_total_ratio"] == pytest.approx(1_000_000 / 2_400_000)
    assert f["debt_total_heavy"] is True  # more than a third of the annual income
    g = figures(budget(200_000, 50_000))
    assert g["debt_service_ratio"] is None and g["debt_service_heavy"] is None


def test_thresholds_come_from_the_settings():
    raw = budget(300_000, 100_000, food=50_000)
    assert figures(raw)["rent_heavy"] is True
    assert figures(raw, Params(rent_heavy_ratio=0.35))["rent_heavy"] is False
    kinder = Params(protected_base=150_000, protected_per_member=50_000, rounding_unit=1000)
    f = figures(budget(230_000, 60_000, members=1, food=30_000), kinder)
    assert f["protected_amount"] == 200_000 and f["affordable"] == 30_000
    assert f["params"]["rounding_unit"] == 1000


def test_params_defaults_are_the_setting_defaults():
    assert Params().as_dict() == {d.key.removeprefix("hearing."): d.default for d in DEFINITIONS}
    for definition in DEFINITIONS:
        assert settings.definition(definition.key) == definition
        assert definition.rationale and definition.label


# ------------------------------------------------------------------- the joint plan


def test_the_plan_splits_in_proportion_rounded_down_to_100():
    assert split([186_400, 142_300], 30_000, 100) == [17_000, 13_000]
    assert split([100_000, 100_000, 100_000], 10_000, 100) == [3_400, 3_300, 3_300]
    assert split([50_000], 0, 100) == [0]
    assert split([], 30_000, 100) == []


def test_what_clears_every_claim_in_a_month_is_all_that_is_proposed():
    # 3,050円 needs one payment of at most 3,100円 (a multiple of 100); the rest stays.
    assert split([3_050, 4_000], 30_000, 100) == [3_100, 4_000]
    # Remainders go to the largest fractions first: 1.49 → 1, 99.5 → 100 units.
    assert split([150, 10_000], 10_100, 100) == [100, 10_000]


@given(
    amounts=st.lists(st.integers(min_value=0, max_value=10_000_000_000), max_size=8),
    affordable=st.integers(min_value=-50_000, max_value=100_000_000),
    unit=st.sampled_from([1, 10, 100, 1000]),
)
def test_the_split_never_exceeds_what_the_resident_can_pay(amounts, affordable, unit):
    monthly = split(amounts, affordable, unit)
    assert len(monthly) == len(amounts)
    assert sum(monthly) <= max(affordable, 0)
    assert all(m >= 0 and m % unit == 0 for m in monthly)
    caps = [-(-a // unit) * unit for a in amounts]
    assert all(m <= cap for m, cap in zip(monthly, caps, strict=True))
    # Nothing affordable is left unused while a claim is still open.
    assert sum(monthly) == min(sum(caps), max(affordable, 0) // unit * unit)


def test_the_plan_says_how_long_and_flags_long_plans_and_limitation():
    f = figures(household())
    items = {i["claim_type_id"]: i for i in f["plan"]["items"]}
    assert f["plan"]["start"] == "2026-12" and f["plan"]["total_monthly"] == 30_000
    assert items[1]["monthly"] == 17_000 and items[1]["months"] == 11
    assert items[1]["until"] == "2027-10"
    assert items[2]["limitation"]["date"] == "2027-04-01"  # 令和7年度 + 2年, estimated
    assert items[2]["limitation"]["is_near"] is True  # within 6 months of 2026-11-22
    assert items[1]["limitation"]["is_near"] is False
    poor = figures(household(household_budget__take_home="120000"))
    assert poor["affordable"] == 0
    assert all(i["months"] is None and i["monthly"] == 0 for i in poor["plan"]["items"])
    slow = figures(household(), Params(plan_long_months=10))
    assert all(i["is_long"] for i in slow["plan"]["items"])


@pytest.mark.parametrize(
    ("claim", "years", "expected"),
    [
        ({"oldest_due": "2024-06-30"}, 2, ("2026-06-30", False, False, True)),
        ({"oldest_due": "2022-01-31"}, 5, ("2027-01-31", False, True, False)),
        (
            {"periods": [{"fiscal_year": 2022, "from_period": 1, "to_period": 4}]},
            5,
            ("2027-04-01", True, True, False),
        ),
        (
            {"periods": [{"fiscal_year": 2025, "from_period": 1, "to_period": 4}]},
            5,
            ("2030-04-01", True, False, False),
        ),
        ({}, 5, (None, False, False, False)),
    ],
)
def test_limitation_is_estimated_from_the_oldest_period(claim, years, expected):
    flag = limitation(claim, ClaimInfo(1, "x", years), Params(), TODAY)
    assert (flag["date"], flag["estimated"], flag["is_near"], flag["is_passed"]) == expected
