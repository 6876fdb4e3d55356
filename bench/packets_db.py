"""Benchmark the case packet from the database: what phase 2's wiring adds to bench/packets.py.

Run by ``make bench`` (or ``python bench/packets_db.py [--runs N]``). The case of
bench/packets.py, stored: 10 versions of 納税課's hearing sheet, a consent with its signed scan,
30 exchanges with ぷらっとホーム世田谷 (27 shares, 3 feedback rounds), and 10 attached PDFs of
10 scan-like pages sent with the shares (≈170 KB a page, encrypted at rest like every upload).
The packet is made for ぷらっとホーム on paper — a disclosure: the gate cuts it — through the
services the screens call:

- gather: the gate's cut and reading the database into the packet's contract;
- made in the request: gather, write the PDF into an anonymous file, encrypt it into the
  storage, audit, commit (what a small packet costs a web request);
- download: decrypting the stored packet into a file, checked (streamed to the browser);
- made by the scheduler: the request leaves a job row; the packets job claims it, gathers,
  writes with its progress committed, stores and records it.

Then, each in a fresh process, the scheduler's build of a packet with 100 and with 500
attached pages: time and peak RSS. SQLite in a temporary folder; PostgreSQL too when
``TSUNAGU_BENCH_POSTGRES_URL`` is set (a database of its own beside the one named). Targets as
for bench/packets.py: the request's build ≤ 0.5 s; peak RSS ≤ 200 MB at 500 pages; 500 pages
≤ 1.2 × 5 × 100 pages. Not a test: nothing asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, make_url, select, text
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "tests")]

from packets import memory, p, scan_pdf  # noqa: E402 (bench/packets.py: the same scans)

from hub import jp, migrate  # noqa: E402
from hub.app import load_models  # noqa: E402
from hub.clock import FixedClock  # noqa: E402
from hub.config import Config  # noqa: E402
from hub.db import Database  # noqa: E402
from hub.storage import Storage, bind, read_into, scratch, store  # noqa: E402

load_models()

from hub.auth.passwords import hasher_for  # noqa: E402
from hub.documents.consent.models import Consent, ConsentGrant, ConsentStatus  # noqa: E402
from hub.documents.hearing import services as hearing  # noqa: E402
from hub.documents.printing import jobs, packet  # noqa: E402
from hub.documents.printing.models import PacketJob  # noqa: E402
from hub.mailbox import send, sharing_requests  # noqa: E402
from hub.mailbox.compose import Upload  # noqa: E402
from hub.models import (  # noqa: E402
    Case,
    CaseDepartment,
    ClaimType,
    Department,
    DepartmentKind,
    Resident,
    Role,
    Setting,
    User,
)
from hub.scheduler import jobs as scheduler_jobs  # noqa: E402
from hub.scheduler.context import JobContext  # noqa: E402

TARGET_REQUEST_S = 0.5
TARGET_RSS_MB = 200
LINEAR_SLACK = 1.2
VERSIONS, EXCHANGES, FEEDBACK = 10, 30, 3


def config_for(folder: Path, url: str) -> Config:
    return Config(
        env="development",
        instance_path=str(folder / "instance"),
        database_url=url,
        secret_key="bench-secret-key",  # noqa: S106 - a benchmark's throwaway instance
        argon2_time_cost=1,
        argon2_memory_cost=8,
        argon2_parallelism=1,
    )


def _sheet(claims: dict[str, ClaimType], version: int) -> dict:
    return {
        "arrears": {
            "claims": [
                {"claim_type_id": claims["kuminzei"].id, "amount": 186_400 + version,
                 "periods": "令和6年度 3期〜4期"},
                {"claim_type_id": claims["kokuho"].id, "amount": 142_300, "periods": "R7 1-6期"},
            ]
        },
        "household_budget": {
            "take_home": 160_000,
            "members": [{"relationship": "母", "age": 74, "is_working": False}],
            "expenses": {"rent": 85_000, "food": 42_000, "utilities": 15_000},
        },
        "private_debts": {
            "debts": [{"kind": "consumer_finance", "creditor": "A社", "total": 600_000,
                       "monthly": 18_000}]
        },
        "life_situation": {"employment": "lost_job", "wants_work": True, "wants_rebuild": True,
                           "notes": f"第{version}版の聞き取り。" * 20},
    }  # fmt: skip


def build_case(session, folder: Path, pages: int, tag: str) -> dict:
    """One resident and 納税課's case as described above, with 10 attachments of ``pages``."""
    depts = {d.code: d for d in session.scalars(select(Department))}
    users = {u.department.code: u for u in session.scalars(select(User))}
    claims = {c.code: c for c in session.scalars(select(ClaimType))}
    resident = Resident(
        atena_no=f"{secrets.randbelow(10**10):010d}",
        name="山田 太郎",
        kana="ヤマダ タロウ",
        name_key=jp.fold("山田 太郎"),
        kana_key=jp.fold("ヤマダ タロウ"),
        created_by_department_id=depts["nozei"].id,
    )
    session.add(resident)
    session.flush()
    nozei, plat = users["nozei"], users["plat"]
    case = Case(resident=resident, lead_department_id=depts["nozei"].id, created_by_id=nozei.id)
    for dept in (depts["nozei"], depts["plat"]):
        case.involvements.append(CaseDepartment(department_id=dept.id, added_by_id=nozei.id))
    session.add(case)
    session.flush()
    for version in range(1, VERSIONS + 1):
        hearing.save(session, nozei, case.id, _sheet(claims, version))
    scan = scan_pdf_bytes(folder / f"consent-{tag}.pdf", 2, "CONSENT")
    stored = store(session, nozei, scan, "署名済み同意書.pdf", purpose="signed_scan")
    consent = Consent(
        resident_id=resident.id,
        obtaining_department_id=depts["nozei"].id,
        obtained_by_id=nozei.id,
        status=ConsentStatus.ACTIVE,
        obtained_on=jp.today() - timedelta(days=30),
        valid_until=jp.today() + timedelta(days=335),
        purposes=["生活再建の支援"],
        scan_id=stored.id,
    )
    consent.grants = [
        ConsentGrant(from_department_id=a.id, to_department_id=b.id, category=c)
        for a, b in ((depts["nozei"], depts["plat"]), (depts["plat"], depts["nozei"]))
        for c in ("arrears", "household_budget", "private_debts", "life_situation",
                  "support_status")
    ]  # fmt: skip
    session.add(consent)
    session.flush()
    first = None
    for n in range(EXCHANGES - FEEDBACK):
        uploads = []
        if n < 10:
            path = folder / f"scan-{tag}-{n}.pdf"
            scan_pdf(path, pages, f"SCAN-{n + 1}", n)
            uploads = [Upload(f"添付資料{n + 1}.pdf", path.read_bytes())]
        data = {
            "kind": "share",
            "case_id": case.id,
            "recipient_ids": [depts["plat"].id],
            "subject": f"経過の共有 {n + 1}",
            "body": "ヒアリングの結果を共有します。" * 5,
            "body_categories": ["arrears"],
            "attachment_categories": ["household_budget"] if uploads else [],
        }
        message = send.send(session, nozei, data, uploads).message
        first = first or message.id
        session.flush()
    for n in range(FEEDBACK):
        sharing_requests.send_feedback(
            session,
            plat,
            first,
            {"done": f"面談{n + 1}回目", "support_status": "in_support", "free_text": "経過" * 50},
        )
    session.commit()
    return {"case_id": case.id, "nozei": nozei.id, "plat_dept": depts["plat"].id}


