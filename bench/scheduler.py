"""Benchmark the scheduler: the feedback sweep over many open requests, and the outbox drain.

Run by ``make bench`` (or ``python bench/scheduler.py``). For SQLite (a file in a temporary
folder) and, when TSUNAGU_BENCH_POSTGRES_URL is set, a throwaway PostgreSQL database beside the
one named (created and dropped here):

- the feedback sweep (``tsunagu jobs run feedback``, the job's own code, with its commits) with
  10,000 and with 100,000 open feedback requests, of which 1,000 have a reminder due now;
  targets: one sweep ≤ 1 s, and the 100,000 sweep ≤ 1.5 × the 10,000 sweep (the cost follows
  the due rows, not all rows);
- the outbox drain: 10,000 queued mails sent to a local aiosmtpd; target ≥ 200 mails/s.

Not a test: nothing asserts; the script prints the figures and whether each target was met.
"""

from __future__ import annotations

import os
import secrets
import socket
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path

from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, func, insert, make_url, select, text
from sqlalchemy.pool import NullPool

from hub import migrate, workdays
from hub.app import load_models
from hub.clock import FixedClock
from hub.config import load_config
from hub.db import Database
from hub.jp import TOKYO
from hub.mailbox.models import (
    Delivery,
    FeedbackReminder,
    LegalBasis,
    Message,
    MessageKind,
    MessageStatus,
    OutboxMail,
)
from hub.models import Department, DepartmentKind, Role, User
from hub.scheduler import feedback, outbox
from hub.scheduler.context import JobContext
from hub.storage import Storage

SIZES = (10_000, 100_000)
DUE_NOW = 1_000
MAILS = 10_000
#: Monday 7 December 2026, 10:00 in Tokyo.
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=TOKYO)
TARGET_SWEEP_S = 1.0
TARGET_RATIO = 1.5
TARGET_MAILS_PER_S = 200
BATCH = 5_000
DEPARTMENTS = [
    ("nozei", "納税課", DepartmentKind.COLLECTION),
    ("hokenryo", "保険料収納課", DepartmentKind.COLLECTION),
    ("kokuho", "国保・年金課", DepartmentKind.COLLECTION),
    ("kaigo", "介護保険課", DepartmentKind.COLLECTION),
    ("plat", "ぷらっとホーム世田谷", DepartmentKind.SUPPORT),
    ("fukushi", "保健福祉センター", DepartmentKind.SUPPORT),
]


def _insert(database: Database, model, rows: list[dict]) -> None:
    with database.engine.begin() as conn:
        for start in range(0, len(rows), BATCH):
            conn.execute(insert(model), rows[start : start + BATCH])


