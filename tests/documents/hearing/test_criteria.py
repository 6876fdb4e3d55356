"""The six 共通目安: what the rules suggest from a sheet, and why (no database)."""

from __future__ import annotations

import pytest

from hub.documents.hearing.calc import compute
from hub.documents.hearing.criteria import CRITERIA, suggest
from hub.documents.hearing.models import Outcome
from hub.documents.hearing.plan import ClaimInfo
from hub.documents.hearing.sections import parse_sheet
from hub.documents.hearing.settings import Params

from .households import TODAY, household

MET, NOT_MET, UNKNOWN = Outcome.MET, Outcome.NOT_MET, Outcome.UNKNOWN
INFOS = {1: ClaimInfo(1, "特別区民税・都民税", 5), 2: ClaimInfo(2, "国民健康保険料", 2)}


def suggestion(number: int, raw, params: Params | None = None):
    params = params or Params()
    data = parse_sheet(raw, set(INFOS), today=TODAY)
    found = suggest(data, compute(data, params, INFOS, TODAY), params)
    assert [s.criterion for s in found] == [1, 2, 3, 4, 5, 6]
    return found[number - 1]


def life(**answers):
    """A sheet with only the life situation (and an amount so that it is not empty)."""
    return {"life_situation": answers, "arrears": {"claims": [{"claim_type_id": 1, "amount": 1}]}}


def rent(take_home, rent_amount, pension=None):
    budget = {"take_home": take_home, "other_income": {"pension": pension}}
    return {"household_budget": {**budget, "expenses": {"rent": rent_amount}}}


CASES = [
    # 1 — 退職・失職等で収入がない又は減った かつ 就労を希望
    (
        1,
        household(),
        MET,
        "令和7年9月30日に退職・失職し、就労を希望している（現在の月収入 225,000円）",
    ),
    (
        1,
        life(employment="working", income_reduced=True, wants_work=True),
        MET,
        "収入が減少し、就労を希望している",
    ),
    (1, life(employment="lost_job", wants_work=False), NOT_MET, "就労を希望していない"),
    (
        1,
        life(employment="working", income_reduced=False, wants_work=True),
        NOT_MET,
        "退職・失職や収入の減少がない",
    ),
    (1, life(employment="lost_job"), UNKNOWN, "就労の希望が未記入"),
    (1, life(wants_work=True), UNKNOWN, "就労の状況・収入の減少が未記入"),
    # 2 — 収入に占める家賃が大きい
    (2, household(), MET, "家賃が手取り収入の38%（目安30%）"),
    (2, rent(200_000, 42_000), NOT_MET, "家賃は手取り収入の21%（目安30%以下）"),
    (2, rent(200_000, 60_000), NOT_MET, "家賃は手取り収入の30%（目安30%以下）"),
    (2, rent(200_000, 60_100), MET, "家賃が手取り収入の30.1%（目安30%）"),
    (2, rent(0, 50_000), MET, "収入がないなか家賃50,000円を支払っている"),
    (2, rent(None, 50_000, pension=100_000), MET, "家賃が手取り収入の50%（目安30%）"),
    (2, rent(None, 50_000), UNKNOWN, "家賃または収入が未記入"),
    (2, rent(200_000, None), UNKNOWN, "家賃または収入が未記入"),
    # 3 — 公債権・民間債権等の事由により生活再建を希望
    (
        3,
        household(),
        MET,
        "生活再建を希望している。公債権の滞納 328,700円、民間債務 750,000円"
        "（月返済 24,000円＝手取りの11%、目安20%以下）",
    ),
    (3, life(wants_rebuild=False), NOT_MET, "生活再建を希望していない"),
    (
        3,
        {"life_situation": {"wants_rebuild": True}},
        UNKNOWN,
        "生活再建を希望しているが、滞納額・民間債務が未記入",
    ),
    (3, life(), UNKNOWN, "生活再建の希望が未記入"),
    # 4 — 家族等に介護その他の特殊な事情があり、出費が大きい
    (
        4,
        life(family_circumstances=True, large_expenses=True),
        MET,
        "家族等に介護その他の特殊な事情があり、出費が大きい",
    ),
    (4, life(family_circumstances=False), NOT_MET, "介護その他の特殊な事情がない"),
    (
        4,
        life(family_circumstances=True, large_expenses=False),
        NOT_MET,
        "特殊な事情による大きな出費がない",
    ),
    (4, life(family_circumstances=True), UNKNOWN, "特殊な事情または出費の大きさが未記入"),
    # 5 — 働くことが困難な事情（病気、障害等）
    (5, life(work_difficulty=True), MET, "病気・障害等により働くことが困難な事情がある"),
    (5, life(work_difficulty=False), NOT_MET, "働くことが困難な事情がない"),
    (5, life(), UNKNOWN, "働くことが困難な事情の有無が未記入"),
    # 6 — その他: staff alone judge it
    (6, household(), UNKNOWN, "納付相談の内容から担当者が判断します"),
    (
        6,
        life(work_difficulty=True, wants_rebuild=True),
        UNKNOWN,
        "納付相談の内容から担当者が判断します",
    ),
]


@pytest.mark.parametrize(("number", "raw", "outcome", "reason"), CASES)
def test_each_criterion_is_suggested_with_its_reason(number, raw, outcome, reason):
    found = suggestion(number, raw)
    assert (found.outcome, found.reason) == (outcome, reason)


def test_every_criterion_has_a_met_a_not_met_and_an_unknown_case():
    for criterion in CRITERIA[:5]:
        outcomes = {outcome for number, _raw, outcome, _r in CASES if number == criterion.number}
        assert outcomes == {MET, NOT_MET, UNKNOWN}, criterion.number


def test_a_heavy_debt_burden_is_named_in_criterion_3():
    raw = household(
        private_debts={"debts": [{"kind": "bank", "total": 2_000_000, "monthly": 60_000}]}
    )
    assert "手取りの27%、目安20%超" in suggestion(3, raw).reason


def test_the_rent_threshold_is_a_setting():
    raw = rent(200_000, 70_000)  # 35%
    assert suggestion(2, raw).outcome == MET
    found = suggestion(2, raw, Params(rent_heavy_ratio=0.4))
    assert (found.outcome, found.reason) == (NOT_MET, "家賃は手取り収入の35%（目安40%以下）")


def test_the_criteria_are_the_six_of_the_plan():
    assert [c.number for c in CRITERIA] == [1, 2, 3, 4, 5, 6]
    assert CRITERIA[0].text.startswith("退職・失職等の事由により")
    assert CRITERIA[5].text == "その他、納付相談において必要性があった場合。"
