"""A collection-department worker finds a resident by half-width kana and opens their case."""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

import pytest
from playwright.sync_api import expect

from hub.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def log_in(page, login_id: str) -> None:
    page.get_by_label("ログインID").fill(login_id)
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()


def test_find_resident_by_half_width_kana_and_open_the_case(page, watch, demo_city, shot):
    term = "ﾔﾏﾀﾞ"
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))
    shot("01-login")
    log_in(page, "nozei01")
    expect(page.get_by_role("heading", level=1)).to_have_text("納税課のダッシュボード")
    shot("02-dashboard")

    page.get_by_role("navigation", name="メインメニュー").get_by_role("link", name="対象者").click()
    page.get_by_label("宛名番号・氏名・カナで検索").fill(term)
    page.get_by_role("button", name="検索", exact=True).click()
    rows = page.locator("table.table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("山田 太郎")
    expect(rows.first).to_contain_text("ヤマダ タロウ")
    # The search box keeps the term so that the user sees what the list is filtered by.
    expect(page.get_by_label("宛名番号・氏名・カナで検索")).to_have_value(term)
    shot("03-residents-search")

    page.get_by_role("link", name="山田 太郎").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("山田 太郎")
    expect(page.locator(".details")).to_contain_text("0001000001")
    shot("04-resident")

    page.get_by_role("table").get_by_role("link", name=re.compile(r"^ケース\d+$")).click()
    expect(page).to_have_url(re.compile(r"/cases/\d+$"))
    case_url = page.url
    expect(page.get_by_role("heading", level=1)).to_contain_text("ケース")
    resident_panel = page.get_by_role("region", name="対象者")
    expect(resident_panel).to_contain_text("山田 太郎")
    expect(resident_panel).to_contain_text("ヤマダ タロウ")
    case_panel = page.get_by_role("region", name="ケースの情報")
    expect(case_panel).to_contain_text("納税課")
    expect(case_panel).to_contain_text("保険料収納課")
    expect(case_panel).to_contain_text("ぷらっとホーム世田谷")
    shot("05-case")

    # The term never travelled in a URL: not in the address bar, not in any request.
    assert watch.urls, "no navigation was recorded"
    forms = {term, quote(term), "ヤマダ", quote("ヤマダ"), "やまだ"}
    leaked = [u for u in watch.urls if any(f in u or f in unquote(u) for f in forms)]
    assert leaked == []

    page.get_by_role("button", name="ログアウト").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("status")).to_have_text("ログアウトしました。")
    # After logging out the case is behind the login again.
    page.goto(case_url)
    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.get_by_role("heading", level=1)).to_have_text("ログイン")
    assert "山田" not in page.content()

    # A worker of a department that is not involved logs in and is sent on to the case: 404.
    with page.expect_response(lambda r: r.url == case_url) as answer:
        log_in(page, "kaigo01")
    assert answer.value.status == 404
    expect(page).to_have_title("エラー - つなぐハブ")
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "お探しのページまたはデータは見つかりません。"
    )
    assert "山田" not in page.content()
    shot("07-error-404")
    assert watch.problems == []
