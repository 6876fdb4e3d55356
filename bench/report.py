"""Benchmark the collaboration-status report (連携状況等確認) for a city-year.

Run by ``make bench`` (or ``python bench/report.py``). 20 departments, 5,000 cases (one sheet
and a 共通目安 judgement each), 6,000 consents, 200,000 messages (shares with a feedback due,
sharing requests, notices) with one delivery each, all in the 年度 2026, written with Core bulk
inserts. Then the whole report (every table, the meetings' included) for the city and for one
department, timed over several runs in a warm process. SQLite in a temporary folder; PostgreSQL
too when ``TSUNAGU_BENCH_POSTGRES_URL`` is set (a database of its own, dropped after). Target:
≤ 2 s for the city-year. Not a test: nothing asserts.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "bench" / "support"), str(ROOT / "tests")]

import throwaway  # noqa: E402 (bench/support: the throwaway PostgreSQL database)

from hub import migrate  # noqa: E402
from hub.app import create_app, load_models  # noqa: E402
from hub.config import Config  # noqa: E402
from hub.db import Database  # noqa: E402

load_models()

from hub.documents.consent.models import Consent, ConsentStatus  # noqa: E402
from hub.documents.hearing.models import CriteriaJudgement, HearingSheet, Outcome  # noqa: E402
from hub.mailbox.models import (  # noqa: E402
    Delivery,
    LegalBasis,
    Message,
    MessageKind,
    MessageStatus,
)
from hub.models import Case, Department, DepartmentKind, Resident, Role, User  # noqa: E402
from hub.reports import figures  # noqa: E402

DEPARTMENTS, CASES, CONSENTS, MESSAGES = 20, 5_000, 6_000, 200_000
PERIOD = figures.Period(date(2026, 4, 1), date(2027, 3, 31))
TARGET_S = 2.0
RUNS = 5
CHUNK = 10_000


def _when(rng: random.Random) -> datetime:
    return datetime(2026, 4, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(360 * 24 * 60))


def build(database: Database) -> tuple[int, int]:
    """The city-year; returns (the administrator's id, a manager's id)."""
    migrate.upgrade(database)
    rng = random.Random(7)
    with database.engine.begin() as conn:
        conn.execute(
            insert(Department),
            [
                {"code": f"d{n}", "name": f"所管課{n:02d}", "kind": DepartmentKind.COLLECTION}
                for n in range(DEPARTMENTS)
            ],
        )
        depts = list(conn.scalars(select(Department.id).order_by(Department.id)))
        conn.execute(
            insert(User),
            [
                {"login_id": f"u{n}", "display_name": f"職員{n}", "password_hash": "x",
                 "role": Role.MANAGER if n else Role.ADMIN, "department_id": d}
                for n, d in enumerate(depts)
            ],
        )  # fmt: skip
        users = list(conn.scalars(select(User.id).order_by(User.id)))
        conn.execute(
            insert(Resident),
            [
                {"atena_no": f"{n:010d}", "name": f"対象者{n}", "kana": "タイショウシャ",
                 "name_key": f"対象者{n}", "kana_key": "タイショウシャ",
                 "created_by_department_id": depts[n % DEPARTMENTS]}
                for n in range(CASES)
            ],
        )  # fmt: skip
        residents = list(conn.scalars(select(Resident.id).order_by(Resident.id)))
        conn.execute(
            insert(Case),
            [
                {"resident_id": r, "lead_department_id": depts[n % DEPARTMENTS],
                 "created_by_id": users[n % DEPARTMENTS], "opened_at": _when(rng)}
                for n, r in enumerate(residents)
            ],
        )  # fmt: skip
        cases = list(conn.scalars(select(Case.id).order_by(Case.id)))
        conn.execute(
            insert(HearingSheet),
            [
                {"case_id": c, "version": 1, "data": {}, "figures": {},
                 "author_id": users[n % DEPARTMENTS], "department_id": depts[n % DEPARTMENTS]}
                for n, c in enumerate(cases)
            ],
        )  # fmt: skip
        sheets = list(conn.execute(select(HearingSheet.id, HearingSheet.case_id)))
        conn.execute(
            insert(CriteriaJudgement),
            [
                {"case_id": c, "sheet_id": s, "criterion": 1 + n % 6, "suggestion": Outcome.MET,
                 "decision": Outcome.MET if n % 3 else Outcome.NOT_MET,
                 "judged_by_id": users[n % DEPARTMENTS], "department_id": depts[n % DEPARTMENTS],
                 "judged_at": _when(rng)}
                for n, (s, c) in enumerate(sheets)
            ],
        )  # fmt: skip
        consents = []
        for n in range(CONSENTS):
            obtained = PERIOD.start + timedelta(days=rng.randrange(300))
            withdrawn = obtained + timedelta(days=30) if n % 17 == 0 else None
            consents.append(
                {"resident_id": residents[n % CASES], "obtaining_department_id": depts[n % 20],
                 "obtained_by_id": users[n % 20], "obtained_on": obtained,
                 "status": ConsentStatus.WITHDRAWN if withdrawn else ConsentStatus.ACTIVE,
                 "valid_until": obtained + timedelta(days=365), "withdrawn_on": withdrawn}
            )  # fmt: skip
        conn.execute(insert(Consent), consents)
        kinds = [MessageKind.SHARE] * 6 + [MessageKind.SHARING_REQUEST, MessageKind.NOTICE]
        for start in range(0, MESSAGES, CHUNK):
            rows = []
            for n in range(start, min(start + CHUNK, MESSAGES)):
                case = n % CASES
                rows.append(
                    {"kind": kinds[n % len(kinds)], "status": MessageStatus.SENT,
                     "basis": LegalBasis.CONSENT, "case_id": cases[case],
                     "resident_id": residents[case], "sender_department_id": depts[n % 20],
                     "sender_user_id": users[n % 20], "subject": "件名", "sent_at": _when(rng)}
                )  # fmt: skip
            conn.execute(insert(Message), rows)
        messages = list(
            conn.execute(
                select(Message.id, Message.sender_department_id, Message.sent_at, Message.kind)
            )
        )
        for start in range(0, len(messages), CHUNK):
            rows = []
            for mid, sender, sent_at, kind in messages[start : start + CHUNK]:
                to = depts[(depts.index(sender) + 1 + mid % 5) % DEPARTMENTS]
                due = sent_at.date() + timedelta(days=14) if kind == MessageKind.SHARE else None
                late = rng.random() < 0.2
                received = sent_at + timedelta(days=20 if late else 7) if due and mid % 4 else None
                rows.append(
                    {"message_id": mid, "department_id": to, "delivered_at": sent_at,
                     "feedback_due": due, "feedback_received_at": received}
                )  # fmt: skip
            conn.execute(insert(Delivery), rows)
    return users[0], users[1]


def time_report(app, database: Database, user_id: int) -> list[float]:
    seconds = []
    with app.app_context():  # the factory has registered the meetings' table
        for _ in range(RUNS):
            with database.transaction() as session:
                user = session.get_one(User, user_id)
                t0 = time.perf_counter()
                report = figures.collaboration(session, user, PERIOD)
                seconds.append(time.perf_counter() - t0)
    assert report.tables
    return seconds


def run(label: str, url: str, folder: Path) -> None:
    database = Database(url)
    t0 = time.perf_counter()
    admin, manager = build(database)
    built = time.perf_counter() - t0
    app = create_app(Config(database_url=url, instance_path=str(folder), secret_key="bench-" * 8))
    city = time_report(app, database, admin)
    one = time_report(app, database, manager)
    verdict = "met" if max(city) <= TARGET_S else "MISSED"
    print(
        f"{label}: data {built:.0f} s; the city-year report median {statistics.median(city):.2f} s"
        f" (max {max(city):.2f}); one department median {statistics.median(one):.2f} s"
        f" (max {max(one):.2f}); target ≤ {TARGET_S:.0f} s: {verdict}"
    )
    database.dispose()


def main() -> None:
    print(
        f"連携状況等確認: {DEPARTMENTS} departments, {CASES:,} cases, {CONSENTS:,} consents,"
        f" {MESSAGES:,} messages, {RUNS} runs a scope"
    )
    with tempfile.TemporaryDirectory(prefix="tsunagu-report-") as temp:
        folder = Path(temp)
        run("SQLite", f"sqlite:///{folder / 'bench.sqlite3'}", folder)
        base = os.environ.get("TSUNAGU_BENCH_POSTGRES_URL")
        if base:
            with throwaway.postgres(base, "report") as url:
                run("PostgreSQL", url, folder)


if __name__ == "__main__":
    main()
