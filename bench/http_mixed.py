"""Fifty case workers at once: a mixed load of inbox, open and send, on the hub's two servers.

``python bench/http_mixed.py [--seconds S --messages N --residents N]`` (``make bench`` runs
it with no arguments; the PostgreSQL runs need TSUNAGU_BENCH_POSTGRES_URL, else they are
skipped with a line saying so). Issue 13's mixed run:

- data: bench/mailbox.py's generator (60,000 messages, 6,000 residents by default) on a
  throwaway PostgreSQL database beside TSUNAGU_BENCH_POSTGRES_URL, and on a SQLite file in a
  temporary folder;
- 50 clients: 5 collection departments × 10 case workers (the generator's staff, the rest
  added with hub.admin.services.add_user), each with an API token (create_token);
- each request, per client: 60 % the inbox (``GET /api/v1/mailbox/inbox``), 30 % opening a
  message delivered to the client's department (``GET /api/v1/messages/<id>``), 10 % a share
  sent within consent (``POST /api/v1/messages``, a fresh Idempotency-Key each): a case the
  department leads, its hearing sheet and a policy, to the departments involved in the case
  that the resident's active consent lets the department send those categories to (asked
  of the hub's consent gate, hub.documents.consent.gate.covers, when the data is made).

A send counts only when answered 201, the others only when answered 200; any other answer
or a socket error is an error, reported per action. The client is wrk with
bench/support/mixed.lua, one wrk thread per client (``-t50 -c50``: a thread's Lua state then
knows which action an answer belongs to), or — without wrk, or with ``--client python`` — a
Python client of 50 threads (http.client, keep-alive). With think time, each client's first
pause is drawn from 0 to 1.2 s, so that the 50 do not work in step.

Runs, one after the other on the same cores:

1. PostgreSQL, gunicorn -w 2, no think time;
2. PostgreSQL, gunicorn -w 8, no think time;
3. SQLite, ``tsunagu run`` (the embedded mode: Flask's ``run`` command, Werkzeug's threaded
   server, one process), 1 s think time ± 20 %;
4. SQLite, ``tsunagu run``, no think time (context; ``--no-context`` leaves it out).

Targets (issue 13): 50 clients with no think time on PostgreSQL: 0 errors, p95 ≤ 200 ms;
SQLite with 1 s think time: p95 ≤ 100 ms, max ≤ 1 s. Every request is audited; no scheduler
runs, so the events wait unsealed. Sends made by a run stay, so later runs see slightly
bigger inboxes. Not a test: nothing asserts, and it exits 0.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "support"))

import generator  # noqa: E402
from throwaway import add_postgres_url, postgres  # noqa: E402

from hub.app import load_models  # noqa: E402

LUA = HERE / "support" / "mixed.lua"
DEPARTMENTS = 5
CLIENTS_PER_DEPARTMENT = 10
MIX = {"inbox": 0.6, "open": 0.3, "send": 0.1}
ACTIONS = tuple(MIX)
#: Messages each department's clients open (delivered to it, sampled), and cases they send about.
OPENS_PER_DEPARTMENT = 500
CASES_PER_DEPARTMENT = 200
THINK_MS = 1000
SHARE = {
    "kind": "share",
    "subject": "ヒアリングシートと今後の方針の共有",
    "body": "窓口相談の内容を共有します。今後の納付計画についてご意見をお願いします。",
    "sheet_version": 1,
    "policy": {"pattern": "2", "note": "分納で対応します。"},
}
#: (p95 ms, max ms, zero errors) per kind of run; None: not a target of the issue.
TARGETS: dict[str, tuple[float, float | None, bool]] = {
    "postgresql": (200.0, None, True),
    "sqlite think": (100.0, 1000.0, False),
}


def _generator():
    return generator.load()


# ---------------------------------------------------------------------------------------------
# Data: the generator's database, 50 users with tokens, what they open and send.


def prepare(gen, url: str, args: argparse.Namespace) -> dict[str, Any]:
    """Fill the database; make the clients; pick messages to open and consented sends."""
    from sqlalchemy import func, select

    from hub import jp
    from hub.db import Database
    from hub.mailbox.models import Delivery
    from hub.models import Department, DepartmentKind

    database = Database(url)
    started = time.perf_counter()
    info = gen.build(database, args.messages, args.residents)
    built = time.perf_counter() - started
    rng = random.Random(13)
    today = jp.today()
    clients: list[dict[str, Any]] = []
    opens: dict[int, list[int]] = {}
    sends: dict[int, list[str]] = {}
    names: dict[int, str] = {}
    try:
        with database.transaction() as session:
            # The collection departments lead cases; one with nothing to open or send about
            # (a small --residents) gives way to the next.
            for dept in session.scalars(
                select(Department)
                .where(Department.kind == DepartmentKind.COLLECTION)
                .order_by(Department.id)
            ):
                if len(names) == args.departments:
                    break
                to_open = _opens(session, dept.id, rng)
                to_send = _sends(session, dept.id, rng, today)
                if not to_open or not to_send:
                    print(f"  {dept.name}: left out ({len(to_open)} to open, {len(to_send)} sends)")
                    continue
                names[dept.id], opens[dept.id], sends[dept.id] = dept.name, to_open, to_send
                for token in _tokens(session, dept, args.clients_per_department):
                    clients.append({"token": token, "department": dept.id})
            inboxes = dict(
                session.execute(
                    select(Delivery.department_id, func.count())
                    .where(Delivery.department_id.in_(list(names)))
                    .group_by(Delivery.department_id)
                ).all()
            )
    finally:
        database.dispose()
    counts = info["counts"]
    print(
        f"  {counts['messages']:,} messages, {counts['deliveries']:,} deliveries, "
        f"{counts['residents']:,} residents; built in {built:.0f} s"
    )
    for dept_id, name in names.items():
        shape = sorted(len(json.loads(b)["recipient_ids"]) for b in sends[dept_id])
        print(
            f"  {name}: {sum(c['department'] == dept_id for c in clients)} clients, "
            f"inbox {inboxes.get(dept_id, 0):,} deliveries, {len(opens[dept_id])} messages "
            f"to open, {len(sends[dept_id])} cases to send about "
            f"({shape[0]}–{shape[-1]} recipients within consent)"
        )
    return {"clients": clients, "opens": opens, "sends": sends, "names": names}


def _tokens(session, dept, how_many: int) -> list[str]:
    """API tokens of the department's case workers: the generator's staff, and more added with
    the hub's own service until there are enough."""
    from argon2 import PasswordHasher
    from sqlalchemy import select

    from hub.admin.services import add_user
    from hub.auth.services import create_token
    from hub.models import Role, User

    # Tokens only: the users' passwords are never typed, so a cheap hash will do.
    hasher = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
    staff = list(
        session.scalars(
            select(User)
            .where(User.department_id == dept.id, User.role == Role.STAFF)
            .order_by(User.id)
        )
    )
    for n in range(len(staff), how_many):
        data = {
            "login_id": f"mixed-{dept.code}-{n + 1:02d}",
            "display_name": f"{dept.name} 職員{n + 1}",
            "role": Role.STAFF.value,
            "department_id": dept.id,
            "password": secrets.token_urlsafe(18),
        }
        staff.append(add_user(session, None, hasher, data))
    return [create_token(session, user, "bench http_mixed")[1] for user in staff[:how_many]]


