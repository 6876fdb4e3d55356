"""A large packet is a job row the request leaves queued and the scheduler's packets job
builds, committing its progress; a broken attachment is listed, not fatal; a consent that
ends before the build refuses it; a runner that died is replaced; old files are deleted."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from access.flow_city import withdraw
from fpdf import FPDF
from mailkit import key
from sqlalchemy import select, update

from hub import jp
from hub.clock import FixedClock
from hub.documents.printing.models import PacketJob, PacketStatus
from hub.mailbox import send
from hub.mailbox.compose import Upload
from hub.models import Setting, StoredFile
from hub.scheduler import jobs
from hub.scheduler import packets as packet_job
from hub.scheduler.context import JobContext
from hub.scheduler.models import JobRun
from hub.storage import Storage
from printing.texts import pdf_text

PASSWORD = "kaigi-2026-12"


@pytest.fixture
def city(bare_city):
    """The flow city without its packets: these tests make their own."""
    return bare_city


def pages_pdf(pages: int, label: str) -> bytes:
    pdf = FPDF()
    pdf.set_font("helvetica", size=14)
    for n in range(pages):
        pdf.add_page()
        pdf.cell(text=f"{label} page {n + 1}")
    return bytes(pdf.output())


@pytest.fixture
def run_job(db, database, config):
    """Run the packets job as the scheduler would (``trigger`` schedule), on the test data."""

    def run(trigger: str = "schedule", at: datetime | None = None):
        db.commit()
        clock = FixedClock(at or datetime.now(UTC))
        ctx = JobContext(database, config, clock, Storage.from_config(config))
        return jobs.execute(jobs.get("packets"), ctx, trigger)

    return run


def _background(db) -> None:
    """Every packet with an attachment is made in the background."""
    db.merge(Setting(key="packets.sync_max_kb", value=0))
    db.commit()


def _share_file(db, city, name: str, data: bytes) -> StoredFile:
    sent = send.send(
        db,
        city.users["nozei"],
        {
            "kind": "share",
            "case_id": city.cases["A"],
            "recipient_ids": [city.departments["hokenryo"].id],
            "subject": "資料",
            "attachment_categories": ["private_debts"],
            "idempotency_key": key(),
        },
        [Upload(name, data)],
    )
    db.commit()
    return sent.message.documents[0].stored_file


def test_a_large_packet_is_built_by_the_scheduler_with_its_progress(
    db, city, staff, run_job, config, monkeypatch
):
    _background(db)
    _share_file(db, city, "収支の資料.pdf", pages_pdf(30, "BUDGET"))
    broken = _share_file(db, city, "壊れた資料.pdf", pages_pdf(2, "BROKEN"))
    path = Storage.from_config(config).path_for(broken.storage_key)
    data = bytearray(path.read_bytes())
    data[-40] ^= 0xFF  # damaged on disk after it was stored
    path.write_bytes(bytes(data))
    nozei = staff(city, "nozei")
    answer = nozei.packet(city.cases["A"], city.departments["nozei"], password=PASSWORD)
    packet_id = int(re.search(r"/packets/(\d+)", answer.headers["Location"]).group(1))
    job = db.get(PacketJob, packet_id)
    assert (
        job.status == PacketStatus.QUEUED and job.password_box and PASSWORD not in job.password_box
    )
    db.rollback()
    page = nozei.get(answer.headers["Location"]).get_data(as_text=True)
    assert "作成待ち" in page and "<progress" in page and "/download" not in page
    assert nozei.client.get(f"/packets/{packet_id}/status").json["percent"] == 0

    seen: list[tuple[int, int]] = []
    real = packet_job._progress

    def recording(ctx, job_id):
        report = real(ctx, job_id)

        def both(done: int, total: int) -> None:
            seen.append((done, total))
            report(done, total)

        return both

    monkeypatch.setattr(packet_job, "_progress", recording)
    monkeypatch.setattr(packet_job, "PROGRESS_EVERY", 0)
    run = run_job()
    assert run is not None and run.rows >= 1 and not run.error
    assert [d for d, _t in seen] == sorted(d for d, _t in seen) and seen[-1][0] == seen[-1][1]
    assert any(0 < d < t for d, t in seen)
    job = db.get(PacketJob, packet_id)
    assert job.status == PacketStatus.DONE and job.done == job.total == seen[-1][1]
    assert job.password_box == ""
    assert [t.split("（")[0] for t in job.failed_attachments] == ["壊れた資料.pdf"]
    db.rollback()
    status = nozei.client.get(f"/packets/{packet_id}/status").json
    assert status["finished"] and status["percent"] == 100 and status["download_url"]
    pdf = nozei.get(status["download_url"])
    assert b"/Encrypt" in pdf.data
    text = pdf_text(pdf.data, password=PASSWORD)
    assert "BUDGET page 30" in text and "BROKEN page" not in text
    assert "添付できませんでした" in text and "ファイルを開けません" in text
    # Nothing left to do: a scheduled run of the quiet job leaves no record.
    runs = db.scalar(select(JobRun.id).where(JobRun.job == "packets").order_by(JobRun.id.desc()))
    assert run_job() is None
    assert (
        db.scalar(select(JobRun.id).where(JobRun.job == "packets").order_by(JobRun.id.desc()))
        == runs
    )


def test_a_consent_ended_before_the_build_refuses_it_and_a_dead_runners_job_is_redone(
    db, city, staff, run_job
):
    _background(db)
    nozei = staff(city, "nozei")
    answer = nozei.packet(city.cases["A"], city.departments["hokenryo"], "paper")
    packet_id = int(re.search(r"/packets/(\d+)", answer.headers["Location"]).group(1))
    assert db.get(PacketJob, packet_id).status == PacketStatus.QUEUED
    db.rollback()
    withdraw(db, city, "C1", jp.today())  # C1 alone gave 保険料収納課 anything
    run_job()
    job = db.get(PacketJob, packet_id)
    assert job.status == PacketStatus.REFUSED and job.stored_file_id is None
    assert "作成しませんでした" in job.error and "撤回済み" in job.error
    db.rollback()
    page = nozei.get(f"/packets/{packet_id}").get_data(as_text=True)
    assert "作成しませんでした" in page and "撤回済み" in page
    # A job whose runner died is built again after its lease; its file goes after a day.
    answer = nozei.packet(city.cases["A"], city.departments["nozei"])
    packet_id = int(re.search(r"/packets/(\d+)", answer.headers["Location"]).group(1))
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    db.execute(
        update(PacketJob)
        .where(PacketJob.id == packet_id)
        .values(status=PacketStatus.RUNNING, started_at=long_ago, runner="dead:1")
    )
    db.commit()
    run_job()
    job = db.get(PacketJob, packet_id)
    assert job.status == PacketStatus.DONE and job.runner != "dead:1"
    stored = job.stored_file_id
    db.rollback()
    run_job(at=datetime.now(UTC) + timedelta(hours=25))  # past packets.keep_hours (24)
    job = db.get(PacketJob, packet_id)
    assert job.status == PacketStatus.EXPIRED and job.stored_file_id is None
    assert db.get(StoredFile, stored) is None
    db.rollback()
    page = nozei.get(f"/packets/{packet_id}").get_data(as_text=True)
    assert "保存期間が過ぎたため" in page
