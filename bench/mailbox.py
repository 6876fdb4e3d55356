"""Benchmark the mailbox: 1,000,000 messages, 20 departments, 100,000 residents.

Run by ``make bench`` (or ``python bench/mailbox.py [--messages N --residents N --backend
sqlite|postgresql|both --skip-http]``). Builds a SQLite file (WAL) in a temporary folder and,
when TSUNAGU_BENCH_POSTGRES_URL (or --postgres-url) names a server, a throwaway PostgreSQL
database beside the one named (created and dropped here; the named database is not touched).

The data has the shape of a year of work: every resident has a case led by a collection
department with three other departments involved, an active consent granting the lead
department → the others the categories it shares (and the others → the lead their feedback),
and about ten messages per case (shares, feedback, sharing requests; a few notices without a
case), each delivered to 1–3 departments: mostly read, the newest unread, some recalled. 納税課
is involved in a third of the cases, so its inbox is the largest (well over 50,000 deliveries).
Rows are bulk-loaded (executemany batches on SQLite, COPY on PostgreSQL) in big transactions;
on PostgreSQL the secondary indexes are dropped first and built once after the load, as a
migration of a city's data would do; ``search_text`` is built by hub.mailbox.send.search_text
itself.

Then it times, on the server side (time.perf_counter around the service call, one fresh session
per call as a request would have, after a warm-up): the inbox's first page and deep keyset
pages (50 rows), inbox.counts, a search by kana typed in half-width ｶﾅ, the case timeline, and
send.send with 3 recipients and 2 documents (a hearing-sheet version and a policy) including the
commit. Targets: inbox and counts p95 ≤ 30 ms, send p95 ≤ 30 ms, search p95 ≤ 100 ms. It prints
the query plans of the inbox page, the counts and the search.

Last, on PostgreSQL, it serves the app with gunicorn (2 workers) and measures requests/s of
GET /api/v1/mailbox/inbox (bearer token) and of /healthz with the same concurrent keep-alive
client (threads, http.client), and prints the ratio. Not a test: nothing asserts.
"""

from __future__ import annotations

import argparse
import gc
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import create_engine, distinct, event, func, make_url, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

sys.path.insert(0, str(Path(__file__).resolve().parent / "support"))
from throwaway import add_postgres_url

from hub import migrate
from hub.app import load_models
from hub.auth.services import create_token
from hub.db import Database
from hub.mailbox import inbox, send
from hub.mailbox.models import Delivery, DeliveryState, Message, MessageDocument
from hub.models import CaseDepartment, User

TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
MESSAGES = 1_000_000
RESIDENTS = 100_000
SAMPLES = 300
WARM_UP = 30
TARGETS_MS = {"inbox": 30.0, "counts": 30.0, "send": 30.0, "search": 100.0, "timeline": 30.0}
CHUNK = 50_000
USERS_PER_DEPARTMENT = 5
#: The measured department (納税課): involved in a third of the cases.
BENCH_DEPARTMENT = 1
BENCH_SHARE = 0.33