def scan_pdf_bytes(path: Path, pages: int, label: str) -> bytes:
    scan_pdf(path, pages, label, 99)
    return path.read_bytes()


def city(session, hasher) -> None:
    depts = {
        "nozei": Department(code="nozei", name="納税課", kind=DepartmentKind.COLLECTION),
        "plat": Department(code="plat", name="ぷらっとホーム世田谷", kind=DepartmentKind.SUPPORT),
    }
    session.add_all(depts.values())
    for code in depts:
        session.add(
            User(login_id=f"{code}01", display_name="職員 太郎", department=depts[code],
                 role=Role.STAFF, password_hash=hasher.hash("x"))
        )  # fmt: skip
    session.add_all(
        [
            ClaimType(code="kuminzei", name="特別区民税・都民税", department=depts["nozei"],
                      limitation_years=5),
            ClaimType(code="kokuho", name="国民健康保険料", department=depts["nozei"],
                      limitation_years=2),
        ]
    )  # fmt: skip
    session.commit()


def context(database: Database, cfg: Config) -> JobContext:
    return JobContext(database, cfg, FixedClock(datetime.now(UTC)), Storage.from_config(cfg))


def request(session, ids: dict, *, background: bool) -> PacketJob:
    session.merge(Setting(key="packets.sync_max_kb", value=0 if background else 1_000_000))
    user = session.get(User, ids["nozei"])
    data = {"recipient_id": ids["plat_dept"], "method": "paper", "format": "pdf"}
    return jobs.request_packet(
        session, user, ids["case_id"], data, today=jp.today(), now=datetime.now(UTC)
    )


