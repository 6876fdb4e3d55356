"""In a real browser, on a fixed clock (Monday 7 December 2026, 10:00): 納税課 proposes a case
conference, ぷらっとホーム and 介護保険課 answer, the job picks the slot, the calendar shows it,
the invitation arrives at a real SMTP server; the minutes' action item then sits in 介護保険課's
list of what it owes."""

from __future__ import annotations

from datetime import datetime

import meetkit
import pytest
from meetkit import AGENDA, World
from playwright.sync_api import expect
from sqlalchemy import select

from helpers import PASSWORD, with_config
from hub.jp import TOKYO
from hub.meetings.models import Meeting, MeetingStatus
from hub.scheduler import jobs

pytestmark = pytest.mark.browser
# The meetings fixtures (tests/meetkit.py), as tests/meetings/conftest.py offers them.
world, met, clock, smtp, job = meetkit.world, meetkit.met, meetkit.clock, meetkit.smtp, meetkit.job


@pytest.fixture
def config(config):
    return with_config(config, fixed_now="2026-12-07T10:00")


def log_in(page, login_id: str) -> None:
    page.goto("/login")
    page.get_by_label("ログインID").fill(login_id)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("ダッシュボード")


def log_out(page) -> None:
    page.get_by_role("button", name="ログアウト").click()
    expect(page.get_by_label("ログインID")).to_be_visible()


def answer(page, url: str, marks: list[str]) -> None:
    page.goto(url)
    rows = page.locator("fieldset.mt-answer-row")
    for n, mark in enumerate(marks):
        rows.nth(n).get_by_label(mark).check()
    page.get_by_role("button", name="回答する").click()
    expect(page.locator(".flash-success")).to_contain_text("回答を登録しました")


def test_a_conference_from_proposal_to_minutes(
    page, db, met: World, active_consent, job, smtp, shot
):
    # 介護保険課 is covered too, by a consent of its own scope.
    active_consent(met.case.resident, met.nozei, [(met.nozei, met.kaigo, AGENDA)])
    log_in(page, "nozei01")
    page.goto(f"/cases/{met.case.id}")
    page.get_by_role("link", name="ケース会議を提案").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("ケース会議の提案")
    page.get_by_label("ぷらっとホーム世田谷").check()
    page.get_by_label("介護保険課").check()
    page.get_by_label("滞納状況").check()
    page.get_by_label("生活状況（共通目安の判断を含む）").check()
    page.get_by_label("目的").fill("支援方針の確認")
    page.get_by_label("回答期限").fill("2026-12-07T17:00")
    page.get_by_label("場所").fill("第3会議室")
    shot("meeting-propose")
    page.get_by_role("button", name="提案して回答を依頼する").click()
    expect(page.locator(".flash-success")).to_contain_text("ケース会議を提案しました")
    url = page.url.removeprefix(page.url.split("/meetings/")[0])
    log_out(page)

    log_in(page, "plat01")
    expect(page.get_by_role("link", name="ケース会議（未回答1件）")).to_be_visible()  # owed
    answer(page, url, ["○", "×", "△", "○", "△"])
    log_out(page)
    log_in(page, "kaigo01")
    answer(page, url, ["○", "○", "×", "×", "×"])
    grid = page.locator("table.mt-grid")
    expect(grid).to_contain_text("介護保険課")
    shot("meeting-answers")
    log_out(page)

    run = jobs.execute(jobs.get("meetings"), job(), trigger="test")
    assert run is not None and run.rows >= 1
    jobs.execute(jobs.get("outbox"), job(), trigger="test")
    db.expire_all()
    meeting = db.scalar(select(Meeting))
    assert meeting.status == MeetingStatus.SCHEDULED
    assert meeting.starts_at == datetime(2026, 12, 8, 10, 0, tzinfo=TOKYO)
    _controller, inbox = smtp
    invited = [
        m["To"].split("@")[0]
        for m in inbox.mails
        if any(p.get_content_type() == "text/calendar" for p in m.iter_attachments())
    ]
    assert sorted(invited) == ["kaigo", "nozei", "plat"]
    db.commit()  # the test's read ends: on SQLite it would hold the live server's writes

    log_in(page, "kaigo01")
    page.goto("/meetings?day=2026-12-08")
    event = page.locator(".mt-event").first
    expect(event).to_contain_text("10:00 ケース会議")
    shot("meeting-calendar")
    log_out(page)

    # The conference was held (moved into this morning so the fixed clock is past its start).
    meeting.starts_at = datetime(2026, 12, 7, 9, 0, tzinfo=TOKYO)
    meeting.ends_at = datetime(2026, 12, 7, 9, 45, tzinfo=TOKYO)
    db.commit()
    log_in(page, "nozei01")
    page.goto(url)
    page.get_by_label("出席者（1行に1人：「納税課 山田」）").fill("納税課 山田\n介護保険課 鈴木")
    page.get_by_label("対応1").fill("介護保険料の減免を案内し、結果を知らせる")
    page.get_by_label("担当1").select_option(label="介護保険課")
    page.get_by_label("期限1").fill("2026-12-21")
    page.get_by_role("button", name="議事録を記録する").click()
    expect(page.locator(".flash-success")).to_contain_text("議事録を記録")
    shot("meeting-minutes")
    log_out(page)

    log_in(page, "kaigo01")
    page.goto("/mailbox/followups")
    expect(page.locator("main")).to_contain_text("ケース会議（ケース")