def _opens(session, dept_id: int, rng: random.Random) -> list[int]:
    """Messages delivered to the department (not recalled), sampled."""
    from sqlalchemy import select

    from hub.mailbox.models import Delivery, DeliveryState

    delivered = session.scalars(
        select(Delivery.message_id).where(
            Delivery.department_id == dept_id, Delivery.state == DeliveryState.DELIVERED
        )
    ).all()
    return sorted(rng.sample(list(delivered), min(OPENS_PER_DEPARTMENT, len(delivered))))


def _sends(session, dept_id: int, rng: random.Random, today) -> list[str]:
    """Shares within consent, as JSON bodies: a case the department leads, its hearing sheet
    (written by the department) and a policy, to every department involved in the case that
    the resident's consent in force lets the department send those categories to — as the
    hub's consent gate answers."""
    from sqlalchemy import select

    from hub.documents.categories import InformationCategory
    from hub.documents.consent import gate
    from hub.documents.hearing.models import HearingSheet
    from hub.documents.hearing.sections import sheet_categories
    from hub.models import Case, CaseDepartment

    led = session.execute(
        select(Case.id, Case.resident_id, HearingSheet.id)
        .join(HearingSheet, HearingSheet.case_id == Case.id)
        .where(
            Case.lead_department_id == dept_id,
            HearingSheet.version == 1,
            HearingSheet.department_id == dept_id,
        )
    ).all()
    bodies: list[str] = []
    for case_id, resident_id, sheet_id in rng.sample(list(led), len(led)):
        if len(bodies) >= CASES_PER_DEPARTMENT:
            break
        categories = {c.value for c in sheet_categories(session.get(HearingSheet, sheet_id))}
        categories.add(InformationCategory.COLLECTION_DECISION.value)
        involved = session.scalars(
            select(CaseDepartment.department_id).where(
                CaseDepartment.case_id == case_id, CaseDepartment.department_id != dept_id
            )
        ).all()
        allowed = [
            other
            for other in sorted(involved)
            if gate.covers(session, resident_id, dept_id, other, sorted(categories), today).allowed
        ]
        if allowed:
            body = {**SHARE, "case_id": case_id, "recipient_ids": allowed}
            bodies.append(json.dumps(body, ensure_ascii=True))
    return bodies