# (code, name, kind, weight as the lead department of a case, weight as an involved one)
DEPARTMENTS = [
    ("nozei", "納税課", "collection", 6, 0),
    ("hokenryo", "保険料収納課", "collection", 3, 3),
    ("kokuho", "国保・年金課", "collection", 2, 3),
    ("kaigo", "介護保険課", "collection", 2, 2),
    ("hoiku", "保育課", "collection", 1, 1),
    ("jutaku", "住宅管理課", "collection", 1, 1),
    ("gakumu", "学務課", "collection", 1, 1),
    ("seikatsu", "生活福祉課", "collection", 1, 2),
    ("kodomo", "子ども家庭課", "collection", 1, 1),
    ("gesuido", "下水道料金課", "collection", 1, 1),
    ("plat", "ぷらっとホーム世田谷", "support", 0, 4),
    ("f-setagaya", "世田谷保健福祉センター", "support", 0, 2),
    ("f-kitazawa", "北沢保健福祉センター", "support", 0, 2),
    ("f-tamagawa", "玉川保健福祉センター", "support", 0, 2),
    ("f-kinuta", "砧保健福祉センター", "support", 0, 2),
    ("f-karasuyama", "烏山保健福祉センター", "support", 0, 2),
    ("shakyo", "社会福祉協議会", "support", 0, 2),
    ("wakamono", "若者サポートステーション", "support", 0, 1),
    ("kumin", "区民課", "other", 0, 0),
    ("somu", "総務課", "other", 0, 0),
]
# fmt: off
SURNAMES = [
    ("山田", "ヤマダ"), ("田中", "タナカ"), ("佐藤", "サトウ"), ("鈴木", "スズキ"),
    ("高橋", "タカハシ"), ("伊藤", "イトウ"), ("渡辺", "ワタナベ"), ("中村", "ナカムラ"),
    ("小林", "コバヤシ"), ("加藤", "カトウ"), ("吉田", "ヨシダ"), ("山本", "ヤマモト"),
    ("佐々木", "ササキ"), ("山口", "ヤマグチ"), ("松本", "マツモト"), ("井上", "イノウエ"),
    ("木村", "キムラ"), ("林", "ハヤシ"), ("斎藤", "サイトウ"), ("清水", "シミズ"),
    ("山崎", "ヤマザキ"), ("森", "モリ"), ("池田", "イケダ"), ("橋本", "ハシモト"),
    ("阿部", "アベ"), ("石川", "イシカワ"), ("前田", "マエダ"), ("藤田", "フジタ"),
    ("後藤", "ゴトウ"), ("岡田", "オカダ"), ("長谷川", "ハセガワ"), ("村上", "ムラカミ"),
    ("近藤", "コンドウ"), ("石井", "イシイ"), ("坂本", "サカモト"), ("遠藤", "エンドウ"),
    ("青木", "アオキ"), ("藤井", "フジイ"), ("西村", "ニシムラ"), ("福田", "フクダ"),
]
# fmt: on
# fmt: off
GIVEN_NAMES = [
    ("太郎", "タロウ"), ("花子", "ハナコ"), ("一郎", "イチロウ"), ("健太", "ケンタ"),
    ("翔太", "ショウタ"), ("美咲", "ミサキ"), ("陽子", "ヨウコ"), ("大輔", "ダイスケ"),
    ("直樹", "ナオキ"), ("由美", "ユミ"), ("恵子", "ケイコ"), ("誠", "マコト"),
    ("学", "マナブ"), ("裕子", "ユウコ"), ("和子", "カズコ"), ("浩", "ヒロシ"),
    ("隆", "タカシ"), ("明美", "アケミ"), ("智子", "トモコ"), ("拓也", "タクヤ"),
    ("優子", "ユウコ"), ("修", "オサム"), ("真由美", "マユミ"), ("聡", "サトシ"),
    ("久美子", "クミコ"), ("達也", "タツヤ"), ("幸子", "サチコ"), ("剛", "ツヨシ"),
    ("舞", "マイ"), ("亮", "リョウ"), ("千尋", "チヒロ"), ("勇気", "ユウキ"),
    ("恭子", "キョウコ"), ("大樹", "ダイキ"), ("京子", "キョウコ"), ("彩", "アヤ"),
    ("博之", "ヒロユキ"), ("直美", "ナオミ"), ("悠斗", "ユウト"), ("さくら", "サクラ"),
]
# fmt: on
SUBJECTS = {
    "share": [
        "{s}様の納付相談について",
        "{s}様の生活状況の共有",
        "{s}様の滞納状況と今後の方針",
        "{s}様 ヒアリングシート第{v}版の共有",
        "{s}様の分納計画について",
    ],
    "feedback": ["{s}様への支援状況のご報告", "{s}様 フィードバック", "{s}様の面談結果"],
    "sharing_request": ["{s}様の滞納状況の共有のお願い", "{s}様について情報共有の依頼"],
    "notice": ["生活再建支援 勉強会のお知らせ", "連絡会議の日程について", "システム停止のお知らせ"],
}
BODIES = [
    "先日の窓口相談で、失業により収入が減少し納付が困難との申し出がありました。",
    "家計の状況を確認したところ、家賃と民間債務の返済が負担となっています。",
    "ぷらっとホーム世田谷での相談をご案内し、本人も希望されています。",
    "今後の納付計画について、関係課で調整をお願いします。",
    "面談の結果、就労支援の利用を開始しました。次回面談は来月の予定です。",
    "滞納繰越分の取扱いについてご意見をいただけますでしょうか。",
    "世帯の状況に変化がありましたので共有します。詳細は添付をご確認ください。",
    "分納の約束どおり、今月分の納付を確認しました。",
]
SHEET_CATEGORIES = ["arrears", "household_budget", "life_situation"]
SEND_CATEGORIES = [*SHEET_CATEGORIES, "collection_decision"]
FEEDBACK_CATEGORIES = ["support_status", "arrears"]


def _sheet_data(rng: random.Random) -> dict[str, Any]:
    return {
        "arrears": {
            "claims": [
                {
                    "claim_type_id": 1,
                    "amount": rng.randrange(10_000, 500_000, 100),
                    "periods": "令和7年度 1期〜4期",
                    "notes": "督促状送付済み",
                },
            ]
        },
        "household_budget": {
            "take_home": rng.randrange(80_000, 300_000, 1000),
            "other_income": {},
            "members": [{"relationship": "母", "age": 74, "is_working": False}],
            "expenses": {"rent": 85_000, "food": 42_000, "utilities": 15_000},
        },
        "life_situation": {
            "employment": "lost_job",
            "job_lost_on": "2025-09-30",
            "income_reduced": True,
            "wants_work": True,
            "work_difficulty": False,
            "family_circumstances": False,
            "wants_rebuild": True,
            "notes": "週3日のアルバイト。正社員での再就職を希望。",
        },
    }


# ---------------------------------------------------------------------------------------------
# Half-width kana, as a resident's name is often typed at a counter terminal.


def _hankaku_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for code in range(0xFF66, 0xFF9E):
        half = chr(code)
        table.setdefault(unicodedata.normalize("NFKC", half), half)
        for mark in ("\uff9e", "\uff9f"):
            full = unicodedata.normalize("NFKC", half + mark)
            if len(full) == 1:
                table.setdefault(full, half + mark)
    table["ー"] = "\uff70"
    return table


HANKAKU = _hankaku_table()


def hankaku(kana: str) -> str:
    return "".join(HANKAKU.get(ch, ch) for ch in kana.replace("\u3000", " "))