def measure(database: Database, cfg: Config, ids: dict, runs: int) -> dict:
    storage = Storage.from_config(cfg)
    out: dict[str, list[float]] = {"gather": [], "request": [], "download": [], "scheduler": []}
    for n in range(runs + 2):
        with database.transaction() as session:
            bind(session, storage)
            case = session.get(Case, ids["case_id"])
            user = session.get(User, ids["nozei"])
            plat = session.get(Department, ids["plat_dept"])
            t0 = time.perf_counter()
            scope = packet.scope_for(session, user, case, plat, jp.today(), action="bench")
            packet.gather(session, scope, generated_by="bench", now=datetime.now(UTC))
            gather = time.perf_counter() - t0
        t0 = time.perf_counter()
        with database.transaction() as session:
            bind(session, storage)
            job = request(session, ids, background=False)
            job_id = job.id
        made = time.perf_counter() - t0
        with database.transaction() as session:
            job = session.get(PacketJob, job_id)
            t0 = time.perf_counter()
            with scratch(session, storage=storage) as target:
                read_into(session, job.stored_file, target, storage=storage)
            download = time.perf_counter() - t0
        with database.transaction() as session:
            bind(session, storage)
            request(session, ids, background=True)
        t0 = time.perf_counter()
        scheduler_jobs.execute(scheduler_jobs.get("packets"), context(database, cfg), "manual")
        scheduled = time.perf_counter() - t0
        if n >= 2:  # two warm-up rounds
            out["gather"].append(gather)
            out["request"].append(made)
            out["download"].append(download)
            out["scheduler"].append(scheduled)
    with database.transaction() as session:
        pages = session.get(PacketJob, job_id).pages
    return {"runs": out, "pages": pages}


def child(folder: Path, url: str, case_file: Path) -> None:
    """In a fresh process: the scheduler builds the case's packet once; print its figures."""
    cfg = config_for(folder, url)
    database = Database(url)
    ids = json.loads(case_file.read_text())
    baseline = memory("VmRSS")
    storage = Storage.from_config(cfg)
    with database.transaction() as session:
        bind(session, storage)
        request(session, ids, background=True)
    t0 = time.perf_counter()
    scheduler_jobs.execute(scheduler_jobs.get("packets"), context(database, cfg), "manual")
    seconds = time.perf_counter() - t0
    peak = memory("VmHWM")
    with database.transaction() as session:
        job = session.scalar(select(PacketJob).order_by(PacketJob.id.desc()).limit(1))
        pages, size = job.pages, job.stored_file.size
    print(json.dumps({"pages": pages, "seconds": seconds, "peak_mb": peak,
                      "baseline_mb": baseline, "size_mb": size / 2**20}))  # fmt: skip


