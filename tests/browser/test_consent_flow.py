"""納税課 takes 山田 太郎's consent through the wizard: grid, form, signed scan, activation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import uploads_samples as samples
from playwright.sync_api import expect

from hub.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def log_in(page, login_id: str) -> None:
    page.goto("/login")
    page.get_by_label("ログインID").fill(login_id)
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("ダッシュボード")


def fits_the_screen(page) -> None:
    """No sideways scrolling at 1280 wide and no text drawn outside its cell or panel."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280, page.url
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll('.panel, td, th')]
              .filter(el => el.scrollWidth > el.clientWidth + 1)
              .map(el => el.className || el.tagName)"""
    )
    assert overflowing == [], f"overflowing boxes on {page.url}: {overflowing}"


def test_take_a_consent_through_the_wizard(page, watch, demo_data, shot, tmp_path):
    page.on("dialog", lambda dialog: dialog.accept())  # the confirm() before activating
    log_in(page, "nozei01")
    page.get_by_role("navigation", name="メインメニュー").get_by_role("link", name="対象者").click()
    page.get_by_role("link", name="山田 太郎").click()
    expect(page.get_by_role("region", name="同意（情報共有の本人同意）")).to_contain_text(
        "同意は登録されていません"
    )
    page.get_by_role("link", name="同意を登録する").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("同意の登録")
    page.get_by_label("納税課→ぷらっとホーム世田谷：滞納状況").check()
    page.get_by_label("納税課→ぷらっとホーム世田谷：民間債務の状況").check()
    # The row button (consent.js) ticks a whole row: 納税課 → 保険料収納課, every category.
    row_button = page.get_by_role("button", name="納税課から保険料収納課へ：すべて選ぶ")
    row_button.click()
    expect(page.get_by_label("納税課→保険料収納課：財産調査の結果")).to_be_checked()
    expect(row_button).to_have_text("解除")
    page.get_by_label("生活再建の支援").check()
    fits_the_screen(page)
    shot("consent-01-wizard-grid")
    page.get_by_role("button", name="保存して次へ（同意書の作成）").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile(r"同意書番号\d+"))
    expect(page.locator(".steps [aria-current=step]")).to_contain_text("同意書の作成")
    page.get_by_role("button", name="同意書を作成する").click()
    expect(page.get_by_role("status")).to_contain_text("同意書を作成しました")
    with page.expect_download() as download:
        page.get_by_role("link", name="同意書をダウンロード（PDF）").click()
    saved = Path(download.value.path())
    assert saved.read_bytes().startswith(b"%PDF")
    assert re.fullmatch(r"同意書_同意書番号\d+\.pdf", download.value.suggested_filename)

    page.get_by_label("署名済み同意書（スキャン）").set_input_files(
        files=[
            {"name": "署名済み.pdf", "mimeType": "application/pdf", "buffer": samples.fpdf_pdf()}
        ]
    )
    page.get_by_role("button", name="署名済み同意書を登録する").click()
    expect(page.get_by_role("status")).to_contain_text("署名済み同意書を登録しました")
    fits_the_screen(page)
    shot("consent-02-activate-step")
    page.get_by_role("button", name="同意を有効にする").click()
    expect(page.get_by_role("status")).to_contain_text("同意を有効にしました")
    expect(page.get_by_role("heading", level=1)).to_contain_text("有効")

    page.get_by_role("link", name="山田 太郎").click()
    panel = page.get_by_role("region", name="同意（情報共有の本人同意）")
    expect(panel.locator(".status-active")).to_have_text("有効")
    expect(panel).to_contain_text("納税課→ぷらっとホーム世田谷: 滞納状況、民間債務の状況")
    expect(panel).to_contain_text("納税課→保険料収納課: 滞納状況、納付計画")
    expect(panel.get_by_role("link", name="撤回")).to_be_visible()
    fits_the_screen(page)
    panel.scroll_into_view_if_needed()
    shot("consent-03-resident-panel")
    assert watch.problems == []