# ---------------------------------------------------------------------------------------------
# Bulk loading: one writer per backend, rows as tuples in column order.


class Loader:
    """executemany batches on SQLite (one transaction), COPY on PostgreSQL (one transaction)."""

    def __init__(self, database: Database) -> None:
        self.sqlite = database.is_sqlite
        if self.sqlite:
            path = make_url(database.url).database
            self.conn = sqlite3.connect(path, isolation_level=None)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=OFF")  # a load, not the measured workload
            self.conn.execute("PRAGMA cache_size=-1000000")
            self.conn.execute("BEGIN")
        else:
            import psycopg

            url = make_url(database.url)
            self.conn = psycopg.connect(
                host=url.host,
                port=url.port or 5432,
                user=url.username,
                password=url.password,
                dbname=url.database,
            )
            # Rows are consistent by construction: no per-row foreign-key triggers.
            self.conn.execute("SET session_replication_role = replica")
            self.conn.execute("SET maintenance_work_mem = '512MB'")
            self.indexes = self._drop_indexes()
        self.counts: dict[str, int] = {}
        self.with_ids: set[str] = set()

    def _drop_indexes(self) -> list[str]:
        """Drop the secondary (non-unique) indexes, to build each once after the load rather
        than keep it up row by row — the GIN index of the search text most of all (kept up
        during COPY it made the load 5 times slower). Returns their definitions."""
        found = self.conn.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
            " JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace"
            " WHERE n.nspname = current_schema() AND NOT i.indisunique AND NOT i.indisprimary"
        ).fetchall()
        for name, _definition in found:
            self.conn.execute(f"DROP INDEX {name}")
        return [definition for _name, definition in found]

    def ts(self, value: datetime | None) -> Any:
        """A UTC time as the UTCDateTime column stores it (naive UTC)."""
        if value is None:
            return None
        naive = value.replace(tzinfo=None)
        return naive.isoformat(" ", "microseconds") if self.sqlite else naive

    def day(self, value: date | None) -> Any:
        if value is None:
            return None
        return value.isoformat() if self.sqlite else value

    def load(self, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
        if not rows:
            return
        self.counts[table] = self.counts.get(table, 0) + len(rows)
        if columns[0] == "id":
            self.with_ids.add(table)
        names = ", ".join(columns)
        if self.sqlite:
            marks = ", ".join("?" * len(columns))
            self.conn.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608
            return
        with self.conn.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def finish(self) -> None:
        if self.sqlite:
            self.conn.execute("COMMIT")
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # not a 2 GB WAL to read through
            self.conn.close()
            return
        for table in sorted(self.with_ids):  # ids were given: move the sequences past them
            self.conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"  # noqa: S608
            )
        for definition in self.indexes:
            self.conn.execute(definition)
        self.conn.commit()
        self.conn.close()


def _involved(rng: random.Random, lead: int, pool: list[int], weights: list[int]) -> list[int]:
    others: list[int] = []
    if lead != BENCH_DEPARTMENT and rng.random() < BENCH_SHARE:
        others.append(BENCH_DEPARTMENT)
    while len(others) < 3:
        dept = rng.choices(pool, weights)[0]
        if dept != lead and dept not in others:
            others.append(dept)
    return others


