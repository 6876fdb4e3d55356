"""The hearing-sheet API: same services as the screens, every answer checked against the
OpenAPI document (the Api client of tests/api)."""

from __future__ import annotations

import typing

import pytest
from api.conftest import Api
from sqlalchemy import func, select

from hub.api.spec import document
from hub.auth.services import create_token
from hub.documents.hearing.models import CriteriaJudgement, HearingSheet

from .households import household


@pytest.fixture
def api(client, db, world):
    """Return a function giving the API client of one of the world's users."""
    spec = document(client.application)

    def as_(user) -> Api:
        _token, plain = create_token(db, user, "test")
        db.commit()
        return Api(client, spec, plain)

    return as_


def count(db, model) -> int:
    db.expire_all()
    found = db.scalar(select(func.count()).select_from(model))
    db.rollback()
    return found


def test_create_read_list_and_compare_versions(db, world, api):
    staff, base = api(world.staff), f"/cases/{world.case.id}"
    assert staff.get(f"{base}/sheet/versions").get_json() == {"items": []}
    assert staff.get(f"{base}/sheet").status_code == 404
    created = staff.post(
        f"{base}/sheet/versions", json={"based_on": 0, "sections": household(world.claims)}
    )
    assert created.status_code == 201
    body = created.get_json()
    assert created.headers["Location"].endswith(f"{base}/sheet?version=1")
    assert body["version"] == 1 and body["author"]["id"] == world.staff.id
    assert body["department"]["code"] == "nozei"
    assert body["categories"] == ["arrears", "household_budget", "life_situation", "private_debts"]
    assert body["sections"]["household_budget"]["take_home"] == 160_000
    assert body["figures"]["affordable"] == 30_000
    assert body["formula"][-1].endswith("= 30,000円")

    changed = household(world.claims)
    changed["household_budget"]["expenses"]["rent"] = 60_000
    refused = api(world.partner_staff).post(
        f"{base}/sheet/versions", json={"based_on": 1, "sections": changed}
    )
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "not_owner"
    second = api(world.manager).post(
        f"{base}/sheet/versions", json={"based_on": 1, "sections": changed}
    )
    assert second.status_code == 201 and second.get_json()["department"]["code"] == "nozei"
    listed = staff.get(f"{base}/sheet/versions").get_json()["items"]
    assert [v["version"] for v in listed] == [2, 1]
    assert staff.get(f"{base}/sheet?version=1").get_json()["figures"]["rent"] == 85_000
    assert staff.get(f"{base}/sheet").get_json()["version"] == 2
    compared = staff.get(f"{base}/sheet/compare?from=1&to=2").get_json()
    rent = next(c for c in compared["changes"] if c["field"] == "household_budget.expenses.rent")
    assert rent == {
        "section": "household_budget",
        "section_label": "収支の状況",
        "field": "household_budget.expenses.rent",
        "label": "家賃",
        "old": "85,000円",
        "new": "60,000円",
    }
    assert {c["section"] for c in compared["changes"]} == {"household_budget", "figures"}


def test_calculate_returns_figures_and_suggestions_without_saving(db, world, api):
    staff = api(world.staff)
    answer = staff.post(
        f"/cases/{world.case.id}/sheet/calculate", json={"sections": household(world.claims)}
    )
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["figures"]["plan"]["items"][0]["monthly"] == 17_000
    assert body["suggestions"][1] == {
        "criterion": 2,
        "title": "家賃の負担が大きい",
        "outcome": "met",
        "reason": "家賃が手取り収入の38%（目安30%）",
    }
    assert count(db, HearingSheet) == 0


