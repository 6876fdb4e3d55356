"""Benchmark case conference slot suggestion: 8 participant departments with 2,000 decided
meetings in the next 90 days (target: p95 ≤ 50 ms per suggestion of 5 slots).

Run by ``make bench`` (or ``python bench/meetings.py``) on SQLite (a file in a temporary
folder), and on PostgreSQL too when ``TSUNAGU_BENCH_POSTGRES_URL`` is set. Not a test: nothing
asserts; the script prints the figures and whether the target was met. The collaboration
report has its own, bench/report.py.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent / "support"))

import throwaway

from hub import migrate, workdays
from hub.app import load_models
from hub.db import Database
from hub.jp import TOKYO
from hub.meetings import slots
from hub.meetings.models import Meeting, MeetingStatus, Participant
from hub.models import Department, DepartmentKind, Role, User

#: Monday 7 December 2026, 10:00 in Tokyo.
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=TOKYO)
DEPARTMENTS = 20
PARTICIPANTS = 8
MEETINGS = 2_000
DAYS = 90
RUNS = 200
TARGET_P95_MS = 50.0


def build(database: Database) -> list[int]:
    """20 departments; 2,000 decided meetings of 3 random departments each in 90 days."""
    load_models()
    migrate.upgrade(database)
    rng = random.Random(12)
    with database.engine.begin() as conn:
        conn.execute(
            insert(Department),
            [
                {"code": f"d{n}", "name": f"所管課{n}", "kind": DepartmentKind.COLLECTION}
                for n in range(DEPARTMENTS)
            ],
        )
        ids = list(conn.scalars(select(Department.id).order_by(Department.id)))
        conn.execute(
            insert(User),
            [{"login_id": "bench", "display_name": "bench", "password_hash": "x",
              "role": Role.STAFF, "department_id": ids[0]}],
        )  # fmt: skip
        user = conn.scalar(select(User.id))
        meetings, participants = [], []
        for n in range(1, MEETINGS + 1):
            day = NOW.date() + timedelta(days=rng.randrange(1, DAYS))
            start = datetime.combine(day, datetime.min.time(), TOKYO) + timedelta(
                hours=rng.choice((9, 10, 11, 13, 14, 15, 16))
            )
            meetings.append(
                {
                    "id": n,
                    "organiser_department_id": ids[0],
                    "created_by_id": user,
                    "answer_deadline": NOW,
                    "status": MeetingStatus.SCHEDULED,
                    "starts_at": start,
                    "ends_at": start + timedelta(hours=1),
                    "uid": f"bench-{n}",
                }
            )
            for dept in rng.sample(ids, 3):
                participants.append({"meeting_id": n, "department_id": dept})
        conn.execute(insert(Meeting), meetings)
        conn.execute(insert(Participant), participants)
    return ids


def measure(label: str, url: str) -> None:
    database = Database(url)
    ids = build(database)
    rng = random.Random(7)
    timings = []
    with database.transaction() as session:
        workdays.hours(session)  # settings read once, as a warm process has them
        for _ in range(RUNS):
            chosen = rng.sample(ids, PARTICIPANTS)
            started = time.perf_counter()
            found = slots.suggest(session, chosen, timedelta(hours=1), NOW, count=5)
            timings.append((time.perf_counter() - started) * 1000)
            assert len(found) == 5
    database.dispose()
    timings.sort()
    p50, p95 = timings[len(timings) // 2], timings[int(len(timings) * 0.95) - 1]
    ok = p95 <= TARGET_P95_MS
    print(
        f"slot suggestion, {PARTICIPANTS} departments, {MEETINGS} meetings in {DAYS} days "
        f"({label}, {RUNS} runs): p50 {p50:.1f} ms, p95 {p95:.1f} ms "
        f"(target ≤ {TARGET_P95_MS:.0f} ms: {'met' if ok else 'NOT met'})"
    )


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        measure("SQLite", f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
    base = os.environ.get("TSUNAGU_BENCH_POSTGRES_URL")
    if base:
        with throwaway.postgres(base, "meetings") as url:
            measure("PostgreSQL", url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