def build(database: Database, messages: int, residents: int, seed: int = 20261122) -> dict:
    """Migrate and fill the database; return what was made and the ids the timings need."""
    migrate.upgrade(database)
    rng = random.Random(seed)
    loader = Loader(database)
    ts, day = loader.ts, loader.day
    now = ts(NOW)
    depts = range(1, len(DEPARTMENTS) + 1)
    loader.load(
        "departments",
        [
            "id",
            "code",
            "name",
            "kind",
            "contact_phone",
            "contact_email",
            "is_active",
            "requires_approval",
            "created_at",
        ],
        [
            (n, code, name, kind, "03-5432-0000", f"{code}@city.example.jp", True, False, now)
            for n, (code, name, kind, _lead, _inv) in enumerate(DEPARTMENTS, start=1)
        ],
    )
    users = {
        d: [(d - 1) * USERS_PER_DEPARTMENT + k + 1 for k in range(USERS_PER_DEPARTMENT)]
        for d in depts
    }
    loader.load(
        "users",
        [
            "id",
            "login_id",
            "display_name",
            "department_id",
            "role",
            "password_hash",
            "is_active",
            "failed_login_count",
            "must_change_password",
            "created_at",
        ],
        [
            (
                u,
                f"{DEPARTMENTS[d - 1][0]}{k + 1:02d}",
                f"職員{u}",
                d,
                "manager" if k == 0 else "staff",
                "-",
                True,
                0,
                False,
                now,
            )
            for d, ids in users.items()
            for k, u in enumerate(ids)
        ],
    )

    lead_pool = [n for n in depts if DEPARTMENTS[n - 1][3]]
    lead_weights = [DEPARTMENTS[n - 1][3] for n in lead_pool]
    inv_pool = [n for n in depts if DEPARTMENTS[n - 1][4]]
    inv_weights = [DEPARTMENTS[n - 1][4] for n in inv_pool]
    # Residents, one case each (lead + three involved), one active consent each, and a
    # hearing sheet for every fifth case.
    names: list[tuple[str, str, str]] = []
    cases: list[tuple[int, list[int]]] = []
    sheets: dict[int, int] = {}
    res_rows, case_rows, cd_rows, consent_rows, grant_rows, sheet_rows = [], [], [], [], [], []
    grant_id = 0
    for rid in range(1, residents + 1):
        (sk, skana), (gk, gkana) = rng.choice(SURNAMES), rng.choice(GIVEN_NAMES)
        name, kana, atena = f"{sk}\u3000{gk}", f"{skana}\u3000{gkana}", f"{rid + 1000000:010d}"
        names.append((name, kana, atena))
        res_rows.append(
            (
                rid,
                atena,
                name,
                kana,
                name.replace("\u3000", ""),
                kana.replace("\u3000", ""),
                None,
                "世田谷区",
                "",
                1,
                now,
                now,
            )
        )
        lead = rng.choices(lead_pool, lead_weights)[0]
        others = _involved(rng, lead, inv_pool, inv_weights)
        cases.append((lead, others))
        opened = NOW - timedelta(days=rng.randint(30, 730))
        case_rows.append((rid, rid, lead, "open", "", users[lead][1], ts(opened), None, now))
        for d in (lead, *others):
            cd_rows.append((rid, d, ts(opened), users[lead][1]))
        obtained = TODAY - timedelta(days=rng.randint(1, 300))
        consent_rows.append(
            (
                rid,
                rid,
                lead,
                users[lead][1],
                day(obtained),
                "signed_form",
                "active",
                json.dumps(["生活再建の支援"]),
                day(obtained + timedelta(days=365)),
                None,
                "",
                "",
                "",
                now,
                now,
            )
        )
        for other in others:
            for category in SEND_CATEGORIES:
                grant_id += 1
                grant_rows.append((grant_id, rid, lead, other, category))
            for category in FEEDBACK_CATEGORIES:
                grant_id += 1
                grant_rows.append((grant_id, rid, other, lead, category))
        if rid % 5 == 0:
            sheets[rid] = len(sheets) + 1
            sheet_rows.append(
                (
                    sheets[rid],
                    rid,
                    1,
                    json.dumps(_sheet_data(rng), ensure_ascii=False),
                    "{}",
                    users[lead][1],
                    lead,
                    ts(opened),
                )
            )
        if len(res_rows) >= CHUNK or rid == residents:
            loader.load(
                "residents",
                [
                    "id",
                    "atena_no",
                    "name",
                    "kana",
                    "name_key",
                    "kana_key",
                    "birth_date",
                    "address",
                    "phone",
                    "created_by_department_id",
                    "created_at",
                    "updated_at",
                ],
                res_rows,
            )
            loader.load(
                "cases",
                [
                    "id",
                    "resident_id",
                    "lead_department_id",
                    "status",
                    "summary",
                    "created_by_id",
                    "opened_at",
                    "closed_at",
                    "updated_at",
                ],
                case_rows,
            )
            loader.load(
                "case_departments", ["case_id", "department_id", "added_at", "added_by_id"], cd_rows
            )
            loader.load(
                "consents",
                [
                    "id",
                    "resident_id",
                    "obtaining_department_id",
                    "obtained_by_id",
                    "obtained_on",
                    "method",
                    "status",
                    "purposes",
                    "valid_until",
                    "withdrawn_on",
                    "statement_text",
                    "withdrawal_clause",
                    "withdrawal_reason",
                    "created_at",
                    "updated_at",
                ],
                consent_rows,
            )
            loader.load(
                "consent_grants",
                ["id", "consent_id", "from_department_id", "to_department_id", "category"],
                grant_rows,
            )
            loader.load(
                "hearing_sheets",
                [
                    "id",
                    "case_id",
                    "version",
                    "data",
                    "figures",
                    "author_id",
                    "department_id",
                    "created_at",
                ],
                sheet_rows,
            )
            res_rows, case_rows, cd_rows, consent_rows, grant_rows, sheet_rows = (
                [],
                [],
                [],
                [],
                [],
                [],
            )

    # Messages: about ten per case in threads, in time order; the newest are unread.
    msg_cols = [
        "id",
        "kind",
        "status",
        "basis",
        "case_id",
        "resident_id",
        "thread_id",
        "parent_id",
        "sender_department_id",
        "sender_user_id",
        "subject",
        "body",
        "feedback_due",
        "categories",
        "consent_ids",
        "sharing_request_id",
        "search_text",
        "idempotency_key",
        "approved_by_id",
        "approval_comment",
        "decided_at",
        "created_at",
        "sent_at",
    ]
    del_cols = [
        "id",
        "message_id",
        "department_id",
        "state",
        "read_rank",
        "delivered_at",
        "first_read_at",
        "first_read_by_id",
        "acknowledged_at",
        "acknowledged_by_id",
        "feedback_due",
        "feedback_message_id",
        "feedback_received_at",
        "declined_at",
        "decline_reason",
        "recalled_at",
        "recalled_on",
        "recall_reason",
        "assignee_id",
        "work_status",
        "updated_at",
    ]
    span = timedelta(days=730).total_seconds() / messages
    first_of_case: dict[int, int] = {}
    last_of_case: dict[int, int] = {}
    m_rows, d_rows, r_rows, mc_rows, doc_rows = [], [], [], [], []
    delivery_id = doc_id = 0
    bodies = [" ".join(rng.sample(BODIES, 3)) for _ in range(200)]
    cat_json = {
        k: json.dumps(v)
        for k, v in (("send", SEND_CATEGORIES), ("feedback", FEEDBACK_CATEGORIES), ("none", []))
    }
    policy = json.dumps(
        {
            "pattern": "2",
            "label": "② 生活再建の見込みあり",
            "stop_execution": False,
            "note": "分納で対応",
        },
        ensure_ascii=False,
    )
    for mid in range(1, messages + 1):
        sent_at = NOW - timedelta(seconds=(messages - mid) * span + 60)
        age = (messages - mid) / messages  # 0 for the newest, 1 for the oldest
        roll = rng.random()
        if roll < 0.03:
            kind, case_id = "notice", None
            sender = rng.choice(depts)
            recipients = rng.sample([d for d in depts if d != sender], rng.randint(1, 3))
            subject, text_ = rng.choice(SUBJECTS["notice"]), rng.choice(BODIES)
            categories, consent, thread, parent = cat_json["none"], "[]", None, None
        else:
            case_id = rng.randint(1, residents)
            lead, others = cases[case_id - 1]
            if roll < 0.75:
                kind, sender = "share", lead
            elif roll < 0.95:
                kind, sender = "feedback", rng.choice(others)
            else:
                kind, sender = "sharing_request", rng.choice(others)
            pool = others if sender == lead else [lead]
            if sender == lead:
                recipients = rng.sample(pool, rng.choices((1, 2, 3), (50, 30, 20))[0])
            else:
                recipients = [
                    lead,
                    *rng.sample([d for d in others if d != sender], rng.choice((0, 0, 1))),
                ]
            surname = names[case_id - 1][0].split("\u3000")[0]
            subject = rng.choice(SUBJECTS[kind]).format(s=surname, v=rng.randint(1, 3))
            text_ = rng.choice(bodies)
            categories = cat_json["send" if sender == lead else "feedback"]
            consent = f"[{case_id}]"
            thread = first_of_case.setdefault(case_id, mid)
            thread = None if thread == mid else thread
            parent = last_of_case.get(case_id)
            last_of_case[case_id] = mid
        case = None
        if case_id is not None:
            name, kana, atena = names[case_id - 1]
            case = SimpleNamespace(resident=SimpleNamespace(name=name, kana=kana, atena_no=atena))
        due = (sent_at + timedelta(days=14)).date() if kind == "sharing_request" else None
        status = "sent" if rng.random() > 0.002 else "pending_approval"
        m_rows.append(
            (
                mid,
                kind,
                status,
                "none" if case is None else "consent",
                case_id,
                case_id,
                thread,
                parent,
                sender,
                rng.choice(users[sender][1:]),
                subject,
                text_,
                day(due),
                categories,
                consent,
                None,
                send.search_text(subject, text_, case),
                None,
                None,
                "",
                None,
                ts(sent_at),
                ts(sent_at) if status == "sent" else None,
            )
        )
        for d in recipients:
            r_rows.append((mid, d))
        if case_id is not None:
            mc_rows.append((mid, case_id))
            if kind == "share" and rng.random() < 0.3:
                doc_id += 1
                doc_rows.append(
                    (
                        doc_id,
                        mid,
                        "policy",
                        "徴収可否の判断・今後の方針",
                        '["collection_decision"]',
                        None,
                        None,
                        None,
                        policy,
                        "0" * 64,
                    )
                )
        if status != "sent":
            continue
        for d in recipients:
            delivery_id += 1
            reader = rng.choice(users[d])
            if rng.random() < 0.03:  # consent withdrawn later: recalled
                state, rank = "recalled", 2
            elif age < 0.05 or rng.random() < 0.02:
                state, rank = "delivered", 0
            else:
                state, rank = "delivered", 1
            read_at = ts(sent_at + timedelta(hours=3)) if rank == 1 else None
            acked = read_at if rank == 1 and rng.random() < 0.5 else None
            answered = ts(sent_at + timedelta(days=5)) if due and age > 0.05 else None
            d_rows.append(
                (
                    delivery_id,
                    mid,
                    d,
                    state,
                    rank,
                    ts(sent_at),
                    read_at,
                    reader if read_at else None,
                    acked,
                    reader if acked else None,
                    day(due),
                    None,
                    answered,
                    None,
                    "",
                    ts(sent_at + timedelta(days=30)) if rank == 2 else None,
                    day((sent_at + timedelta(days=30)).date()) if rank == 2 else None,
                    "同意の撤回" if rank == 2 else "",
                    reader if rank == 1 else None,
                    "done" if age > 0.2 else rng.choice(("todo", "doing", "done")),
                    ts(sent_at),
                )
            )
        if len(m_rows) >= CHUNK or mid == messages:
            loader.load("messages", msg_cols, m_rows)
            loader.load("message_recipients", ["message_id", "department_id"], r_rows)
            loader.load("message_consents", ["message_id", "consent_id"], mc_rows)
            loader.load(
                "message_documents",
                [
                    "id",
                    "message_id",
                    "kind",
                    "title",
                    "categories",
                    "hearing_sheet_id",
                    "consent_id",
                    "stored_file_id",
                    "content",
                    "sha256",
                ],
                doc_rows,
            )
            loader.load("deliveries", del_cols, d_rows)
            m_rows, d_rows, r_rows, mc_rows, doc_rows = [], [], [], [], []
    loader.finish()
    # As a database in use would be: statistics gathered, visibility map set.
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE" if database.is_sqlite else "VACUUM ANALYZE"))
        if not database.is_sqlite:
            # The load's dirty pages written now, not by a checkpoint during the timings (it
            # halved the first HTTP figures measured after a load; needs superuser or
            # pg_checkpoint).
            try:
                conn.execute(text("CHECKPOINT"))
            except DBAPIError as exc:
                print(f"  no CHECKPOINT after the load ({exc.orig}): the first timings may pay it")
    send_cases = [c for c in sheets if cases[c - 1][0] == BENCH_DEPARTMENT]
    return {"counts": loader.counts, "names": names, "send_cases": send_cases, "cases": cases}