def test_bad_input_is_400_with_field_messages_and_nothing_is_written(db, world, api):
    staff, url = api(world.staff), f"/cases/{world.case.id}/sheet/versions"
    bad = household(world.claims, household_budget__take_home="-1")
    bad["private_debts"]["debts"][0]["monthly"] = "2,000,000,000"
    answer = staff.post(url, json={"sections": bad})
    assert answer.status_code == 400
    fields = answer.get_json()["error"]["fields"]
    assert fields["household_budget.take_home"] == "手取り収入にマイナスの金額は入力できません。"
    assert "100,000,000円以下" in fields["private_debts.debts.0.monthly"]
    assert staff.post(url, json={"sections": {}}).status_code == 400
    assert (
        staff.post(url, json={"sections": household(world.claims), "extra": 1}).status_code == 400
    )
    assert (
        staff.post(url, json={"sections": household(world.claims), "based_on": "1"}).status_code
        == 400
    )
    assert staff.get(f"/cases/{world.case.id}/sheet?version=x").status_code == 400
    assert staff.get(f"/cases/{world.case.id}/sheet/compare?from=1").status_code == 400
    assert count(db, HearingSheet) == 0


def test_a_stale_save_is_409(db, world, api):
    staff, url = api(world.staff), f"/cases/{world.case.id}/sheet/versions"
    staff.post(url, json={"based_on": 0, "sections": household(world.claims)})
    answer = staff.post(url, json={"based_on": 0, "sections": household(world.claims)})
    assert answer.status_code == 409
    assert answer.get_json()["error"]["code"] == "sheet_outdated"
    unchanged = staff.post(url, json={"based_on": 1, "sections": household(world.claims)})
    assert unchanged.status_code == 400 and unchanged.get_json()["error"]["code"] == "unchanged"


def test_criteria_are_read_and_judged(db, world, api):
    staff, url = api(world.staff), f"/cases/{world.case.id}/criteria"
    empty = staff.get(url).get_json()
    assert empty["sheet_version"] is None and empty["meets"] is None
    assert all(i["suggestion"] is None for i in empty["items"])
    assert (
        staff.request(
            "PUT", url, {"version": 1, "decisions": {"1": {"decision": "met"}}}
        ).status_code
        == 400
    )
    staff.post(f"/cases/{world.case.id}/sheet/versions", json={"sections": household(world.claims)})
    state = staff.get(url).get_json()
    assert state["items"][0]["suggestion"]["outcome"] == "met"
    refused = staff.request("PUT", url, {"version": 1, "decisions": {"6": {"decision": "met"}}})
    assert refused.status_code == 400
    assert "decisions.6.reason" in refused.get_json()["error"]["fields"]
    judged = staff.request(
        "PUT",
        url,
        {
            "version": 1,
            "decisions": {
                "1": {"decision": "met"},
                "6": {"decision": "met", "reason": "近所づきあいがなく孤立している"},
            },
        },
    )
    assert judged.status_code == 200
    body = judged.get_json()
    assert body["meets"] is True and body["met"] == [1, 6]
    sixth = body["items"][5]["judgement"]
    assert sixth["is_overruled"] is True and sixth["suggestion"] == "unknown"
    assert sixth["judged_by"]["id"] == world.staff.id and sixth["sheet_version"] == 1
    stale = staff.request("PUT", url, {"version": 2, "decisions": {"1": {"decision": "met"}}})
    assert stale.status_code == 409
    assert count(db, CriteriaJudgement) == 2


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/sheet", None),
        ("GET", "/sheet/versions", None),
        ("POST", "/sheet/versions", {"sections": {"life_situation": {"notes": "x"}}}),
        ("GET", "/sheet/compare?from=1&to=1", None),
        ("POST", "/sheet/calculate", {"sections": {"life_situation": {"notes": "x"}}}),
        ("GET", "/criteria", None),
        ("PUT", "/criteria", {"version": 1, "decisions": {"1": {"decision": "met"}}}),
    ],
)
def test_outsiders_get_404_and_admins_403_on_every_endpoint(db, world, api, method, path, body):
    api(world.staff).post(
        f"/cases/{world.case.id}/sheet/versions", json={"sections": household(world.claims)}
    )
    url = f"/cases/{world.case.id}{path}"
    kwargs = {} if body is None else {"json": body}
    outsider = api(world.outsider).request(method, url, **kwargs)
    assert outsider.status_code == 404
    assert "山田" not in outsider.get_data(as_text=True)
    assert api(world.admin).request(method, url, **kwargs).status_code == 403
    # The partner on the case reads (cut by the consent: here nothing) and never writes.
    expected = 200 if method == "GET" else 403
    assert api(world.partner_staff).request(method, url, **kwargs).status_code == expected
    assert count(db, HearingSheet) == 1 and count(db, CriteriaJudgement) == 0


