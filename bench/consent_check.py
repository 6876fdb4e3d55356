"""Benchmark the consent gate: covers() against 10,000 residents and 50,000 consents.

Run by ``make bench`` (or ``python bench/consent_check.py``). Builds a SQLite file in a temporary
folder and, when TSUNAGU_BENCH_POSTGRES_URL is set, a throwaway PostgreSQL database beside the
one named (created and dropped here). Prints the median and p95 time of one covers() call over
random questions, about half of them allowed. Target: p95 ≤ 2 ms. Not a test: nothing asserts.
"""

from __future__ import annotations

import gc
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, make_url, select, text
from sqlalchemy.pool import NullPool

from hub import migrate
from hub.app import load_models
from hub.db import Database
from hub.documents.categories import ORDER
from hub.documents.consent.gate import _query, covers
from hub.documents.consent.models import Consent, ConsentGrant, ConsentStatus
from hub.models import Department, DepartmentKind, Resident, Role, User

RESIDENTS = 10_000
CONSENTS = 50_000
CALLS = 2_000
WARM_UP = 200
TARGET_P95_MS = 2.0
TODAY = date(2026, 11, 22)
CATEGORIES = [c.value for c in ORDER]
DEPARTMENTS = [
    ("nozei", "納税課", DepartmentKind.COLLECTION),
    ("hokenryo", "保険料収納課", DepartmentKind.COLLECTION),
    ("kokuho", "国保・年金課", DepartmentKind.COLLECTION),
    ("kaigo", "介護保険課", DepartmentKind.COLLECTION),
    ("plat", "ぷらっとホーム世田谷", DepartmentKind.SUPPORT),
    ("fukushi", "保健福祉センター", DepartmentKind.SUPPORT),
]
BATCH = 10_000


