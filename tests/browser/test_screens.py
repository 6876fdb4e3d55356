"""What a person sees at 1280x800 and on an A4 printout; forms that refuse bad input."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from hub.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

A4_POINTS = (595.3, 841.9)


def log_in(page, login_id: str = "nozei01") -> None:
    page.goto("/login")
    page.get_by_label("ログインID").fill(login_id)
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("ダッシュボード")


def assert_fits_the_screen(page) -> None:
    """No sideways scrolling at 1280 wide, and the header stays on one line."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280, f"{page.url} is {width}px wide"
    header = page.locator(".site-header").bounding_box()
    assert header is not None and header["height"] < 64, f"header wraps on {page.url}"
    # No text is drawn outside its table cell or panel.
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll('.panel, td, th')]
              .filter(el => el.scrollWidth > el.clientWidth + 1)
              .map(el => el.className || el.tagName)"""
    )
    assert overflowing == [], f"overflowing boxes on {page.url}: {overflowing}"


def open_case_of(page, name: str) -> None:
    page.get_by_role("navigation", name="メインメニュー").get_by_role(
        "link", name="ケース", exact=True
    ).click()
    row = page.locator("tbody tr").filter(has_text=name)
    row.get_by_role("link", name=re.compile(r"^ケース\d+$")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)


def pdf_pages(data: bytes) -> list[tuple[float, float]]:
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    return [(float(w), float(h)) for w, h in boxes]


def test_every_screen_fits_1280x800(page, demo_city, shot):
    log_in(page)
    assert_fits_the_screen(page)
    # Every tile on the dashboard is a feature that exists and leads to its list.
    expect(page.locator(".tile-pending")).to_have_count(0)
    expect(page.locator("a.tile .tile-label")).to_have_text(
        [
            "対応中のケース",
            "受信箱（未読）",
            "回答するフィードバック",
            "回答を待っているフィードバック",
            "有効期限が近い同意",
            "今後の会議・勉強会",
            "未回答の日程調整",
        ]
    )
    page.get_by_role("link", name=re.compile("回答を待っているフィードバック")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("フィードバック・依頼")
    page.goto("/")

    page.goto("/cases/")
    expect(page.locator("tbody tr")).to_have_count(4)
    assert_fits_the_screen(page)
    shot("08-cases")

    open_case_of(page, "𠮷田 健一")
    # Four departments on one line each side of "、", the lead one marked.
    expect(page.get_by_role("region", name="ケースの情報").locator(".dept-list li")).to_have_text(
        ["納税課主担当", "国保・年金課", "介護保険課", "ぷらっとホーム世田谷"]
    )
    assert_fits_the_screen(page)

    # A refused change (here a tampered status) comes back on the same page with the reason.
    page.locator("#f-status option").first.evaluate("option => { option.value = 'bogus'; }")
    with page.expect_response(re.compile(r"/update$")) as answer:
        page.get_by_role("button", name="更新する").click()
    assert answer.value.status == 400
    expect(page.get_by_role("heading", level=1)).to_contain_text("𠮷田 健一")
    expect(page.get_by_label("状態", exact=True)).to_have_accessible_description(
        "状態の値が正しくありません。"
    )
    assert_fits_the_screen(page)
    shot("12-case-error")

    page.goto("/account")
    page.get_by_label("トークンの名前").fill("業務システム連携（収納管理）")
    page.get_by_role("button", name="トークンを発行").click()
    tokens = page.get_by_role("region", name="APIトークン")
    expect(tokens.locator("code.token")).to_contain_text("tsu_")
    expect(tokens.locator("tbody tr")).to_have_count(1)
    expect(tokens.locator("tbody tr")).to_contain_text("業務システム連携（収納管理）")
    assert_fits_the_screen(page)
    shot("09-account")


def test_resident_form_shows_each_problem_next_to_its_field(page, demo_data, shot):
    log_in(page)
    page.goto("/residents/new")
    page.get_by_label("宛名番号").fill("12AB")
    page.get_by_label("氏名", exact=True).fill("山田 花子")
    page.get_by_label("カナ氏名").fill("yamada hanako")
    page.get_by_label("生年月日").fill("2025-02-30")
    with page.expect_response(re.compile(r"/residents/new$")) as answer:
        page.get_by_role("button", name="登録する").click()
    assert answer.value.status == 400
    expect(page.get_by_role("alert")).to_contain_text("入力内容に誤りがあります")
    expected = {
        "宛名番号": "宛名番号は数字（15桁以内）で入力してください。",
        "カナ氏名": "カナ氏名はカタカナ（またはひらがな）で入力してください。",
        "生年月日": "生年月日が存在しない日付です。",
    }
    for label, message in expected.items():
        box = page.get_by_label(label, exact=True)
        expect(box).to_have_attribute("aria-invalid", "true")
        expect(box).to_have_accessible_description(re.compile(re.escape(message)))
    # What was typed is still there to correct, and the valid name is not flagged.
    expect(page.get_by_label("氏名", exact=True)).to_have_value("山田 花子")
    expect(page.get_by_label("氏名", exact=True)).not_to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("生年月日")).to_have_value("2025-02-30")
    assert_fits_the_screen(page)
    shot("06-form-errors")

    page.get_by_label("宛名番号").fill("０００１２３")
    page.get_by_label("カナ氏名").fill("ﾔﾏﾀﾞ ﾊﾅｺ")
    page.get_by_label("生年月日").fill("昭和55年4月1日")
    page.get_by_role("button", name="登録する").click()
    expect(page.get_by_role("status")).to_have_text("対象者を登録しました。")
    details = page.get_by_role("region", name="基本情報")
    expect(details).to_contain_text("000123")
    expect(details).to_contain_text("ヤマダ　ハナコ")
    expect(details).to_contain_text("昭和55年4月1日（1980年）")

    # Open a case for her; other departments join later, within her consent.
    page.get_by_role("link", name="ケースを作成").click()
    expect(page.locator(".chosen")).to_contain_text("山田 花子")
    page.get_by_label("相談の概要").fill("電話相談。家計の見直しを希望。")
    expect(page.get_by_role("form", name="ケースの作成")).to_contain_text("関係所管の追加")
    assert_fits_the_screen(page)
    shot("11-case-new")
    page.get_by_role("button", name="作成する").click()
    expect(page.get_by_role("status")).to_have_text("ケースを作成しました。")
    info = page.get_by_role("region", name="ケースの情報")
    expect(info.locator(".dept-list li")).to_have_text(["納税課主担当"])
    expect(info).to_contain_text("電話相談。家計の見直しを希望。")
    # No consent yet: every department is greyed out with the consent it would need.
    joining = page.get_by_role("region", name="関係所管の追加")
    expect(joining).to_contain_text("本人の同意の範囲外のため追加できません")
    expect(joining).to_contain_text(
        "必要な同意: 納税課→ぷらっとホーム世田谷の情報の区分を1つ以上含む"
    )
    assert_fits_the_screen(page)


def test_case_page_prints_on_a4_without_menus_or_forms(page, demo_data, shot, tmp_path):
    log_in(page)
    open_case_of(page, "山田 太郎")
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="メインメニュー")).to_be_hidden()
    expect(page.get_by_role("button", name="更新する")).to_be_hidden()
    expect(page.get_by_role("button", name="ログアウト")).to_be_hidden()
    expect(page.locator(".print-marking")).to_have_text("閲覧者：納税課　税田 一郎")
    expect(page.get_by_role("region", name="対象者")).to_contain_text("0001000001")
    expect(page.get_by_role("region", name="ケースの情報")).to_contain_text("督促を契機に来庁")

    folder = Path(os.environ.get("TSUNAGU_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    pdf = page.pdf(path=str(folder / "10-case-print.pdf"), format="A4", print_background=True)
    pages = pdf_pages(pdf)
    assert len(pages) == 1, f"the case prints on {len(pages)} pages"
    width, height = pages[0]
    # Chromium rounds the page to whole CSS pixels: within 2 points of A4.
    assert abs(width - A4_POINTS[0]) < 2 and abs(height - A4_POINTS[1]) < 2, pages[0]
