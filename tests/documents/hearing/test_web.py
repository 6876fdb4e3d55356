"""The hearing-sheet screens with a logged-in browser session (no JavaScript)."""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import func, select

from helpers import csrf_token, login
from hub.documents.hearing.models import CriteriaJudgement, HearingSheet


def form_for(world, **changes) -> dict[str, str]:
    """The 山田 household as the form sends it: claim rows in the ClaimType order."""
    rows = {code: i for i, code in enumerate(world.claims)}
    form = {}
    for code, claim in world.claims.items():
        form[f"arrears.claims.{rows[code]}.claim_type_id"] = str(claim.id)
        form[f"payment_plan.items.{rows[code]}.claim_type_id"] = str(claim.id)
    form.update(
        {
            "arrears.claims.0.amount": "１８６，４００円",
            "arrears.claims.0.periods": "令和6年度 3期〜4期",
            "arrears.claims.1.amount": "142,300",
            "arrears.claims.1.periods": "R7 1-6期",
            "household_budget.take_home": "160,000",
            "household_budget.other_income.pension": "65000",
            "household_budget.members.0.relationship": "母",
            "household_budget.members.0.age": "74",
            "household_budget.members.0.is_working": "no",
            "household_budget.expenses.rent": "85,000",
            "household_budget.expenses.food": "42,000",
            "household_budget.expenses.utilities": "15,000",
            "household_budget.expenses.communication": "8,000",
            "household_budget.expenses.insurance": "4,000",
            "household_budget.expenses.medical": "6,000",
            "household_budget.expenses.transport": "5,000",
            "household_budget.expenses.other": "6,000",
            "private_debts.debts.0.kind": "consumer_finance",
            "private_debts.debts.0.creditor": "A社",
            "private_debts.debts.0.total": "60万",
            "private_debts.debts.0.monthly": "18,000",
            "private_debts.debts.0.is_overdue": "yes",
            "private_debts.debts.1.kind": "credit_card",
            "private_debts.debts.1.total": "150,000",
            "private_debts.debts.1.monthly": "6,000",
            "life_situation.employment": "lost_job",
            "life_situation.job_lost_on": "令和7年9月30日",
            "life_situation.wants_work": "yes",
            "life_situation.wants_rebuild": "yes",
            "life_situation.work_difficulty": "no",
            "life_situation.notes": "正社員での再就職を希望",
        }
    )
    form.update(changes)
    return form


def sheets(db) -> int:
    db.expire_all()
    found = db.scalar(select(func.count()).select_from(HearingSheet))
    db.rollback()
    return found


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def staff(world, logged_in):
    return logged_in(world.staff)


def post(client, url, data, action="save", based_on="0"):
    payload = {"csrf_token": csrf_token(client, url), "action": action, "based_on": based_on}
    return client.post(url, data={**payload, **data})