# ---------------------------------------------------------------------------------------------
# Timings


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * fraction + 0.5) - 1)]


def timed(
    database: Database, call: Callable[[Any, int], Any], samples: int, *, commit: bool = False
) -> dict[str, float]:
    """Time ``call(session, n)`` in a fresh session per call, after a warm-up."""
    gc.collect()
    timings = []
    for n in range(samples + WARM_UP):
        session = database.session()
        try:
            start = time.perf_counter()
            call(session, n)
            if commit:
                session.commit()
            elapsed = time.perf_counter() - start
        finally:
            session.rollback()
            session.close()
        if n >= WARM_UP:
            timings.append(elapsed * 1000)
    return {
        "n": len(timings),
        "p50": statistics.median(timings),
        "p95": percentile(timings, 0.95),
        "max": max(timings),
    }


def bench_user(session, department: int = BENCH_DEPARTMENT, staff: int = 1) -> User:
    return session.scalar(
        select(User).where(User.department_id == department).order_by(User.id).offset(staff)
    )


def measure(database: Database, info: dict, samples: int) -> dict[str, dict[str, float]]:
    rng = random.Random(11)
    with database.session() as session:
        user_id = bench_user(session).id
        inbox_size = session.scalar(
            select(text("count(*)"))
            .select_from(Delivery)
            .where(Delivery.department_id == BENCH_DEPARTMENT)
        )
        unread = session.scalar(
            select(text("count(*)"))
            .select_from(Delivery)
            .where(Delivery.department_id == BENCH_DEPARTMENT, Delivery.read_rank == 0)
        )
        # Deep pages: cursors at random places of the inbox (read and recalled parts too).
        keys = session.execute(
            select(Delivery.read_rank, Delivery.id)
            .where(Delivery.department_id == BENCH_DEPARTMENT)
            .order_by(Delivery.read_rank, Delivery.id.desc())
        ).all()
        cursors = [f"{r}.{i}" for r, i in rng.sample(keys, min(len(keys), samples + WARM_UP))]
        ranks = {r for r, _i in keys}
        del keys
        timeline_cases = list(
            session.scalars(
                select(CaseDepartment.case_id)
                .where(CaseDepartment.department_id == BENCH_DEPARTMENT)
                .order_by(CaseDepartment.case_id)
                .limit(20_000)
            )
        )
        recalled = session.scalar(
            select(text("count(*)"))
            .select_from(Delivery)
            .where(
                Delivery.department_id == BENCH_DEPARTMENT,
                Delivery.state == DeliveryState.RECALLED,
            )
        )
    print(
        f"  inbox of department {BENCH_DEPARTMENT}: {inbox_size:,} deliveries "
        f"({unread:,} unread, {recalled:,} recalled; ranks {sorted(ranks)})"
    )
    names = info["names"]
    involved = timeline_cases
    # Search words: residents of cases the department takes part in, as typed in ｶﾅ.
    full_names = [hankaku(names[c - 1][1]) for c in rng.sample(involved, samples + WARM_UP)]
    surnames = [
        hankaku(names[c - 1][1].split("\u3000")[0]) for c in rng.sample(involved, samples + WARM_UP)
    ]
    tl_cases = rng.sample(timeline_cases, samples + WARM_UP)

    def user(session) -> User:
        return session.get(User, user_id)

    results = {}
    results["inbox first page"] = timed(
        database, lambda s, n: _rows(inbox.inbox(s, user(s))), samples
    )
    results["inbox deep page"] = timed(
        database, lambda s, n: _rows(inbox.inbox(s, user(s), cursor=cursors[n])), samples
    )
    results["counts"] = timed(database, lambda s, n: inbox.counts(s, user(s), today=TODAY), samples)
    results["search full name (ｶﾅ)"] = timed(
        database,
        lambda s, n: _rows(inbox.inbox(s, user(s), inbox.InboxFilter(q=full_names[n]))),
        samples,
    )
    results["search surname (ｶﾅ)"] = timed(
        database,
        lambda s, n: _rows(inbox.inbox(s, user(s), inbox.InboxFilter(q=surnames[n]))),
        samples,
    )
    results["timeline"] = timed(
        database, lambda s, n: inbox.timeline(s, user(s), tl_cases[n]), samples
    )
    sender = _sender(database, info, samples + 1, user_id)
    results["send (3 recipients, 2 documents)"] = timed(database, sender, samples, commit=True)
    with database.session() as session:
        statements = _captured(
            database,
            lambda: (sender(session, samples + WARM_UP), session.commit()),
            everything=True,
        )
        sent = session.execute(
            select(
                func.count(distinct(Message.id)),
                func.count(distinct(Delivery.id)),
                func.count(distinct(MessageDocument.id)),
            )
            .select_from(Message)
            .join(Delivery, Delivery.message_id == Message.id)
            .join(MessageDocument, MessageDocument.message_id == Message.id)
            .where(Message.idempotency_key.like("bench-%"))
        ).one()
    print(
        f"  send: {sent[0]} messages sent with {sent[1]} deliveries and {sent[2]} documents; "
        f"one send is {len(statements)} statements and the commit"
    )
    return results


