"""The Setagaya flow in a real browser: 納税課 shares 山田 太郎's sheet with 保険料収納課 and
ぷらっとホーム世田谷 within his consent; ぷらっとホーム opens, acknowledges and answers; 納税課 sees
the receipts; a share to 介護保険課 is refused with the reason; withdrawal leaves a tombstone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from hub import jp
from hub.demo import DEMO_PASSWORD
from hub.documents.consent import demo as consent_demo
from hub.documents.consent import services as consent_services
from hub.documents.consent.models import Consent
from hub.documents.hearing import demo as hearing_demo
from hub.models import Case, User
from hub.storage import Storage, bind

pytestmark = pytest.mark.browser


@pytest.fixture
def setagaya(db, config, demo_data):
    """山田 太郎's case with 納税課's hearing sheet and the consent of the demo."""
    bind(db, Storage.from_config(config))
    assert hearing_demo.load(db)
    assert consent_demo.load(db)
    db.commit()
    case = db.scalar(select(Case).order_by(Case.id))
    consent = db.scalar(select(Consent))
    ids = {"case_id": case.id, "resident_id": case.resident_id, "consent_id": consent.id}
    db.commit()
    return ids


def log_in(page, login_id: str) -> None:
    page.goto("/login")
    page.get_by_label("ログインID").fill(login_id)
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("ダッシュボード")


def log_out(page) -> None:
    page.get_by_role("button", name="ログアウト").click()
    expect(page.get_by_label("ログインID")).to_be_visible()


def recipient(page, name: str):
    return page.locator("li.mb-recipient").filter(
        has=page.locator("label", has_text=re.compile(rf"^\s*{name}"))
    )


def fits_the_screen(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280, page.url


def test_setagaya_share_feedback_refusal_and_recall(page, setagaya, db, shot):
    case_id = setagaya["case_id"]
    # A: 納税課 writes the share from the case page.
    log_in(page, "nozei01")
    page.goto(f"/cases/{case_id}")
    page.get_by_role("link", name="この事案で連絡を作成").click()
    # mailbox.js (deferred) listens for the sheet's change: wait until it has run.
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_contain_text("情報共有の作成")
    kaigo = recipient(page, "介護保険課")
    expect(kaigo.locator("input")).to_be_disabled()
    expect(kaigo.locator(".mb-reason")).to_contain_text("有効な同意がありません")

    page.get_by_label("共通ヒアリングシート").select_option("1")
    page.locator("input[name=sheet_categories][value=arrears]").check()
    page.locator("input[name=sheet_categories][value=household_budget]").check()
    # mailbox.js asked the server again: 介護保険課 is named for the chosen sections.
    expect(kaigo.locator(".mb-reason")).to_contain_text("滞納状況")
    expect(page.locator("input[name=sheet_categories][value=payment_plan]")).to_be_disabled()
    recipient(page, "保険料収納課").locator("input").check()
    recipient(page, "ぷらっとホーム世田谷").locator("input").check()
    page.get_by_label("件名").fill("山田 太郎さんの状況共有")
    page.get_by_label("本文").fill("ヒアリングの結果を共有します。\n生活再建の相談をお願いします。")
    page.get_by_label("フィードバックの回答期限").fill(jp.today().isoformat())
    fits_the_screen(page)
    shot("mailbox-01-compose")
    page.get_by_role("button", name="送信する").click()
    errors = page.locator(".field-error, .flash-error").all_inner_texts()
    assert not errors, errors
    expect(page.locator(".flash-success")).to_contain_text("連絡を送信しました")
    expect(page.get_by_role("heading", level=1)).to_contain_text("山田 太郎さんの状況共有")
    message_url = page.url

    # A send that includes 介護保険課 (a stale form: the box re-enabled) is refused.
    page.goto(f"/mailbox/compose?case_id={case_id}")
    page.get_by_label("共通ヒアリングシート").select_option("1")
    page.locator("input[name=sheet_categories][value=arrears]").check()
    expect(recipient(page, "保険料収納課").locator("input")).to_be_enabled()
    recipient(page, "保険料収納課").locator("input").check()
    page.wait_for_load_state("networkidle")  # mailbox.js's last re-check has answered
    kaigo.locator("input").evaluate("box => { box.disabled = false; }")
    kaigo.locator("input").check()
    page.get_by_label("件名").fill("介護保険課にも共有")
    page.get_by_role("button", name="送信する").click()
    refusal = page.get_by_role("alert").filter(has_text="送信しませんでした")
    expect(refusal).to_contain_text("介護保険課")
    expect(refusal).to_contain_text("納税課→介護保険課『滞納状況』を含む有効な同意")
    expect(page.get_by_label("件名")).to_have_value("介護保険課にも共有")
    fits_the_screen(page)
    shot("mailbox-02-compose-refused")
    log_out(page)

    # C: ぷらっとホーム世田谷 sees the unread count, opens, acknowledges, answers.
    log_in(page, "plat01")
    nav = page.get_by_role("navigation", name="メインメニュー")
    expect(nav.get_by_role("link", name="連絡（未読1件）")).to_be_visible()
    nav.get_by_role("link", name="連絡（未読1件）").click()
    expect(page.locator("tr.mb-row-unread")).to_have_count(1)
    fits_the_screen(page)
    shot("mailbox-03-inbox")
    page.get_by_role("link", name="山田 太郎さんの状況共有").click()
    expect(page.locator(".mb-body")).to_contain_text("生活再建の相談をお願いします。")
    expect(page.locator(".mb-sheet caption").first).to_have_text("滞納状況")
    expect(page.locator(".mb-sheet caption")).to_have_count(2)
    page.get_by_role("button", name="確認しました").click()
    expect(page.locator(".flash-success")).to_contain_text("確認しました")
    page.get_by_label("実施した支援・対応").fill("初回面談を実施。家計改善支援につなぎました。")
    page.get_by_label("支援の状況").select_option("in_support")
    page.get_by_label("今後の予定").fill("2週間後に再面談")
    page.get_by_role("button", name="フィードバックを送信").click()
    expect(page.locator(".flash-success")).to_contain_text("フィードバックを送信しました")
    log_out(page)

    # A sees who opened it, the acknowledgement and the feedback.
    log_in(page, "nozei01")
    page.goto(message_url)
    receipts = page.get_by_role("region", name="宛先ごとの受領状況")
    plat_row = receipts.get_by_role("row").filter(has_text="ぷらっとホーム世田谷")
    expect(plat_row).to_contain_text("平良 結衣")
    expect(plat_row).to_contain_text("確認済み")
    expect(plat_row).to_contain_text("回答受領")
    expect(receipts.get_by_role("row").filter(has_text="保険料収納課")).to_contain_text("未開封")
    fits_the_screen(page)
    shot("mailbox-04-message-receipts")
    plat_row.get_by_role("link", name="受領").click()
    expect(page.locator(".mb-doc")).to_contain_text("初回面談を実施")
    expect(page.locator(".mb-doc")).to_contain_text("支援中")
    log_out(page)

    # The resident withdraws his consent: C's copy becomes a tombstone.
    staff = db.scalar(select(User).where(User.login_id == "nozei01"))
    withdrawal = {"withdrawn_on": jp.today().isoformat(), "method": "oral", "reason": "本人の申出"}
    resident_id, consent_id = setagaya["resident_id"], setagaya["consent_id"]
    consent_services.withdraw(db, staff, resident_id, consent_id, withdrawal)
    db.commit()
    log_in(page, "plat01")
    page.goto(message_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("取り消された連絡")
    expect(page.locator("main")).not_to_contain_text("生活再建の相談をお願いします")
    expect(page.locator(".mb-tombstone")).to_contain_text("納税課")
    fits_the_screen(page)
    shot("mailbox-05-tombstone")
