"""A 納税課 worker fills the 共通ヒアリングシート, watches the figures update as they type, saves,
and confirms a suggested 共通目安 — and hearing.js computes exactly what the server does."""

from __future__ import annotations

import os
import random
import re
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from hub import jp
from hub.demo import DEMO_PASSWORD
from hub.documents.hearing.calc import compute, formula
from hub.documents.hearing.forms import unflatten
from hub.documents.hearing.money import TOTAL_MAX, MoneyError, parse_yen
from hub.documents.hearing.plan import ClaimInfo
from hub.documents.hearing.sections import parse_sheet
from hub.documents.hearing.settings import Params
from hub.models import Case, ClaimType, Resident

pytestmark = pytest.mark.browser

#: The day the flow happens on (plan months and limitation warnings depend on it).
TODAY = date(2026, 11, 22)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr(jp, "today", lambda: TODAY)


def log_in(page, login_id: str = "nozei01") -> None:
    page.goto("/login")
    page.get_by_label("ログインID").fill(login_id)
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("ダッシュボード")


def yamada_case(db) -> int:
    """Find the demo case, then end the test's transaction (SQLite: the live server writes)."""
    case_id = db.scalar(select(Case.id).join(Resident).where(Resident.atena_no == "0001000001"))
    db.rollback()
    return case_id


def viewport_shot(page, name: str) -> Path | None:
    """Keep a 1280×800 screenshot of what is on screen now, when TSUNAGU_SHOTS is set."""
    folder = os.environ.get("TSUNAGU_SHOTS")
    if not folder:
        return None
    path = Path(folder) / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))
    return path