def _rows(page: inbox.InboxPage) -> int:
    # What a view does next: read each row's message (already loaded with it).
    return sum(len(d.message.subject) for d in page.rows)


def _sender(database: Database, info: dict, samples: int, user_id: int) -> Callable:
    rng = random.Random(5)
    cases = info["cases"]
    picks = [rng.choice(info["send_cases"]) for _ in range(samples + WARM_UP)]
    token = secrets.token_hex(4)

    def call(session, n: int):
        case_id = picks[n]
        data = {
            "kind": "share",
            "case_id": case_id,
            "recipient_ids": cases[case_id - 1][1],
            "subject": "ヒアリングシートと今後の方針の共有",
            "body": "窓口相談の内容を共有します。今後の納付計画についてご意見をお願いします。",
            "sheet_version": 1,
            "policy": {"pattern": "2", "note": "分納で対応します。"},
            "idempotency_key": f"bench-{token}-{n}",
        }
        send.send(session, session.get(User, user_id), data, today=TODAY)

    return call


def plans(database: Database, info: dict) -> None:
    """EXPLAIN the statements of the inbox page, the counts and a search, as issued."""
    with database.session() as session:
        user = bench_user(session)
        q = hankaku(info["names"][0][1])
        calls = [
            ("inbox page", lambda: inbox.inbox(session, user), 1),
            ("counts", lambda: inbox.counts(session, user, today=TODAY), 2),
            (f"search q={q!r}", lambda: inbox.inbox(session, user, inbox.InboxFilter(q=q)), 1),
        ]
        for label, call, how_many in calls:
            statements = _captured(database, call)[:how_many]
            for statement, params in statements:
                print(f"  plan: {label}")
                print(_explain(session, database, statement, params))
        session.rollback()