def in_child(folder: Path, url: str, ids: dict, name: str) -> dict:
    case_file = folder / f"{name}.json"
    case_file.write_text(json.dumps(ids))
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(case_file), "--folder", str(folder),
         "--url", url],
        check=True, capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_backend(label: str, url: str, folder: Path, runs: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    database = Database(url)
    migrate.upgrade(database)
    cfg = config_for(folder, url)
    storage = Storage.from_config(cfg)
    t0 = time.perf_counter()
    with database.transaction() as session:
        bind(session, storage)
        city(session, hasher_for(cfg))
    with database.transaction() as session:
        bind(session, storage)
        small = build_case(session, folder, 10, "s")
    with database.transaction() as session:
        bind(session, storage)
        large = build_case(session, folder, 50, "l")
    prepared = time.perf_counter() - t0
    figures = measure(database, cfg, small, runs)
    database.dispose()
    hundred = in_child(folder, url, small, "small")
    five_hundred = in_child(folder, url, large, "large")
    report(label, prepared, figures, hundred, five_hundred)


def report(label: str, prepared: float, figures: dict, small: dict, large: dict) -> None:
    runs = figures["runs"]
    print(f"== {label}: packet for ぷらっとホーム世田谷 on paper, {figures['pages']} pages"
          f" (case stored in {prepared:.0f} s); load average {os.getloadavg()[0]:.2f}")  # fmt: skip
    print(f"{'':<44}{'p50 s':>8}{'p95 s':>8}")
    for key, words in (
        ("gather", "gather (gate's cut, database → contract)"),
        ("request", "made in the request (… , commit)"),
        ("download", "download: decrypt and check"),
        ("scheduler", "made by the scheduler's job"),
    ):
        print(f"{words:<44}{p(runs[key], 0.5):>8.3f}{p(runs[key], 0.95):>8.3f}")
    made = p(runs["request"], 0.5)
    verdict = "met" if made <= TARGET_REQUEST_S else "MISSED"
    print(f"target request p50 ≤ {TARGET_REQUEST_S} s: {verdict}")
    for f in (small, large):
        print(f"fresh process, scheduler's build, {f['pages']} pages ({f['size_mb']:.0f} MB):"
              f" {f['seconds']:.2f} s, peak RSS {f['peak_mb']:.0f} MB"
              f" (after imports: {f['baseline_mb']:.0f} MB)")  # fmt: skip
    ratio = large["seconds"] / small["seconds"]
    rss = "met" if large["peak_mb"] <= TARGET_RSS_MB else "MISSED"
    print(f"target peak RSS ≤ {TARGET_RSS_MB} MB at 500 pages: {rss};"
          f" 500/100-page time {ratio:.2f} (limit {LINEAR_SLACK * 5:.1f})")  # fmt: skip


def postgres(base: str):
    """A database of its own beside the one named; dropped by the caller."""
    url = make_url(base)
    name = f"{url.database}_bench_packets_{os.getpid()}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return admin, name, url.set(database=name).render_as_string(hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--child", type=Path)
    parser.add_argument("--folder", type=Path)
    parser.add_argument("--url")
    args = parser.parse_args()
    if args.child:
        child(args.folder, args.url, args.child)
        return
    with tempfile.TemporaryDirectory(prefix="tsunagu-packets-db-") as temp:
        folder = Path(temp)
        lite = folder / "sqlite"
        run_backend("SQLite", f"sqlite:///{lite / 'bench.sqlite3'}", lite, args.runs)
        base = os.environ.get("TSUNAGU_BENCH_POSTGRES_URL")
        if base:
            admin, name, url = postgres(base)
            try:
                run_backend("PostgreSQL", url, folder / "pg", args.runs)
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()


if __name__ == "__main__":
    main()