def assert_fits_the_screen(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280, f"{page.url} is {width}px wide"
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll('.panel, td, th')]
              .filter(el => el.scrollWidth > el.clientWidth + 1)
              .map(el => el.className || el.tagName)"""
    )
    assert overflowing == [], f"overflowing boxes on {page.url}: {overflowing}"


def test_fill_the_sheet_see_live_figures_save_and_confirm_a_criterion(page, db, demo_data, shot):
    case_id = yamada_case(db)
    log_in(page)
    page.goto(f"/cases/{case_id}")
    panel = page.get_by_role("region", name="共通ヒアリングシート・共通目安")
    expect(panel).to_contain_text("まだ作成されていません")
    panel.get_by_role("link", name="シートを作成").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("共通ヒアリングシートの入力")
    affordable = page.locator("[data-figure=affordable]")
    expect(affordable).to_have_text("—")

    page.get_by_label("特別区民税・都民税の滞納額").fill("１８６，４００円")
    page.get_by_label("特別区民税・都民税の年度・期").fill("令和6年度 3期〜4期、令和7年度 1期〜4期")
    page.get_by_label("国民健康保険料の滞納額").fill("142,300")
    page.get_by_label("国民健康保険料の年度・期").fill("令和7年度 1期〜6期")
    page.get_by_label("手取り収入", exact=True).fill("160,000")
    page.get_by_label("年金").fill("65000")
    page.get_by_label("世帯員1の続柄").fill("母")
    page.get_by_label("世帯員1の年齢").fill("74")
    expenses = {
        "家賃": "85,000",
        "食費": "42,000",
        "水道光熱費": "15,000",
        "通信費": "8,000",
        "保険料": "4,000",
        "医療費": "6,000",
        "交通費": "5,000",
        "その他の支出": "6,000",
    }
    for label, value in expenses.items():
        page.get_by_label(label, exact=True).fill(value)
    # The figures follow the typing, before anything is sent.
    expect(page.locator("[data-figure=surplus]")).to_have_text("54,000円")
    expect(page.locator("[data-figure=rent_ratio]")).to_have_text("38%")
    expect(page.locator("[data-flag=rent_heavy]")).to_be_visible()
    page.get_by_label("民間債務1の種類").select_option(label="消費者金融")
    page.get_by_label("民間債務1の債務総額").fill("60万")
    page.get_by_label("民間債務1の月返済額").fill("18,000")
    page.get_by_label("民間債務2の種類").select_option(label="クレジットカード")
    page.get_by_label("民間債務2の債務総額").fill("150,000")
    page.get_by_label("民間債務2の月返済額").fill("6,000")
    expect(affordable).to_have_text("30,000円")
    expect(page.locator("[data-live]")).to_be_visible()
    expect(page.locator("[data-formula] li").first).to_have_text(
        "① 月の余り = 月収入 225,000円 − 月支出 171,000円 − 民間返済 24,000円 = 30,000円"
    )
    plan = page.locator("[data-plan] li")
    expect(plan).to_have_count(2)
    expect(plan.first).to_contain_text("17,000円")
    expect(plan.nth(1)).to_contain_text("13,000円")

    life = page.get_by_role("region", name="6 生活状況")
    life.get_by_label("退職・失職した", exact=True).check()
    page.get_by_label("退職・失職した日").fill("令和7年9月30日")
    page.get_by_role("group", name="就労を希望している").get_by_label("はい").check()
    page.get_by_role("group", name="生活再建を希望している").get_by_label("はい").check()

    # Without JavaScript 「計算する」 does the same on the server (here: the limitation dates).
    page.get_by_role("button", name="計算する").first.click()
    expect(page.locator("[data-plan] li").nth(1)).to_contain_text("令和9年4月1日頃（推定）")
    expect(page.locator("[data-plan] li").nth(1)).to_contain_text("時効が近い")
    expect(affordable).to_have_text("30,000円")
    page.get_by_role("button", name="提案を納付計画に反映").click()
    expect(page.get_by_label("特別区民税・都民税の合意した月額")).to_have_value("17,000")
    expect(page.get_by_label("国民健康保険料の終了月")).to_have_value("令和9年10月")
    assert_fits_the_screen(page)
    page.evaluate("window.scrollTo(0, 0)")
    viewport_shot(page, "hearing-01-form-top")
    page.locator("#s-budget").scroll_into_view_if_needed()
    viewport_shot(page, "hearing-01-form")
    shot("hearing-01-form-full")

    page.get_by_role("button", name="第1版として保存する").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("共通ヒアリングシート（第1版）")
    expect(page.get_by_role("status").first).to_contain_text("第1版として保存しました")
    assert_fits_the_screen(page)
    shot("hearing-02-version")

    page.goto(f"/cases/{case_id}")
    panel = page.get_by_role("region", name="共通ヒアリングシート・共通目安")
    expect(panel).to_contain_text("第1版（全1版）")
    expect(panel).to_contain_text("未判断")
    expect(panel).to_contain_text("国民健康保険料：時効が近い（令和9年4月1日頃（推定））")
    panel.get_by_role("link", name="共通目安を判断").click()
    second = page.get_by_role("group", name=re.compile("目安2"))
    expect(second).to_contain_text("家賃が手取り収入の38%（目安30%）")
    expect(second.locator(".hs-badge")).to_have_text("該当の可能性")
    shot("hearing-03-criteria")
    second.get_by_label("該当", exact=True).check()
    page.get_by_role("button", name="判断を記録する").click()

    expect(page).to_have_url(re.compile(rf"/cases/{case_id}$"))
    panel = page.get_by_role("region", name="共通ヒアリングシート・共通目安")
    expect(panel.locator(".hs-verdict")).to_have_text("共通目安に該当する（目安2）")
    expect(panel).to_contain_text("判断：税田 一郎（納税課）")
    expect(panel).to_contain_text("第1版にもとづく")
    panel.scroll_into_view_if_needed()
    assert_fits_the_screen(page)
    viewport_shot(page, "hearing-04-case-panel")
    shot("hearing-04-case-full")


# ------------------------------------------------- the same figures in Python and in JS

AMOUNTS = [
    "123456",
    "123,456",
    "１２３，４５６円",
    "¥123,456",
    "￥１２３，４５６",
    " 85 000 ",
    "12万",
    "12万3456",
    "１２万３４５６円",
    "0",
    "",
    "-1000",
    "－１０００",
    "▲5,000",
    "1000.5",
    "abc",
    "五千",
    "100,000,001",
    "1" * 16,
    "٣٤٥",
]
KIND = {"マイナス": "negative", "1円単位": "decimal", "以下": "too_large", "数字で": "not_a_number"}


def python_yen(raw: str) -> dict:
    try:
        return {"value": parse_yen(raw), "error": None}
    except MoneyError as exc:
        kind = next(code for words, code in KIND.items() if words in str(exc))
        return {"value": None, "error": kind}


def written(rng: random.Random, amount: int) -> str:
    """Write an amount the way some member of staff would."""
    style = rng.randrange(5)
    if style == 0:
        return str(amount)
    if style == 1:
        return f"{amount:,}"
    if style == 2:
        return f"{amount:,}円".translate(str.maketrans("0123456789,", "０１２３４５６７８９，"))
    if style == 3 and amount % 10_000 == 0 and amount:
        return f"{amount // 10_000}万"
    return f"¥{amount:,}"


def households(claims: list[ClaimType], count: int = 40) -> list[dict[str, str]]:
    rng = random.Random(20261122)
    found = []
    for _ in range(count):
        values: dict[str, str] = {}

        def maybe(name: str, top: int, chance: float = 0.7, values=values) -> None:
            if rng.random() < chance:
                values[name] = written(rng, rng.randrange(0, top) // 100 * 100)

        maybe("household_budget.take_home", 400_000)
        for key in ("pension", "allowance", "remittance", "other"):
            maybe(f"household_budget.other_income.{key}", 120_000, 0.3)
        for key in ("rent", "food", "utilities", "communication", "insurance", "medical"):
            maybe(f"household_budget.expenses.{key}", 100_000, 0.6)
        for i in range(rng.randrange(4)):
            values[f"household_budget.members.{i}.relationship"] = rng.choice(["妻", "長男", "母"])
        for i in range(rng.randrange(4)):
            values[f"private_debts.debts.{i}.kind"] = "bank"
            maybe(f"private_debts.debts.{i}.total", 3_000_000)
            maybe(f"private_debts.debts.{i}.monthly", 60_000)
        for row, claim in enumerate(claims):
            values[f"arrears.claims.{row}.claim_type_id"] = str(claim.id)
            values[f"payment_plan.items.{row}.claim_type_id"] = str(claim.id)
            if rng.random() < 0.6:
                values[f"arrears.claims.{row}.amount"] = written(rng, rng.randrange(1, 900_000))
            if rng.random() < 0.3:
                values[f"payment_plan.items.{row}.monthly"] = written(rng, rng.randrange(0, 30_000))
        values.setdefault("life_situation.notes", "比較用")
        found.append(values)
    # Edge cases: no income at all, a deficit, exactly the rent line, nothing owed.
    found.append({"household_budget.take_home": "0", "household_budget.expenses.rent": "50,000"})
    found.append(
        {"household_budget.take_home": "300,000", "household_budget.expenses.rent": "90,000"}
    )
    found.append(
        {"household_budget.take_home": "100,000", "household_budget.expenses.food": "200,000"}
    )
    return found


SHARED = [
    "monthly_income",
    "monthly_expenses",
    "rent",
    "private_repayment",
    "surplus",
    "rent_ratio",
    "rent_heavy",
    "private_debt_total",
    "debt_service_ratio",
    "debt_service_heavy",
    "debt_total_ratio",
    "debt_total_heavy",
    "household_size",
    "protected_amount",
    "capacity",
    "affordable",
    "arrears_total",
    "agreed_monthly",
    "agreed_over_affordable",
]
PLAN = ["claim_type_id", "amount", "monthly", "months", "until", "is_long"]


def test_hearing_js_and_the_server_agree(page, db, demo_data):
    case_id = yamada_case(db)
    claims = list(db.scalars(select(ClaimType).order_by(ClaimType.sort_order, ClaimType.id)))
    infos = {c.id: ClaimInfo(c.id, c.name, c.limitation_years) for c in claims}
    db.rollback()
    log_in(page)
    page.goto(f"/cases/{case_id}/sheet/edit")
    expect(page.locator("[data-hearing-figures]")).to_be_visible()

    js_amounts = page.evaluate(
        "([list, total]) => list.map((raw) => TsunaguHearing.parseYen(raw, total))",
        [AMOUNTS, TOTAL_MAX],
    )
    py_amounts = []
    for raw in AMOUNTS:
        try:
            py_amounts.append({"value": parse_yen(raw, maximum=TOTAL_MAX), "error": None})
        except MoneyError as exc:
            kind = next(code for words, code in KIND.items() if words in str(exc))
            py_amounts.append({"value": None, "error": kind})
    assert js_amounts == py_amounts
    monthly = page.evaluate("(list) => list.map((raw) => TsunaguHearing.parseYen(raw))", AMOUNTS)
    assert monthly == [python_yen(raw) for raw in AMOUNTS]

    cases = households(claims)
    js = page.evaluate(
        """(cases) => {
             const params = JSON.parse(
               document.querySelector('[data-hearing-figures]').dataset.params);
             return cases.map((values) => {
               const f = TsunaguHearing.compute(values, params);
               return {figures: f, formula: TsunaguHearing.formula(f)};
             });
           }""",
        cases,
    )
    today = jp.today()
    for values, answer in zip(cases, js, strict=True):
        data = parse_sheet(unflatten(values), set(infos), today=today, from_form=True)
        expected = compute(data, Params(), infos, today)
        got = answer["figures"]
        assert {k: got[k] for k in SHARED} == {k: expected[k] for k in SHARED}, values
        assert [{k: i[k] for k in PLAN} for i in got["plan"]["items"]] == [
            {k: i[k] for k in PLAN} for i in expected["plan"]["items"]
        ], values
        assert answer["formula"] == formula(expected), values