def _captured(
    database: Database, call: Callable, *, everything: bool = False
) -> list[tuple[str, Any]]:
    seen: list[tuple[str, Any]] = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        if everything or statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(database.engine, "before_cursor_execute", listen)
    try:
        call()
    finally:
        event.remove(database.engine, "before_cursor_execute", listen)
    return seen


def _explain(session, database: Database, statement: str, params: Any) -> str:
    prefix = "EXPLAIN QUERY PLAN " if database.is_sqlite else "EXPLAIN "
    rows = session.connection().exec_driver_sql(prefix + statement, params).all()
    return "\n".join("    " + str(row[-1]) for row in rows)


# ---------------------------------------------------------------------------------------------
# HTTP: gunicorn with 2 workers, inbox JSON vs /healthz


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_test(port: int, path: str, headers: dict[str, str], seconds: float, clients: int) -> dict:
    """Requests/s of GET path over ``clients`` threads, each with a keep-alive connection."""
    stop = time.perf_counter() + seconds
    done, errors, lock = [0], [0], threading.Lock()

    def worker() -> None:
        conn, count, bad = None, 0, 0
        while time.perf_counter() < stop:
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status == 200:
                    count += 1
                else:
                    bad += 1
                if response.will_close:  # gunicorn's sync workers close after each answer
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException):
                bad += 1
                if conn is not None:
                    conn.close()
                conn = None
        if conn is not None:
            conn.close()
        with lock:
            done[0] += count
            errors[0] += bad

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return {"rps": done[0] / elapsed, "ok": done[0], "errors": errors[0]}


def http_bench(database: Database, seconds: float, clients: int) -> dict | None:
    from hub.security import API_PREFIX

    with database.transaction() as session:
        _token, plain = create_token(session, bench_user(session), "bench")
    port = _free_port()
    folder = tempfile.mkdtemp(prefix="tsunagu-bench-instance-")  # removed in the finally
    env = {
        **os.environ,
        "TSUNAGU_ENV": "production",
        "TSUNAGU_DATABASE_URL": database.url,
        "TSUNAGU_SECRET_KEY": secrets.token_hex(32),
        "TSUNAGU_STORAGE_KEY": secrets.token_hex(32),
        "TSUNAGU_INSTANCE_PATH": folder,
        "TSUNAGU_LOG_LEVEL": "WARNING",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [
            str(gunicorn),
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "hub.app:create_app()",
        ],
        env=env,
        cwd=folder,
        start_new_session=True,
    )
    try:
        inbox_path = f"{API_PREFIX}/mailbox/inbox"
        auth = {"Authorization": f"Bearer {plain}"}
        if not _wait_ready(port, server):
            print("  http: gunicorn did not start")
            return None
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", inbox_path, headers=auth)
        response = conn.getresponse()
        body = response.read()
        conn.close()
        if response.status != 200:
            print(f"  http: {inbox_path} answered {response.status}: {body[:200]!r}")
            return None
        rows = _count_rows(body)
        print(
            f"  http: {inbox_path} answers 200 with {rows} rows; {clients} clients, "
            f"{seconds:.0f} s per endpoint, healthz and inbox alternated twice"
        )
        load_test(port, "/healthz", {}, 2, clients)  # warm-up of both workers
        load_test(port, inbox_path, auth, 2, clients)
        health, box = [], []
        for _round in range(2):
            health.append(load_test(port, "/healthz", {}, seconds / 2, clients))
            box.append(load_test(port, inbox_path, auth, seconds / 2, clients))
        result = {
            "healthz": statistics.mean(r["rps"] for r in health),
            "inbox": statistics.mean(r["rps"] for r in box),
            "errors": sum(r["errors"] for r in health + box),
        }
        result["ratio"] = result["inbox"] / result["healthz"]
        return result
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


