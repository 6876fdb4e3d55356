"""In a real browser: 納税課 asks for a large case packet, watches the progress bar while the
scheduler's packets job builds it, and gets the file; then prints the 相談先のご案内 handout
(one test: the demo city is the slow part)."""

from __future__ import annotations

import io
import re
import threading
import time
from datetime import UTC, datetime

import pytest
from fpdf import FPDF
from mailkit import key
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from hub.clock import FixedClock
from hub.demo import DEMO_PASSWORD
from hub.documents.consent import demo as consent_demo
from hub.documents.hearing import demo as hearing_demo
from hub.documents.printing import demo as printing_demo
from hub.mailbox import send
from hub.mailbox.compose import Upload
from hub.models import Case, Department, Setting, User
from hub.scheduler import jobs
from hub.scheduler import packets as packet_job
from hub.scheduler.context import JobContext
from hub.storage import Storage, bind

pytestmark = pytest.mark.browser
PAGES = 40


def _scanned(pages: int) -> bytes:
    pdf = FPDF()
    pdf.set_font("helvetica", size=16)
    for n in range(pages):
        pdf.add_page()
        pdf.cell(text=f"Scanned attachment, page {n + 1}")
    return bytes(pdf.output())


@pytest.fixture
def city(db, config, demo_data, fast_forms):
    """The demo with 山田 太郎's sheet and consent, the counselling windows, a 40-page file
    納税課 sent, and every packet with a file made in the background."""
    bind(db, Storage.from_config(config))
    assert hearing_demo.load(db) and consent_demo.load(db) and printing_demo.load(db)
    case = db.scalar(select(Case).order_by(Case.id))
    nozei = db.scalar(select(User).where(User.login_id == "nozei01"))
    hokenryo = db.scalar(select(Department).where(Department.code == "hokenryo"))
    data = {
        "kind": "share",
        "case_id": case.id,
        "recipient_ids": [hokenryo.id],
        "subject": "滞納の経過資料",
        "attachment_categories": ["arrears"],
        "idempotency_key": key(),
    }
    send.send(db, nozei, data, [Upload("滞納の経過.pdf", _scanned(PAGES))])
    db.merge(Setting(key="packets.sync_max_kb", value=0))
    db.commit()
    return {"case_id": case.id, "resident_id": case.resident_id}


class Scheduler:
    """The scheduler process's packets job, polling in a thread of the test (never in the
    web server); each attached page takes a little time so the bar can be watched."""

    def __init__(self, database, config) -> None:
        self.ctx = JobContext(
            database, config, FixedClock(datetime.now(UTC)), Storage.from_config(config)
        )
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self.stop.is_set():
            jobs.execute(jobs.get("packets"), self.ctx, "schedule")
            self.stop.wait(0.2)

    def __enter__(self) -> Scheduler:
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop.set()
        self.thread.join(timeout=30)


def fits_the_screen(page) -> None:
    """No sideways scrolling at 1280 wide, and no text drawn outside its cell or panel."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280, page.url
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll('.panel, td, th')]
              .filter(el => el.scrollWidth > el.clientWidth + 1)
              .map(el => el.className || el.tagName)"""
    )
    assert overflowing == [], f"overflowing boxes on {page.url}: {overflowing}"


def log_in(page, login_id: str) -> None:
    page.goto("/login")
    page.get_by_label("ログインID").fill(login_id)
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("ダッシュボード")


def test_a_large_packet_shows_its_progress_and_downloads_then_the_handout_is_printed(
    page, city, database, config, shot, monkeypatch
):
    real = packet_job._progress

    def slow(ctx, job_id):
        report = real(ctx, job_id)

        def step(done: int, total: int) -> None:
            time.sleep(0.04)  # about two seconds for the attached pages
            report(done, total)

        return step

    monkeypatch.setattr(packet_job, "_progress", slow)
    monkeypatch.setattr(packet_job, "PROGRESS_EVERY", 0.1)
    log_in(page, "nozei01")
    page.goto(f"/cases/{city['case_id']}")
    page.get_by_role("link", name="ケース記録一式を作成").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("ケース記録一式の作成")
    expect(page.locator(".pr-off", has_text="介護保険課").locator("input")).to_be_disabled()
    fits_the_screen(page)
    shot("packet-01-form")
    page.get_by_role("button", name="作成する").click()
    expect(page.locator("#packet-label")).to_have_text("作成待ち")
    bar = page.locator("#packet-progress")
    expect(bar).to_be_visible()
    seen: list[int] = []
    with Scheduler(database, config), page.expect_download(timeout=60_000) as arrived:
        for _ in range(600):
            try:
                value = int(bar.evaluate("bar => bar.value", timeout=1000))
            except PlaywrightError:
                break  # the page reloads itself when the packet is made
            seen.append(value)
            if value == 100:
                break
            if 0 < value < 100 and len([v for v in seen if 0 < v < 100]) == 1:
                shot("packet-02-progress")
            page.wait_for_timeout(100)
    assert any(0 < v < 100 for v in seen), seen
    download = arrived.value
    reader = PdfReader(io.BytesIO(download.path().read_bytes()))
    assert len(reader.pages) > PAGES
    assert reader.metadata.title == "ケース記録一式" and reader.metadata.author == "納税課"
    expect(page.locator("#packet-label")).to_have_text("作成済み")
    expect(page.get_by_role("link", name="ダウンロード")).to_be_visible()
    fits_the_screen(page)
    shot("packet-03-done")

    # The handout, printed from the resident page.
    page.goto(f"/residents/{city['resident_id']}")
    page.get_by_role("link", name="相談先のご案内を作成").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("相談先のご案内")
    # Suggested from the judged 共通目安 and the sheet: ぷらっとホーム for 目安1–3.
    expect(page.get_by_label("ぷらっとホーム世田谷を案内する")).to_be_checked()
    page.get_by_label("保健福祉センター（保健福祉課）を案内する").check()
    fits_the_screen(page)
    shot("handout-01-choose")
    with page.expect_download() as arrived:
        page.get_by_role("button", name="印刷用PDFを作成").click()
    reader = PdfReader(io.BytesIO(arrived.value.path().read_bytes()))
    assert len(reader.pages) == 1
    text = re.sub(r"[\s\x00]+", "", reader.pages[0].extract_text())  # cells wrap; pypdf NULs
    assert "山田太郎様" in text and "ぷらっとホーム世田谷" in text and "保健福祉センター" in text
    assert "0001000001" not in text  # the 宛名番号 is not on a handout
    page.goto(f"/residents/{city['resident_id']}/disclosures")
    expect(page.get_by_role("heading", level=1)).to_contain_text("提供記録")
    fits_the_screen(page)
    shot("disclosures-01")