def test_fill_calculate_take_the_plan_and_save(db, world, staff):
    base = f"/cases/{world.case.id}/sheet"
    case_page = text(staff.get(f"/cases/{world.case.id}"))
    assert "共通ヒアリングシートはまだ作成されていません" in case_page
    page = text(staff.get(f"{base}/edit"))
    for claim in world.claims.values():  # rows come from the ClaimType table
        assert claim.name in page
    assert "data-params='{" in page and '"rent_heavy_ratio": 0.3' in page

    calculated = post(staff, f"{base}/edit", form_for(world), action="calculate")
    assert calculated.status_code == 200
    html = text(calculated)
    assert re.search(r'data-figure="affordable">30,000円<', html)
    assert re.search(r'data-figure="surplus"[^>]*>30,000円<', html)
    assert "家賃が手取り収入の38%（目安30%）" in html
    assert 'value="１８６，４００円"' in html  # what staff typed is kept as typed
    assert sheets(db) == 0

    applied = text(post(staff, f"{base}/edit", form_for(world), action="apply_plan"))
    assert "提案した納付計画を「納付計画」欄に反映しました" in applied
    assert 'name="payment_plan.items.0.monthly" value="17,000"' in applied
    assert 'name="payment_plan.items.1.monthly" value="13,000"' in applied
    assert 'name="payment_plan.items.0.start" value="令和8年12月"' in applied
    assert sheets(db) == 0

    plan = {
        "payment_plan.items.0.monthly": "17,000",
        "payment_plan.items.0.start": "令和8年12月",
        "payment_plan.items.0.until": "令和9年10月",
    }
    saved = post(staff, f"{base}/edit", form_for(world, **plan))
    assert saved.status_code == 302 and saved.headers["Location"] == f"{base}/"
    assert sheets(db) == 1
    shown = text(staff.get(saved.headers["Location"]))
    assert "共通ヒアリングシートを第1版として保存しました" in shown
    assert "特別区民税・都民税：合意した月額・期間" in shown
    assert "17,000円（令和8年12月〜令和9年10月）" in shown
    assert "① 月の余り = 月収入 225,000円 − 月支出 171,000円" in shown

    panel = text(staff.get(f"/cases/{world.case.id}"))
    assert "第1版（全1版）" in panel and "30,000円／月" in panel
    assert "未判断" in panel
    again = text(staff.get(f"{base}/edit"))  # the next version starts from the latest
    assert 'name="arrears.claims.0.amount" value="186,400"' in again
    assert 'name="life_situation.job_lost_on" value="令和7年9月30日"' in again
    assert "第2版として保存する" in again


def test_bad_input_is_shown_on_its_field_and_nothing_is_written(db, world, staff):
    url = f"/cases/{world.case.id}/sheet/edit"
    bad = form_for(
        world,
        **{
            "household_budget.take_home": "−5,000",
            "household_budget.expenses.rent": "十万円",
            "arrears.claims.1.periods": "去年の分",
        },
    )
    response = post(staff, url, bad)
    assert response.status_code == 400
    html = text(response)
    assert 'id="e-household_budget.take_home">手取り収入にマイナスの金額は入力できません。' in html
    assert 'id="e-household_budget.expenses.rent">家賃は数字で入力してください' in html
    assert 'id="e-arrears.claims.1.periods">年度・期は「令和6年度 1期〜4期」' in html
    assert 'value="十万円"' in html
    assert sheets(db) == 0
    empty = post(staff, url, {})
    assert empty.status_code == 400 and "少なくとも1つの項目を入力してください" in text(empty)
    assert sheets(db) == 0


def test_a_stale_form_is_refused_once_then_saves(db, world, staff):
    url = f"/cases/{world.case.id}/sheet/edit"
    assert post(staff, url, form_for(world)).status_code == 302
    stale = post(staff, url, form_for(world, **{"life_situation.notes": "2回目"}), based_on="0")
    assert stale.status_code == 409
    html = text(stale)
    assert "第1版まで更新されています" in html and "2回目" in html  # the input is kept
    assert 'name="based_on" value="1"' in html
    assert sheets(db) == 1
    again = post(staff, url, form_for(world, **{"life_situation.notes": "2回目"}), based_on="1")
    assert again.status_code == 302 and sheets(db) == 2


def test_versions_are_listed_compared_and_readable(db, world, staff):
    url = f"/cases/{world.case.id}/sheet"
    post(staff, f"{url}/edit", form_for(world))
    post(
        staff,
        f"{url}/edit",
        form_for(world, **{"household_budget.expenses.rent": "60,000"}),
        based_on="1",
    )
    latest = text(staff.get(f"{url}/"))
    assert "（第2版）" in latest and f'href="{url}/?version=1"' in latest
    old = text(staff.get(f"{url}/?version=1"))
    assert "これは過去の版（第1版）です" in old and "85,000円" in old
    assert staff.get(f"{url}/?version=9").status_code == 404
    assert staff.get(f"{url}/?version=abc").status_code == 404
    compared = text(staff.get(f"{url}/compare"))
    assert re.search(
        r"<td>家賃</td><td class=\"hs-old\">85,000円</td><td aria-hidden=\"true\">→</td>"
        r"<td class=\"hs-new\">60,000円</td>",
        compared,
    )
    assert "<td>納付可能額（提案）</td>" in compared  # 30,000 → 55,000
    same = text(staff.get(f"{url}/compare?from=2&to=2"))
    assert "変わった項目はありません" in same


