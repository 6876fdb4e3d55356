"""The structured sheet: what is stored, what is refused (with the field), how it is split."""

from __future__ import annotations

import pytest

from hub.documents.categories import InformationCategory as C
from hub.documents.hearing.forms import to_form, unflatten
from hub.documents.hearing.sections import filtered_copy, parse_sheet, sheet_categories
from hub.errors import InvalidInput

from .households import TODAY, household

IDS = {1, 2, 3}


def parse(raw, **kwargs):
    return parse_sheet(raw, IDS, today=TODAY, **kwargs)


def refused(raw, **kwargs) -> dict[str, str]:
    with pytest.raises(InvalidInput) as err:
        parse(raw, **kwargs)
    return err.value.fields


def test_a_household_is_stored_as_integers_months_and_period_ranges():
    data = parse(household())
    assert data["arrears"]["claims"][0] == {
        "claim_type_id": 1,
        "amount": 186400,
        "periods": [{"fiscal_year": 2024, "from_period": 3, "to_period": 4}],
        "oldest_due": None,
        "notes": "",
    }
    budget = data["household_budget"]
    assert budget["take_home"] == 160000
    assert budget["other_income"] == {
        "pension": 65000,
        "allowance": None,
        "remittance": None,
        "other": None,
    }
    assert budget["members"] == [{"relationship": "母", "age": 74, "is_working": False}]
    assert data["private_debts"]["debts"][0]["total"] == 600000
    assert data["life_situation"]["job_lost_on"] == "2025-09-30"
    # Sections nobody answered are not stored at all.
    assert set(data) == {"arrears", "household_budget", "private_debts", "life_situation"}


def test_a_payment_plan_takes_wareki_months():
    data = parse(
        {
            "payment_plan": {
                "items": [
                    {"claim_type_id": 2, "monthly": "5,000", "start": "R7.4", "until": "令和8年3月"}
                ]
            }
        }
    )
    assert data == {
        "payment_plan": {
            "items": [
                {"claim_type_id": 2, "monthly": 5000, "start": "2025-04", "until": "2026-03"}
            ],
            "notes": "",
        }
    }


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"household_budget__take_home": "-5000"}, "household_budget.take_home", "マイナス"),
        ({"household_budget__take_home": "十万"}, "household_budget.take_home", "数字"),
        (
            {"household_budget__expenses": {"rent": "2,000,000,000"}},
            "household_budget.expenses.rent",
            "100,000,000円以下",
        ),
        (
            {"household_budget__members": [{"relationship": "", "age": 30}]},
            "household_budget.members.0.relationship",
            "続柄",
        ),
        (
            {"household_budget__members": [{"relationship": "子", "age": "130"}]},
            "household_budget.members.0.age",
            "0〜120",
        ),
        (
            {"arrears": {"claims": [{"claim_type_id": 99, "amount": 1}]}},
            "arrears.claims.0.claim_type_id",
            "債権",
        ),
        (
            {"arrears": {"claims": [{"claim_type_id": 1, "periods": "令和6年度 1期"}]}},
            "arrears.claims.0.amount",
            "滞納額を入力",
        ),
        (
            {"arrears": {"claims": [{"claim_type_id": 1, "amount": 1, "periods": "去年の分"}]}},
            "arrears.claims.0.periods",
            "令和6年度 1期〜4期",
        ),
        (
            {
                "arrears": {
                    "claims": [{"claim_type_id": 1, "amount": 1}, {"claim_type_id": 1, "amount": 2}]
                }
            },
            "arrears.claims.1.claim_type_id",
            "2回",
        ),
        (
            {"private_debts": {"debts": [{"total": 1000}]}},
            "private_debts.debts.0.kind",
            "種類を選んで",
        ),
        (
            {"private_debts": {"debts": [{"kind": "loan_shark", "total": 1000}]}},
            "private_debts.debts.0.kind",
            "値が正しくありません",
        ),
        ({"life_situation__job_lost_on": "令和9年1月1日"}, "life_situation.job_lost_on", "将来"),
        ({"life_situation__job_lost_on": "2025-02-30"}, "life_situation.job_lost_on", "存在しない"),
        ({"life_situation__wants_work": "yes"}, "life_situation.wants_work", "はい"),
        ({"life_situation__notes": "あ" * 2001}, "life_situation.notes", "2000文字以内"),
        ({"life_situation__notes": "bell\x07"}, "life_situation.notes", "制御文字"),
        ({"life_situation__mood": "good"}, "life_situation.mood", "受け付けていません"),
    ],
)
def test_bad_input_names_the_field_in_japanese(changes, field, fragment):
    fields = refused(household(**changes))
    assert field in fields, fields
    assert fragment in fields[field]


def test_every_error_is_reported_at_once():
    fields = refused(
        household(household_budget__take_home="x", life_situation__employment="retired")
    )
    assert set(fields) == {"household_budget.take_home", "life_situation.employment"}


def test_an_empty_sheet_is_refused():
    assert "sections" in refused({})
    assert "sections" in refused({"household_budget": {"expenses": {"rent": ""}}, "assets": {}})
    assert "sections" in refused(None)


def test_a_plan_ending_before_it_starts_is_refused():
    raw = {
        "payment_plan": {
            "items": [{"claim_type_id": 1, "monthly": 100, "start": "2026-04", "until": "2026-03"}]
        }
    }
    assert "終了月" in refused(raw)["payment_plan.items.0.until"]


def test_assets_with_an_amount_but_marked_none_are_contradictory():
    raw = {"assets": {"deposits": {"has": False, "value": 5000}}}
    assert "payment_plan" not in refused(raw)
    assert "assets.deposits.value" in refused(raw)
    data = parse({"assets": {"deposits": {"value": 5000}}})
    assert data["assets"]["deposits"] == {"has": True, "value": 5000, "notes": ""}


def test_the_form_round_trips_through_dotted_names(world):
    claims = list(world.claims.values())
    data = parse_sheet(household(world.claims), {c.id for c in claims}, today=TODAY)
    form = to_form(data, claims)
    assert form["arrears.claims.0.amount"] == "186,400"
    assert form["arrears.claims.0.periods"] == "令和6年度 3期〜4期"
    assert form["life_situation.job_lost_on"] == "令和7年9月30日"
    assert form["household_budget.members.0.is_working"] == "no"
    # Hidden claim ids as the form sends them, and nothing else.
    for row, claim in enumerate(claims):
        form[f"arrears.claims.{row}.claim_type_id"] = str(claim.id)
        form[f"payment_plan.items.{row}.claim_type_id"] = str(claim.id)
    form["csrf_token"] = "ignored"
    again = parse_sheet(unflatten(form), {c.id for c in claims}, today=TODAY, from_form=True)
    assert again == data


def test_categories_are_the_filled_sections():
    data = parse(household())
    assert sheet_categories(data) == {
        C.ARREARS,
        C.HOUSEHOLD_BUDGET,
        C.PRIVATE_DEBTS,
        C.LIFE_SITUATION,
    }
    only = filtered_copy(data, {C.ARREARS, C.ASSETS, C.SUPPORT_STATUS})
    assert only == {"arrears": data["arrears"]}
    only["arrears"]["claims"].clear()
    assert data["arrears"]["claims"], "the copy is deep: the sheet itself is untouched"
    assert filtered_copy(data, set()) == {}
