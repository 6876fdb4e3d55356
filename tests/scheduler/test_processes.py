"""Two real scheduler processes on one database, one of them killed with SIGKILL in the middle
of a run and started again: every reminder is sent exactly once, none is missing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.pool import NullPool

from hub import workdays
from hub.jp import TOKYO
from hub.mailbox.models import (
    Delivery,
    FeedbackReminder,
    LegalBasis,
    Message,
    MessageKind,
    MessageStatus,
    Notification,
    OutboxMail,
)

REQUESTS = 1000
#: Monday 7 December 2026, 10:00: the requests fall due two opening days later.
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=TOKYO)
DUE = workdays.add(date(2026, 12, 7), 2)


def _requests(db, city) -> None:
    """Open feedback requests to ぷらっとホーム, bulk-inserted (the sweep is what is tested)."""
    db.execute(
        insert(Message),
        [
            {
                "kind": MessageKind.NOTICE,
                "status": MessageStatus.SENT,
                "basis": LegalBasis.NONE,
                "sender_department_id": city.nozei.id,
                "sender_user_id": city.staff.id,
                "subject": "お知らせ",
                "feedback_due": DUE,
            }
            for _ in range(REQUESTS)
        ],
    )
    ids = db.scalars(select(Message.id)).all()
    db.execute(
        insert(Delivery),
        [{"message_id": i, "department_id": city.plat.id, "feedback_due": DUE} for i in ids],
    )
    db.commit()


def _start(url: str, instance: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "TSUNAGU_DATABASE_URL": url,
        "TSUNAGU_INSTANCE_PATH": str(instance),
        "TSUNAGU_FIXED_NOW": NOW.isoformat(),
        "TSUNAGU_SCHEDULER_POLL_SECONDS": "1",
        "TSUNAGU_JOB_BATCH_SIZE": "10",
    }
    tsunagu = Path(sys.executable).parent / "tsunagu"
    instance.mkdir(parents=True, exist_ok=True)
    with (instance / "scheduler.log").open("ab") as log:
        return subprocess.Popen(
            [tsunagu, "scheduler"], env=env, stdout=subprocess.DEVNULL, stderr=log
        )


def _started(instance: Path) -> int:
    """How many schedulers logged their start in the instance's log."""
    return (instance / "scheduler.log").read_text().count("scheduler started")


def _count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar_one()


def _wait(predicate, timeout: float, step: float = 0.01) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(step)
    return False


def test_two_schedulers_and_a_sigkill_send_every_reminder_once(db, database, city, tmp_path):
    _requests(db, city)
    plat_workers = 1  # plat01 (the city's one ぷらっとホーム user)
    # A plain engine: the test's reads take no write lock (hub.db's begin immediately).
    engine = create_engine(database.url, poolclass=NullPool)
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.execute(text("PRAGMA journal_mode=WAL"))
    first, second = _start(database.url, tmp_path / "a"), _start(database.url, tmp_path / "b")
    processes = [first, second]
    try:
        assert _wait(lambda: _count(engine, FeedbackReminder) > 0, timeout=60), (
            tmp_path / "a" / "scheduler.log"
        ).read_text()
        done_at_kill = _count(engine, FeedbackReminder)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        assert done_at_kill < REQUESTS, "the run ended before the kill: make it longer"
        again = _start(database.url, tmp_path / "a")
        processes.append(again)
        assert _wait(lambda: _count(engine, FeedbackReminder) == REQUESTS, timeout=90)
        # Both running schedulers have their signal handlers (a loaded machine may take seconds
        # to start one): "a" holds the killed process's start and the restarted one's.
        assert _wait(lambda: _started(tmp_path / "a") >= 2 and _started(tmp_path / "b"), 60)
        time.sleep(1.5)  # another poll of both: nothing more is written
    finally:
        for p in processes:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in processes:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
    assert _count(engine, FeedbackReminder) == REQUESTS
    assert _count(engine, Notification) == REQUESTS * plat_workers
    assert _count(engine, OutboxMail) == REQUESTS
    with engine.connect() as conn:
        per_delivery = conn.execute(
            select(func.count()).select_from(
                select(Notification.message_id)
                .group_by(Notification.message_id)
                .having(func.count() != plat_workers)
                .subquery()
            )
        ).scalar_one()
    assert per_delivery == 0
    # Which process wrote which row is not asserted: on a loaded machine one process may do all
    # the work before the other's first poll, and the killed one's run leaves no job_runs row.
    engine.dispose()
    assert again.returncode == 0 and second.returncode == 0  # stopped cleanly by SIGTERM
    log = (tmp_path / "b" / "scheduler.log").read_text()
    assert "job=feedback rows=" in log and "山田" not in log