def test_criteria_are_suggested_then_confirmed_and_shown_on_the_case(db, world, staff):
    url = f"/cases/{world.case.id}/sheet"
    post(staff, f"{url}/edit", form_for(world))
    page = text(staff.get(f"{url}/criteria"))
    assert "家賃が手取り収入の38%（目安30%）" in page
    assert "Macro" not in page and 'class="flash flash-error"' not in page
    assert "納付相談の内容から担当者が判断します" in page
    token = csrf_token(staff, f"{url}/criteria")
    overrule = staff.post(
        f"{url}/criteria",
        data={"csrf_token": token, "version": "1", "decisions.2.decision": "not_met"},
    )
    assert overrule.status_code == 400
    assert 'id="e-decisions.2.reason">提案（該当）と異なる判断には理由を入力してください' in text(
        overrule
    )
    confirmed = staff.post(
        f"{url}/criteria",
        data={
            "csrf_token": token,
            "version": "1",
            "decisions.2.decision": "met",
            "decisions.5.decision": "not_met",
        },
    )
    assert confirmed.status_code == 302
    case_page = text(staff.get(confirmed.headers["Location"]))
    assert "共通目安に該当する（目安2）" in case_page
    assert "判断：テスト 利用者（納税課）" in case_page and "第1版にもとづく" in case_page
    assert db.scalar(select(func.count()).select_from(CriteriaJudgement)) == 2
    db.rollback()
    post(staff, f"{url}/edit", form_for(world, **{"life_situation.notes": "再訪"}), based_on="1")
    case_page = text(staff.get(f"/cases/{world.case.id}"))
    assert "判断は以前の版にもとづいています（最新は第2版）" in case_page
    page = text(staff.get(f"{url}/criteria"))
    assert "この判断は第1版にもとづいています。最新の第2版で確認してください。" in page
    # An old decision is not carried over into the form: it is judged again on purpose.
    assert 'name="decisions.2.decision" value="" checked' in page


def test_outsiders_get_404_and_nothing_is_written(db, world, logged_in):
    outsider = logged_in(world.outsider)
    url = f"/cases/{world.case.id}/sheet"
    for path in ("/", "/edit", "/compare", "/criteria"):
        response = outsider.get(url + path)
        assert response.status_code == 404, path
        assert "山田" not in text(response)
    response = post(outsider, f"{url}/edit", form_for(world))
    assert response.status_code == 404
    assert sheets(db) == 0


def test_the_partner_department_reads_what_the_consent_gives_it(
    db, world, staff, app, active_consent
):
    post(staff, f"/cases/{world.case.id}/sheet/edit", form_for(world))
    active_consent(
        world.case.resident, world.lead, [(world.lead, world.partner, ["life_situation"])]
    )
    partner = app.test_client()
    login(partner, world.partner_staff)
    page = text(partner.get(f"/cases/{world.case.id}/sheet/"))
    assert "作成：テスト 利用者（納税課）" in page
    assert "正社員での再就職" in page  # the life situation: within the consent
    assert "186,400" not in page and "A社" not in page  # the budget and the debts: not
    assert "同意の範囲外のため表示していません：滞納状況、収支の状況、民間債務の状況" in page
    assert "計算結果は、同意の範囲外の項目を含むため表示していません" in page
    assert "新しい版を作成" not in page
    refused = partner.get(f"/cases/{world.case.id}/sheet/edit")
    assert refused.status_code == 403
    assert "主管課（納税課）" in text(refused)


def test_no_personal_data_reaches_the_log(world, staff, caplog):
    caplog.set_level(logging.DEBUG)
    url = f"/cases/{world.case.id}/sheet/edit"
    post(staff, url, form_for(world), action="calculate")
    post(staff, url, form_for(world))
    post(staff, url, form_for(world, **{"household_budget.take_home": "abc"}))
    for value in ("186,400", "正社員での再就職", "A社", "令和7年9月30日", "abc"):
        assert value not in caplog.text