def _count_rows(body: bytes) -> int | str:
    try:
        data = json.loads(body)
    except ValueError:
        return "?"
    for key in ("items", "rows", "deliveries", "data"):
        if isinstance(data, dict) and isinstance(data.get(key), list):
            return len(data[key])
    return "?"


def _wait_ready(port: int, server: subprocess.Popen) -> bool:
    for _ in range(300):
        if server.poll() is not None:
            return False
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            ok = conn.getresponse().status == 200
            conn.close()
            if ok:
                return True
        except OSError:
            pass
        time.sleep(0.1)
    return False


# ---------------------------------------------------------------------------------------------


@contextmanager
def throwaway_postgres(url: str, *, keep: bool = False) -> Iterator[str]:
    """Create a database of its own beside the given one, and drop it afterwards."""
    base = make_url(url)
    name = f"{base.database}_bench_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        if keep:
            print(f"postgresql: kept database {name} (drop it when done)")
        else:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run(label: str, url: str, args: argparse.Namespace) -> dict:
    database = Database(url)
    try:
        started = time.perf_counter()
        info = build(database, args.messages, args.residents)
        built = time.perf_counter() - started
        c = info["counts"]
        print(
            f"{label}: {c['messages']:,} messages, {c['deliveries']:,} deliveries, "
            f"{c['residents']:,} residents, {c['consent_grants']:,} grants, "
            f"{c['message_recipients']:,} recipients, {c['message_documents']:,} documents "
            f"generated and loaded in {built:.1f} s"
        )
        plans(database, info)
        print("  load average before the timings: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        result = {"built": built, "ops": measure(database, info, args.samples), "http": None}
        if not database.is_sqlite and not args.skip_http:
            result["http"] = http_bench(database, args.http_seconds, args.clients)
        return result
    finally:
        database.dispose()


def report(results: dict, args: argparse.Namespace) -> None:
    print()
    print(
        f"{args.messages:,} messages, {args.residents:,} residents; per call, "
        f"{args.samples} calls after {WARM_UP} warm-up calls"
    )
    print(f"{'operation':<36}{'database':<12}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}  target")
    missed = []
    for name, r in results.items():
        for op, t in r["ops"].items():
            key = next(k for k in TARGETS_MS if op.startswith(k))
            target = TARGETS_MS[key]
            verdict = "met" if t["p95"] <= target else "MISSED"
            if verdict == "MISSED":
                missed.append(f"{op} on {name}")
            print(
                f"{op:<36}{name:<12}{t['p50']:>9.2f}{t['p95']:>9.2f}{t['max']:>9.2f}"
                f"  ≤ {target:.0f} ms {verdict}"
            )
    for name, r in results.items():
        print(f"{name}: generated and loaded in {r['built']:.1f} s")
        if r["http"]:
            h = r["http"]
            print(
                f"{name}: gunicorn 2 workers, {args.clients} clients: /healthz "
                f"{h['healthz']:.0f} req/s, inbox JSON {h['inbox']:.0f} req/s, "
                f"ratio {h['ratio']:.2f} ({h['errors']} errors)"
            )
    print("load average at the end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print("targets: " + ("all met" if not missed else "MISSED: " + "; ".join(missed)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=MESSAGES)
    parser.add_argument("--residents", type=int, default=RESIDENTS)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--samples", type=int, default=SAMPLES)
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--keep-postgres", action="store_true", help="do not drop the database")
    parser.add_argument("--sqlite-file", help="build SQLite in this file and keep it")
    parser.add_argument("--http-seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=8)
    add_postgres_url(parser)
    args = parser.parse_args(argv)
    load_models()
    results = {}
    if args.backend in ("sqlite", "both"):
        if args.sqlite_file:  # kept for a look afterwards
            Path(args.sqlite_file).unlink(missing_ok=True)
            results["sqlite"] = run("sqlite", f"sqlite:///{Path(args.sqlite_file)}", args)
        else:
            with tempfile.TemporaryDirectory(prefix="tsunagu-bench-") as folder:
                url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
                results["sqlite"] = run("sqlite", url, args)
    if args.backend in ("postgresql", "both"):
        if args.postgres_url:
            with throwaway_postgres(args.postgres_url, keep=args.keep_postgres) as url:
                results["postgresql"] = run("postgresql", url, args)
        else:
            print("postgresql: skipped (set TSUNAGU_BENCH_POSTGRES_URL to measure it)")
    report(results, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