def build(database: Database, requests: int) -> None:
    """Departments with two staff and a manager each; ``requests`` open feedback requests,
    ``DUE_NOW`` of them falling due in two opening days, the rest weeks to months later."""
    migrate.upgrade(database)
    _insert(
        database,
        Department,
        [
            {"id": i, "code": code, "name": name, "kind": kind, "contact_email": f"{code}@bench.jp"}
            for i, (code, name, kind) in enumerate(DEPARTMENTS, 1)
        ],
    )
    users = []
    for dept in range(1, len(DEPARTMENTS) + 1):
        for k, role in enumerate((Role.STAFF, Role.STAFF, Role.MANAGER)):
            users.append(
                {
                    "login_id": f"u{dept}-{k}",
                    "display_name": "職員",
                    "role": role,
                    "department_id": dept,
                    "password_hash": "x",
                }
            )
    _insert(database, User, users)
    soon = workdays.add(NOW.date(), 2)
    later = [soon + timedelta(days=21 + k % 180) for k in range(requests)]
    messages, deliveries = [], []
    for k in range(1, requests + 1):
        due: date = soon if k % (requests // DUE_NOW) == 0 else later[k - 1]
        sender = 1 + k % 4
        messages.append(
            {
                "id": k,
                "kind": MessageKind.SHARE,
                "status": MessageStatus.SENT,
                "basis": LegalBasis.NONE,
                "sender_department_id": sender,
                "sender_user_id": (sender - 1) * 3 + 1,
                "subject": "ベンチマーク",
                "feedback_due": due,
            }
        )
        deliveries.append({"message_id": k, "department_id": 5 + k % 2, "feedback_due": due})
    _insert(database, Message, messages)
    _insert(database, Delivery, deliveries)
    if database.engine.dialect.name == "postgresql":
        with database.engine.begin() as conn:
            conn.execute(text("ANALYZE"))


def context(database: Database, folder: Path, **config) -> JobContext:
    cfg = load_config(
        {"instance_path": str(folder / "instance"), "database_url": database.url, **config},
        environ={},
    )
    return JobContext(database, cfg, FixedClock(NOW), Storage.from_config(cfg))


def sweep(database: Database, folder: Path) -> tuple[float, int, float]:
    """One sweep (the due reminders sent), then a second one (nothing left): seconds, rows."""
    ctx = context(database, folder)
    started = time.perf_counter()
    sent = feedback.run(ctx)
    first = time.perf_counter() - started
    started = time.perf_counter()
    feedback.run(ctx)
    second = time.perf_counter() - started
    with database.engine.connect() as conn:
        marks = conn.execute(select(func.count()).select_from(FeedbackReminder)).scalar_one()
    assert sent == marks == DUE_NOW, (sent, marks)
    return first, sent, second


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Counter:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 OK"


def drain(database: Database, folder: Path) -> tuple[float, int]:
    """Queue ``MAILS`` mails and send them all to a local aiosmtpd: seconds, mails received."""
    _insert(
        database,
        OutboxMail,
        [
            {
                "department_id": 1 + k % len(DEPARTMENTS),
                "to_address": f"{DEPARTMENTS[k % len(DEPARTMENTS)][0]}@bench.jp",
                "subject": "【つなぐハブ】新しい連絡があります",
                "body": "新しい連絡が1件あります。",
                "link_path": "/mailbox/inbox",
            }
            for k in range(MAILS)
        ],
    )
    counter, port = _Counter(), _free_port()
    server = Controller(counter, hostname="127.0.0.1", port=port)
    server.start()
    try:
        ctx = context(database, folder, smtp_host="127.0.0.1", smtp_port=port)
        started = time.perf_counter()
        sent = outbox.run(ctx)
        elapsed = time.perf_counter() - started
    finally:
        server.stop()
    assert sent == counter.count == MAILS, (sent, counter.count)
    return elapsed, counter.count


def plan(database: Database) -> str:
    """The plan of the sweep's candidate query (which index it uses)."""
    prefix = "EXPLAIN QUERY PLAN " if database.is_sqlite else "EXPLAIN "
    bound = workdays.last_due_on_or_before(NOW.date(), offset=-2)
    where = (
        "feedback_due IS NOT NULL AND feedback_received_at IS NULL AND declined_at IS NULL "
        f"AND state = 'delivered' AND feedback_due <= '{bound.isoformat()}'"
    )
    query = f"SELECT id FROM deliveries WHERE {where} ORDER BY id"  # noqa: S608 - our date
    with database.engine.connect() as conn:
        rows = conn.execute(text(prefix + query)).all()
    return "\n".join("    " + str(row[-1]) for row in rows)


@contextmanager
def throwaway_postgres(url: str) -> Iterator[str]:
    base = make_url(url)
    name = f"{base.database}_bench_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def fresh(backend: str, folder: Path, tag: str) -> Iterator[Database]:
    if backend == "sqlite":
        database = Database(f"sqlite:///{folder / f'{tag}.sqlite3'}")
        try:
            yield database
        finally:
            database.dispose()
        return
    with throwaway_postgres(os.environ["TSUNAGU_BENCH_POSTGRES_URL"]) as url:
        database = Database(url)
        try:
            yield database
        finally:
            database.dispose()


def run(backend: str, folder: Path) -> dict[str, float]:
    result: dict[str, float] = {}
    for size in SIZES:
        with fresh(backend, folder, f"sweep{size}") as database:
            started = time.perf_counter()
            build(database, size)
            print(
                f"{backend}: {size:,} open requests loaded in {time.perf_counter() - started:.1f} s"
            )
            if size == SIZES[-1]:
                print(plan(database))
            first, sent, second = sweep(database, folder)
            print(f"{backend}: sweep of {size:,}: {first:.3f} s for {sent} reminders; "
                  f"the next sweep (nothing due) {second:.3f} s")  # fmt: skip
            result[f"sweep{size}"] = first
            result[f"idle{size}"] = second
    with fresh(backend, folder, "outbox") as database:
        build(database, 1_000)
        elapsed, count = drain(database, folder)
        result["mails_per_s"] = count / elapsed
        print(f"{backend}: outbox drain of {count:,} mails in {elapsed:.2f} s")
    return result


def main() -> int:
    load_models()
    results = {}
    with tempfile.TemporaryDirectory(prefix="tsunagu-bench-") as name:
        folder = Path(name)
        results["sqlite"] = run("sqlite", folder)
        if os.environ.get("TSUNAGU_BENCH_POSTGRES_URL"):
            results["postgresql"] = run("postgresql", folder)
        else:
            print("postgresql: skipped (set TSUNAGU_BENCH_POSTGRES_URL to measure it)")
    print()
    small, large = SIZES
    print(f"{'database':<12}{'sweep 10k s':>12}{'sweep 100k s':>13}{'ratio':>7}"
          f"{'idle 100k s':>12}{'mails/s':>9}")  # fmt: skip
    met = True
    for name, r in results.items():
        ratio = r[f"sweep{large}"] / r[f"sweep{small}"]
        print(f"{name:<12}{r[f'sweep{small}']:>12.3f}{r[f'sweep{large}']:>13.3f}{ratio:>7.2f}"
              f"{r[f'idle{large}']:>12.3f}{r['mails_per_s']:>9.0f}")  # fmt: skip
        met &= max(r[f"sweep{small}"], r[f"sweep{large}"]) <= TARGET_SWEEP_S
        met &= ratio <= TARGET_RATIO and r["mails_per_s"] >= TARGET_MAILS_PER_S
    print(f"targets (sweep ≤ {TARGET_SWEEP_S} s, 100k ≤ {TARGET_RATIO}× 10k, "
          f"≥ {TARGET_MAILS_PER_S} mails/s): {'met' if met else 'MISSED'}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