def _batches(rows: list[dict]) -> Iterator[list[dict]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


def _consent_rows(rng: random.Random, now: datetime) -> tuple[list[dict], list[dict]]:
    """Consents (most active, some withdrawn, expired or draft) and their grants."""
    consents, grants = [], []
    dept_ids = list(range(1, len(DEPARTMENTS) + 1))
    for consent_id in range(1, CONSENTS + 1):
        status = rng.choices(list(ConsentStatus), weights=(1, 7, 1, 1))[0]
        obtained = TODAY - timedelta(days=rng.randint(0, 720))
        valid_until = obtained + timedelta(days=365)
        if status == ConsentStatus.EXPIRED:
            valid_until = min(valid_until, TODAY - timedelta(days=1))
        withdrawn = None
        if status == ConsentStatus.WITHDRAWN:
            withdrawn = obtained + timedelta(days=rng.randint(1, 300))
        consents.append(
            {
                "id": consent_id,
                "resident_id": (consent_id - 1) % RESIDENTS + 1,
                "obtaining_department_id": 1,
                "obtained_by_id": 1,
                "obtained_on": None if status == ConsentStatus.DRAFT else obtained,
                "method": "signed_form",
                "status": status,
                "purposes": ["生活再建の支援"],
                "valid_until": valid_until,
                "withdrawn_on": withdrawn,
                "statement_text": "",
                "withdrawal_clause": "",
                "withdrawal_reason": "",
                "created_at": now,
                "updated_at": now,
            }
        )
        for sender, recipient in rng.sample(
            [(s, r) for s in dept_ids for r in dept_ids if s != r], rng.randint(1, 3)
        ):
            for category in rng.sample(CATEGORIES, rng.randint(1, 5)):
                grants.append(
                    {
                        "consent_id": consent_id,
                        "from_department_id": sender,
                        "to_department_id": recipient,
                        "category": category,
                    }
                )
    return consents, grants


def build(database: Database, seed: int = 20261122) -> int:
    """Migrate and fill the database with bulk inserts; return the number of grants."""
    migrate.upgrade(database)
    rng, now = random.Random(seed), datetime.now(UTC)
    consents, grants = _consent_rows(rng, now)
    with database.engine.begin() as conn:
        conn.execute(
            insert(Department),
            [
                {"id": n, "code": code, "name": name, "kind": kind, "contact_phone": "",
                 "contact_email": "", "is_active": True, "created_at": now}
                for n, (code, name, kind) in enumerate(DEPARTMENTS, start=1)
            ],
        )  # fmt: skip
        conn.execute(
            insert(User),
            [{"id": 1, "login_id": "bench", "display_name": "計測", "department_id": 1,
              "role": Role.STAFF, "password_hash": "-", "is_active": True,
              "failed_login_count": 0, "must_change_password": False, "created_at": now}],
        )  # fmt: skip
        residents = [
            {"id": n, "atena_no": f"{n:010d}", "name": f"住民{n}", "kana": "ジュウミン",
             "name_key": f"住民{n}", "kana_key": "ジュウミン", "address": "", "phone": "",
             "created_by_department_id": 1, "created_at": now, "updated_at": now}
            for n in range(1, RESIDENTS + 1)
        ]  # fmt: skip
        for rows in _batches(residents):
            conn.execute(insert(Resident), rows)
        for rows in _batches(consents):
            conn.execute(insert(Consent), rows)
        for rows in _batches(grants):
            conn.execute(insert(ConsentGrant), rows)
    # As a database in use would be: statistics gathered, visibility map set (PostgreSQL's
    # autovacuum would otherwise run in the middle of the timings).
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE" if database.is_sqlite else "VACUUM ANALYZE"))
    return len(grants)


def _questions(database: Database, rng: random.Random) -> list[tuple]:
    """Half taken from real grants of active consents (mostly allowed), half at random."""
    with database.session() as session:
        granted = session.execute(
            select(
                Consent.resident_id,
                ConsentGrant.from_department_id,
                ConsentGrant.to_department_id,
                ConsentGrant.category,
            )
            .join(Consent, Consent.id == ConsentGrant.consent_id)
            .where(Consent.status == ConsentStatus.ACTIVE, Consent.valid_until >= TODAY)
            .limit(20_000)
        ).all()
    questions = []
    for n in range(CALLS + WARM_UP):
        if n % 2:
            resident, sender, recipient, category = rng.choice(granted)
            categories = [category]
        else:
            resident = rng.randint(1, RESIDENTS)
            sender, recipient = rng.sample(range(1, len(DEPARTMENTS) + 1), 2)
            categories = rng.sample(CATEGORIES, rng.randint(1, 3))
        questions.append((resident, sender, recipient, categories, TODAY))
    return questions


def measure(database: Database) -> dict[str, float]:
    """Time covers() over random questions, one session, after a warm-up."""
    rng = random.Random(7)
    questions = _questions(database, rng)
    gc.collect()  # not the loading's garbage collected in the middle of the timings
    timings, allowed = [], 0
    with database.session() as session:
        for n, question in enumerate(questions):
            start = time.perf_counter()
            decision = covers(session, *question)
            elapsed = time.perf_counter() - start
            if n >= WARM_UP:
                timings.append(elapsed * 1000)
                allowed += decision.allowed
    timings.sort()
    return {
        "calls": len(timings),
        "allowed": allowed,
        "median": statistics.median(timings),
        "p95": timings[int(len(timings) * 0.95) - 1],
        "max": timings[-1],
    }


def plan(database: Database) -> str:
    """The query plan of covers()' statement, to show which indexes it uses."""
    bound = _query().params(resident=42, sender=1, recipient=5, categories=["arrears", "assets"])
    query = bound.compile(dialect=database.engine.dialect, compile_kwargs={"literal_binds": True})
    prefix = "EXPLAIN QUERY PLAN " if database.is_sqlite else "EXPLAIN "
    with database.engine.connect() as conn:
        rows = conn.execute(text(prefix + str(query))).all()
    return "\n".join("    " + str(row[-1]) for row in rows)


@contextmanager
def throwaway_postgres(url: str) -> Iterator[str]:
    """Create a database of its own beside the given one, and drop it afterwards."""
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


def run(label: str, url: str) -> dict[str, float]:
    database = Database(url)
    try:
        started = time.perf_counter()
        grants = build(database)
        built = time.perf_counter() - started
        print(f"{label}: {RESIDENTS:,} residents, {CONSENTS:,} consents, {grants:,} grants "
              f"loaded in {built:.1f} s; plan:")  # fmt: skip
        print(plan(database))
        return measure(database)
    finally:
        database.dispose()


def main() -> int:
    load_models()
    results = {}
    with tempfile.TemporaryDirectory(prefix="tsunagu-bench-") as folder:
        results["sqlite"] = run("sqlite", f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
    pg_url = os.environ.get("TSUNAGU_BENCH_POSTGRES_URL")
    if pg_url:
        with throwaway_postgres(pg_url) as url:
            results["postgresql"] = run("postgresql", url)
    else:
        print("postgresql: skipped (set TSUNAGU_BENCH_POSTGRES_URL to measure it)")
    print()
    print(f"covers() per call, {CALLS:,} random calls after {WARM_UP} warm-up calls")
    print(f"{'database':<12}{'calls':>7}{'allowed':>9}{'median ms':>11}{'p95 ms':>9}{'max ms':>9}")
    for name, r in results.items():
        print(f"{name:<12}{r['calls']:>7}{r['allowed']:>9}{r['median']:>11.3f}"
              f"{r['p95']:>9.3f}{r['max']:>9.3f}")  # fmt: skip
    worst = max(r["p95"] for r in results.values())
    verdict = "met" if worst <= TARGET_P95_MS else "MISSED"
    print(f"target p95 ≤ {TARGET_P95_MS} ms: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