def _long_string(text: str) -> str:
    """A Lua long string holding ``text`` as it is."""
    level = 0
    while f"]{'=' * level}]" in text:
        level += 1
    return f"[{'=' * level}[{text}]{'=' * level}]"


def write_data(folder: Path, made: dict[str, Any]) -> Path:
    """The clients, opens and sends as a Lua file for bench/support/mixed.lua."""
    clients = ",\n".join(
        f"  {{token = {_long_string(c['token'])}, department = {c['department']}}}"
        for c in made["clients"]
    )
    opens = ",\n".join(
        f"  [{d}] = {{{', '.join(map(str, ids))}}}" for d, ids in made["opens"].items()
    )
    sends = ",\n".join(
        f"  [{d}] = {{\n    " + ",\n    ".join(_long_string(b) for b in bodies) + "\n  }"
        for d, bodies in made["sends"].items()
    )
    path = folder / "mixed-data.lua"
    path.write_text(
        f"return {{\nclients = {{\n{clients}\n}},\nopens = {{\n{opens}\n}},\n"
        f"sends = {{\n{sends}\n}},\nmix = {{inbox = {MIX['inbox']}, open = {MIX['open']}}},\n}}\n"
    )
    return path


# ---------------------------------------------------------------------------------------------
# Clients: wrk (the main path) and a Python stand-in.


def drive_wrk(port: int, data: Path, clients: int, seconds: float, think_ms: int, run_id: str):
    """One wrk run; its ``MIXED`` line as a dict (None, with wrk's output printed, if none)."""
    command = [
        "wrk", f"-t{clients}", f"-c{clients}", f"-d{max(1, round(seconds))}s", "--timeout", "30s",
        "-s", str(LUA), f"http://127.0.0.1:{port}", "--", str(data), str(think_ms), run_id,
    ]  # fmt: skip
    # errors="replace": a bad answer's sample may be cut inside a character.
    done = subprocess.run(
        command, capture_output=True, encoding="utf-8", errors="replace", check=False
    )
    for line in done.stdout.splitlines():
        if line.startswith("MIXED "):
            return json.loads(line.removeprefix("MIXED "))
    print(f"    wrk answered {done.returncode}: {done.stdout[-2000:]}{done.stderr[-2000:]}")
    return None