def test_errors_inside_a_sheet_are_keyed_by_their_path_in_the_sections(db, world, api):
    """The models' type errors name the field as the parser's own errors do (and the web form
    names its inputs): by the path inside ``sections``."""
    staff, url = api(world.staff), f"/cases/{world.case.id}/sheet/versions"
    typed = staff.post(url, json={"sections": {"household_budget": {"take_home": True}}})
    assert typed.status_code == 400
    assert list(typed.get_json()["error"]["fields"]) == ["household_budget.take_home"]
    assert "手取り収入" in typed.get_json()["error"]["fields"]["household_budget.take_home"]
    row = {"claim_type_id": world.claims["kuminzei"].id, "amount": "1,000", "bonus": 1}
    unknown = staff.post(url, json={"sections": {"arrears": {"claims": [row]}}})
    assert unknown.get_json()["error"]["fields"] == {
        "arrears.claims.0.bonus": "この項目は受け付けていません。"
    }
    parsed = staff.post(url, json={"sections": {"arrears": {"claims": [{**row, "bonus": None}]}}})
    assert "arrears.claims.0.bonus" in parsed.get_json()["error"]["fields"]
    nulled = staff.post(url, json={"based_on": None, "sections": household(world.claims)})
    assert "null" in nulled.get_json()["error"]["fields"]["based_on"]
    assert count(db, HearingSheet) == 0


def test_a_decision_error_names_its_criterion(db, world, api):
    staff = api(world.staff)
    staff.post(f"/cases/{world.case.id}/sheet/versions", json={"sections": household(world.claims)})
    decisions = {"6": {"decision": "met", "reason": "理" * 1001}, "7": {"decision": "met"}}
    refused = staff.request(
        "PUT", f"/cases/{world.case.id}/criteria", {"version": 1, "decisions": decisions}
    )
    assert refused.get_json()["error"]["fields"] == {
        "decisions.6.reason": "理由は1000文字以内で指定してください。",
        "decisions.7": "この項目は受け付けていません。",
    }


def test_compare_needs_both_versions_said_so_in_the_document(db, world, api):
    staff = api(world.staff)
    operation = staff.spec["paths"]["/cases/{case_id}/sheet/compare"]["get"]
    required = {p["name"]: p["required"] for p in operation["parameters"] if p["in"] == "query"}
    assert required == {"from": True, "to": True}
    missing = staff.get(f"/cases/{world.case.id}/sheet/compare?to=1")
    assert missing.get_json()["error"]["fields"] == {"from": "比較元の版を指定してください。"}
    # To a department not on the case, the case does not exist: 404 before the 400.
    assert api(world.outsider).get(f"/cases/{world.case.id}/sheet/compare").status_code == 404


def test_the_sheet_models_have_the_fields_of_the_sheet_tables():
    from hub.documents.hearing import schema, sheet_models
    from hub.documents.hearing.schemas import HearingParams
    from hub.documents.hearing.settings import Params

    def names(model) -> set[str]:
        return set(model.model_fields)

    for stored, lenient, table in (
        (sheet_models.OtherIncome, sheet_models.OtherIncomeInput, schema.OTHER_INCOME),
        (sheet_models.Expenses, sheet_models.ExpensesInput, schema.EXPENSES),
        (sheet_models.Assets, sheet_models.AssetsInput, schema.ASSETS),
        (sheet_models.HearingSections, sheet_models.HearingSectionsInput, schema.SECTIONS),
    ):
        assert names(stored) == names(lenient) == set(table)
    life = {"employment", "job_lost_on", *schema.LIFE_FLAGS, *schema.LIFE_TEXTS}
    assert names(sheet_models.LifeSituation) == names(sheet_models.LifeSituationInput) == life
    assert set(typing.get_args(sheet_models.DebtKind)) == set(schema.DEBT_KINDS)
    assert set(typing.get_args(sheet_models.Employment)) == set(schema.EMPLOYMENT)
    assert names(HearingParams) == set(Params().as_dict())