def _percentile(ordered: list[float], p: float) -> float:
    if not ordered:
        return 0.0
    return ordered[max(0, -(-len(ordered) * p // 100) - 1)]


def _pick(rng: random.Random) -> str:
    """An action drawn from the mix."""
    r = rng.random()
    if r < MIX["inbox"]:
        return "inbox"
    return "open" if r < MIX["inbox"] + MIX["open"] else "send"


def _request(rng: random.Random, made: dict, me: dict, key: str):
    """(action, method, path, body, headers) of the Python client's next request."""
    auth = {"Authorization": f"Bearer {me['token']}"}
    action = _pick(rng)
    if action == "inbox":
        return action, "GET", "/api/v1/mailbox/inbox", None, auth
    if action == "open":
        opened = rng.choice(made["opens"][me["department"]])
        return action, "GET", f"/api/v1/messages/{opened}", None, auth
    body = rng.choice(made["sends"][me["department"]])
    headers = {**auth, "Content-Type": "application/json", "Idempotency-Key": key}
    return action, "POST", "/api/v1/messages", body, headers


def drive_python(port: int, made: dict, clients: int, seconds: float, think_ms: int, run_id: str):
    """The same mix from ``clients`` threads, each a keep-alive http.client connection."""
    stop = time.monotonic() + seconds
    lock = threading.Lock()
    times: dict[str, list[float]] = {a: [] for a in ACTIONS}
    every: list[float] = []
    bad: dict[str, int] = dict.fromkeys(ACTIONS, 0)
    lost: dict[str, int] = dict.fromkeys(ACTIONS, 0)
    statuses: dict[str, dict[str, int]] = {a: {} for a in ACTIONS}
    samples: dict[str, str] = dict.fromkeys(ACTIONS, "")

    def client(n: int) -> None:
        me = made["clients"][n % len(made["clients"])]
        rng = random.Random(n * 7919)
        conn: http.client.HTTPConnection | None = None
        sent = 0
        if think_ms:  # each client starts at its own moment of the first pause
            time.sleep(rng.uniform(0, 1.2) * think_ms / 1000)
        while time.monotonic() < stop:
            if think_ms and sent:
                time.sleep(rng.uniform(0.8, 1.2) * think_ms / 1000)
            sent += 1  # the request's number: a send's key is unique
            action, method, path, body, headers = _request(
                rng, made, me, f"{run_id}-{n + 1}-{sent}"
            )
            started = time.perf_counter()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request(method, path, body=body, headers=headers)
                answer = conn.getresponse()
                text = answer.read()
                status = answer.status
                if answer.will_close:
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException):
                if conn is not None:
                    conn.close()
                conn = None
                with lock:
                    lost[action] += 1
                continue
            elapsed = (time.perf_counter() - started) * 1000
            ok = status == (201 if action == "send" else 200)
            with lock:
                times[action].append(elapsed)
                every.append(elapsed)
                statuses[action][str(status)] = statuses[action].get(str(status), 0) + 1
                if not ok:
                    bad[action] += 1
                    if not samples[action]:
                        samples[action] = f"{status} {text[:300].decode(errors='replace')}"
        if conn is not None:
            conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    every.sort()
    result: dict[str, Any] = {
        "requests": len(every), "seconds": elapsed, "connect": 0, "read": 0, "write": 0,
        "timeout": 0, "status": sum(bad.values()), "unfinished": 0,
        "p50": _percentile(every, 50), "p95": _percentile(every, 95),
        "p99": _percentile(every, 99), "max": every[-1] if every else 0.0, "actions": {},
    }  # fmt: skip
    for a in ACTIONS:
        ordered = sorted(times[a])
        result["actions"][a] = {
            "ok": len(ordered) - bad[a], "bad": bad[a], "lost": lost[a],
            "statuses": statuses[a], "p50": _percentile(ordered, 50),
            "p95": _percentile(ordered, 95), "p99": _percentile(ordered, 99),
            "max": ordered[-1] if ordered else 0.0, "sample": samples[a],
        }  # fmt: skip
    return result


# ---------------------------------------------------------------------------------------------
# Servers and runs.


def _start(command: list[str], env: dict, cwd: Path, log: Path) -> subprocess.Popen:
    with log.open("ab") as out:
        return subprocess.Popen(
            command, env=env, cwd=cwd, stdout=out, stderr=out, start_new_session=True
        )


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)


def _call(port: int, method: str, path: str, headers: dict, body: str | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers)
        answer = conn.getresponse()
        return answer.status, answer.read()
    finally:
        conn.close()


def preflight(port: int, made: dict) -> None:
    """Each department's first client tries each action once; an unexpected answer is printed."""
    for dept, name in made["names"].items():
        client = next(c for c in made["clients"] if c["department"] == dept)
        auth = {"Authorization": f"Bearer {client['token']}"}
        tries = [
            ("inbox", "GET", "/api/v1/mailbox/inbox", auth, None, 200),
            ("open", "GET", f"/api/v1/messages/{made['opens'][dept][0]}", auth, None, 200),
            ("send", "POST", "/api/v1/messages",
             {**auth, "Content-Type": "application/json",
              "Idempotency-Key": f"preflight-{secrets.token_hex(6)}"},
             made["sends"][dept][0], 201),
        ]  # fmt: skip
        for action, method, path, headers, body, expected in tries:
            status, text = _call(port, method, path, headers, body)
            if status != expected:
                print(f"    preflight {name} {action}: {status} {text[:300]!r}")


def _server_log(log: Path, offset: int) -> dict[str, Any]:
    """What the server wrote during the run: tracebacks, 5xx answers, lock and timeout lines."""
    text = log.read_bytes()[offset:].decode(errors="replace")
    lines = text.splitlines()
    errors = [
        line.strip()
        for n, line in enumerate(lines)
        if n > 0 and lines[n - 1].startswith("  ") and re.match(r"^\w[\w.]*(Error|Exception)", line)
    ]
    return {
        "tracebacks": text.count("Traceback (most recent call last)"),
        "errors": sorted(set(errors))[:5],
        "5xx": len(re.findall(r'HTTP/1\.[01]" 5\d\d ', text)),
        "locked": text.count("database is locked"),
        "worker timeouts": text.count("WORKER TIMEOUT"),
    }


def _sends_in_database(url: str, run_id: str) -> int:
    from sqlalchemy import func, select

    from hub.db import Database
    from hub.mailbox.models import Message

    database = Database(url)
    try:
        with database.session() as session:
            return int(
                session.scalar(
                    select(func.count())
                    .select_from(Message)
                    .where(Message.idempotency_key.like(f"{run_id}-%"))
                )
                or 0
            )
    finally:
        database.dispose()


def run_mode(
    label: str,
    command: list[str],
    env: dict,
    folder: Path,
    url: str,
    made: dict,
    data: Path,
    think_ms: int,
    args: argparse.Namespace,
) -> dict[str, Any] | None:
    """Start the server, warm it up, time one run of the mix, stop it; print what happened."""
    gen = made["gen"]
    clients = len(made["clients"])
    port = gen._free_port()
    log = folder / f"server-{re.sub(r'[^a-z0-9]+', '-', label.lower())}.log"
    instance = folder / "instance"
    instance.mkdir(exist_ok=True)
    server = _start([*command, *_bind(command, port)], env, instance, log)
    try:
        if not gen._wait_ready(port, server):
            print(f"  {label}: the server did not start; its log:\n{log.read_text()[-3000:]}")
            return None
        preflight(port, made)
        if args.warmup > 0:
            warm = f"warm{secrets.token_hex(4)}"
            _drive(args.client, port, made, data, clients, args.warmup, 0, warm)
        offset = log.stat().st_size
        run_id = f"mixed{secrets.token_hex(4)}"
        load_before = os.getloadavg()[0]
        result = _drive(args.client, port, made, data, clients, args.seconds, think_ms, run_id)
        load_after = os.getloadavg()[0]
    finally:
        _stop(server)
    if result is None:
        return None
    result["server"] = _server_log(log, offset)
    result["stored sends"] = _sends_in_database(url, run_id)
    result["load"] = (load_before, load_after)
    _summarise(label, result)
    return result


def _drive(client, port, made, data, clients, seconds, think_ms, run_id):
    if client == "wrk":
        return drive_wrk(port, data, clients, seconds, think_ms, run_id)
    return drive_python(port, made, clients, seconds, think_ms, run_id)


def _bind(command: list[str], port: int) -> list[str]:
    if Path(command[0]).name == "gunicorn":
        return ["-b", f"127.0.0.1:{port}", "hub.app:create_app()"]
    return ["--host", "127.0.0.1", "--port", str(port)]


def _errors(result: dict[str, Any]) -> int:
    per_action = sum(a["bad"] + a["lost"] for a in result["actions"].values())
    return per_action + result["connect"] + result["timeout"]


def _summarise(label: str, result: dict[str, Any]) -> None:
    acts = result["actions"]
    print(
        f"  {label}: {result['requests']:,} requests in {result['seconds']:.0f} s, "
        f"{_errors(result)} errors; load average {result['load'][0]:.2f} → "
        f"{result['load'][1]:.2f}"
    )
    for action in ACTIONS:
        a = acts[action]
        codes = ", ".join(f"{code}×{n}" for code, n in sorted(a["statuses"].items()))
        print(
            f"    {action:<6} {a['ok']:>7,} ok {a['bad']:>5} bad {a['lost']:>4} lost  "
            f"p50 {a['p50']:6.1f}  p95 {a['p95']:7.1f}  p99 {a['p99']:7.1f}  "
            f"max {a['max']:7.1f} ms  [{codes}]"
        )
        if a["sample"]:
            print(f"      first bad answer: {a['sample']}")
    socket = {k: result[k] for k in ("connect", "read", "write", "timeout") if result[k]}
    if socket:
        print(f"    wrk socket errors: {socket}")
    acked = acts["send"]["ok"]
    stored = result["stored sends"]
    in_flight = f" (+{result['unfinished']} requests in flight at the end)"
    print(
        f"    sends answered 201: {acked:,}; messages with the run's keys in the database: "
        f"{stored:,}{in_flight if stored != acked else ''}"
    )
    server = result["server"]
    if any(server[k] for k in ("tracebacks", "5xx", "locked", "worker timeouts")):
        print(
            f"    server log: {server['tracebacks']} tracebacks, {server['5xx']} 5xx lines, "
            f"{server['locked']} 'database is locked', {server['worker timeouts']} worker "
            f"timeouts; {'; '.join(server['errors'])}"
        )


def run(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    gen = _generator()
    load_models()
    bin_dir = Path(sys.executable).parent
    clients = args.departments * args.clients_per_department
    client = {"wrk": "wrk (bench/support/mixed.lua)", "python": "Python client"}[args.client]
    print(
        f"{os.cpu_count()} cores; {client}; {args.departments} departments × "
        f"{args.clients_per_department} clients = {clients}; mix "
        + ", ".join(f"{int(v * 100)} % {k}" for k, v in MIX.items())
        + f"; {args.seconds:.0f} s per run after {args.warmup:.0f} s of warm-up"
    )
    print("load average at the start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    results: dict[str, dict[str, Any]] = {}
    folder = Path(tempfile.mkdtemp(prefix="tsunagu-mixed-bench-"))
    env = {
        **os.environ,
        "TSUNAGU_ENV": "production",
        "TSUNAGU_SECRET_KEY": secrets.token_hex(32),
        "TSUNAGU_STORAGE_KEY": secrets.token_hex(32),
        "TSUNAGU_INSTANCE_PATH": str(folder / "instance"),
        "TSUNAGU_LOG_LEVEL": "WARNING",
    }
    try:
        if args.postgres_url:
            with postgres(args.postgres_url, "mixed") as url:
                print("PostgreSQL:")
                made = {**prepare(gen, url, args), "gen": gen}
                data = write_data(folder, made)
                for workers in args.workers:
                    command = [str(bin_dir / "gunicorn"), "-w", str(workers),
                               "--log-level", "warning"]  # fmt: skip
                    found = run_mode(
                        f"PostgreSQL, gunicorn -w {workers}, no think time", command,
                        {**env, "TSUNAGU_DATABASE_URL": url}, folder, url, made, data, 0, args,
                    )  # fmt: skip
                    if found:
                        results[f"postgresql -w{workers}"] = found
        else:
            print(
                "PostgreSQL: skipped (set TSUNAGU_BENCH_POSTGRES_URL to measure gunicorn on "
                "PostgreSQL)"
            )
        url = f"sqlite:///{folder / 'hub.sqlite3'}"
        print("SQLite:")
        made = {**prepare(gen, url, args), "gen": gen}
        data = write_data(folder, made)
        command = [str(bin_dir / "tsunagu"), "run"]
        sqlite_env = {**env, "TSUNAGU_DATABASE_URL": url}
        modes = [(args.think_ms, "sqlite think")]
        if not args.no_context:
            modes.append((0, "sqlite"))
        for think, key in modes:
            label = (
                f"SQLite, tsunagu run, think {think} ms"
                if think
                else "SQLite, tsunagu run, no think time"
            )
            found = run_mode(label, command, sqlite_env, folder, url, made, data, think, args)
            if found:
                results[key] = found
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return results


def report(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> None:
    print()
    print(
        f"{'mode':<24}{'requests':>9}{'req/s':>8}{'errors':>8}{'p50 ms':>8}{'p95 ms':>8}"
        f"{'p99 ms':>8}{'max ms':>8}  target (issue 13)"
    )
    for mode, r in results.items():
        kind = "postgresql" if mode.startswith("postgresql") else mode
        goal = TARGETS.get(kind)
        errors = _errors(r)
        if goal is None:
            verdict = "(context)"
        else:
            p95, most, zero = goal
            parts = [f"p95 ≤ {p95:.0f} ms {'met' if r['p95'] <= p95 else 'MISSED'}"]
            if most is not None:
                parts.append(f"max ≤ {most:.0f} ms {'met' if r['max'] <= most else 'MISSED'}")
            if zero:
                parts.append(f"0 errors {'met' if errors == 0 else 'MISSED'}")
            verdict = "; ".join(parts)
        rps = r["requests"] / r["seconds"] if r["seconds"] else 0.0
        print(
            f"{mode:<24}{r['requests']:>9,}{rps:>8.1f}{errors:>8}{r['p50']:>8.1f}{r['p95']:>8.1f}"
            f"{r['p99']:>8.1f}{r['max']:>8.1f}  {verdict}"
        )
    clients = args.departments * args.clients_per_department
    print(
        f"(No think time is a closed loop: mean latency = {clients} clients ÷ req/s, so a p95 "
        f"≤ 200 ms needs well over {clients * 1000 / 200:.0f} req/s.)"
    )
    if not args.postgres_url:
        print("(PostgreSQL runs skipped: TSUNAGU_BENCH_POSTGRES_URL is not set)")
    print("load average at the end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=60_000)
    parser.add_argument("--residents", type=int, default=6_000)
    parser.add_argument("--seconds", type=float, default=60.0, help="per run (default 60)")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds before each run")
    parser.add_argument("--think-ms", type=int, default=THINK_MS, help="SQLite think time")
    parser.add_argument("--workers", type=int, nargs="+", default=[2, 8])
    parser.add_argument("--departments", type=int, default=DEPARTMENTS)
    parser.add_argument("--clients-per-department", type=int, default=CLIENTS_PER_DEPARTMENT)
    parser.add_argument(
        "--no-context", action="store_true", help="leave out SQLite without think time"
    )
    add_postgres_url(parser)
    parser.add_argument(
        "--client",
        choices=("wrk", "python"),
        default="wrk" if shutil.which("wrk") else "python",
        help="wrk when on PATH, else a Python client of threads",
    )
    args = parser.parse_args(argv)
    results = run(args)
    report(results, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
