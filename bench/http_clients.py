"""Fifty staff at once: a mixed load of inbox, open and send on the hub, in one run.

``python bench/http_clients.py [--seconds S --messages N]`` (``make bench`` runs it; the
PostgreSQL runs need TSUNAGU_BENCH_POSTGRES_URL). 5 departments × 10 case workers, each with
an API token, drive the hub with wrk (one connection per client): 60 % the inbox
(``GET /api/v1/mailbox/inbox``), 30 % opening a message of the department's inbox, 10 % a
share sent within consent (``POST /api/v1/messages``, a case of the department with its
consented recipients and a fresh Idempotency-Key). A send counts only when answered 201;
any other answer or socket error is an error. Runs, on the same cores one after the other:

- PostgreSQL, the hub under gunicorn with 2 and with 8 workers, no think time;
- the embedded SQLite mode (``tsunagu run``, one process) with 1 s think time (± 20 %), as
  staff work, and without, for context.

Targets (issue 13): no think time on PostgreSQL: 0 errors, p95 ≤ 200 ms; SQLite with 1 s
think time: p95 ≤ 100 ms, max ≤ 1 s. Not a test: nothing asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "support"))
sys.path.insert(0, str(HERE))

from http_load import _generator  # noqa: E402
from throwaway import postgres  # noqa: E402

from hub.app import load_models  # noqa: E402

DEPARTMENTS = (1, 2, 3, 4, 5)
CLIENTS_PER_DEPARTMENT = 10
MIX = {"inbox": 0.6, "open": 0.3, "send": 0.1}
TARGETS = {"postgresql": {"p95": 200.0}, "sqlite think": {"p95": 100.0, "max": 1000.0}}

#: The wrk script (two threads, one connection per client); the tables it reads are written
#: above it per run by :func:`_script`, with a fresh run key for the sends' Idempotency-Keys.
LUA = r"""
local threads = {}
local next_id = 1
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local me = CLIENTS[id]
  token = "Bearer " .. me.token
  opens = OPENS[me.department]
  cases = CASES[me.department]
  math.randomseed(id * 7919)
  sent = 0
  done_inbox, done_open, done_send, failed = 0, 0, 0, 0
  sample = ""
end

function delay()
  if THINK_MS == 0 then return 0 end
  return math.random(math.floor(THINK_MS * 0.8), math.floor(THINK_MS * 1.2))
end

function request()
  local r = math.random()
  if r < MIX_INBOX then
    return wrk.format("GET", "/api/v1/mailbox/inbox", {["Authorization"] = token})
  elseif r < MIX_INBOX + MIX_OPEN then
    local path = "/api/v1/messages/" .. opens[math.random(#opens)]
    return wrk.format("GET", path, {["Authorization"] = token})
  end
  sent = sent + 1
  local case = cases[math.random(#cases)]
  local body = string.format(BODY, case.id, case.recipients)
  local headers = {
    ["Authorization"] = token,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = string.format("%s-%d-%d", RUN, id, sent),
  }
  return wrk.format("POST", "/api/v1/messages", headers, body)
end

function response(status, headers, body)
  -- A thread's connections interleave: the answer says what it was (a page of the inbox
  -- starts with its items; a send is answered 201; anything else 200 is an opened message).
  local what = "open"
  if status == 201 then what = "send"
  elseif string.sub(body, 1, 9) == '{"items":' then what = "inbox" end
  if status ~= 200 and status ~= 201 then
    failed = failed + 1
    if sample == "" then sample = status .. " " .. string.sub(body, 1, 120) end
  elseif what == "inbox" then done_inbox = done_inbox + 1
  elseif what == "open" then done_open = done_open + 1
  else done_send = done_send + 1 end
end

function done(summary, latency, requests)
  local inbox, open, send, bad, sample = 0, 0, 0, 0, ""
  for _, t in ipairs(threads) do
    inbox = inbox + t:get("done_inbox")
    open = open + t:get("done_open")
    send = send + t:get("done_send")
    bad = bad + t:get("failed")
    if sample == "" then sample = t:get("sample") end
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %.3f, "inbox": %d, "open": %d, "send": %d, ' ..
    '"bad": %d, "socket": %d, "p50": %.3f, "p95": %.3f, "p99": %.3f, "max": %.3f, ' ..
    '"sample": %q}\n',
    summary.requests, summary.duration / 1e6, inbox, open, send, bad,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1e3, latency:percentile(95) / 1e3,
    latency:percentile(99) / 1e3, latency.max / 1e3, sample))
end
"""


def _lua(value: Any) -> str:
    """A Lua literal of ints, ASCII strings, lists and dicts (int keys as [k], str keys bare)."""
    if isinstance(value, dict):
        items = (f"[{k}] = {_lua(v)}" if isinstance(k, int) else f"{k} = {_lua(v)}"
                 for k, v in value.items())  # fmt: skip
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list | tuple):
        return "{" + ", ".join(_lua(v) for v in value) + "}"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=True)  # \" and \\ are Lua escapes too
    return str(int(value))


#: A share about a case (``%d``) to its consented recipients (``%s``), as JSON with \u escapes.
BODY = (
    json.dumps(
        {
            "kind": "share",
            "case_id": 0,
            "recipient_ids": [],
            "subject": "ヒアリングシートと今後の方針の共有",
            "body": "窓口相談の内容を共有します。今後の納付計画についてご意見をお願いします。",
            "sheet_version": 1,
            "policy": {"pattern": "2", "note": "分納で対応します。"},
        },
        ensure_ascii=True,
    )
    .replace('"case_id": 0', '"case_id": %d')
    .replace('"recipient_ids": []', '"recipient_ids": %s')
)


def _script(folder: Path, made: dict, think_ms: int) -> Path:
    """The wrk script with this run's tokens, messages to open and cases to send about."""
    cases = {
        department: [{"id": c, "recipients": json.dumps(r)} for c, r in rows]
        for department, rows in made["cases"].items()
    }
    tables = {
        "CLIENTS": made["clients"],
        "OPENS": made["opens"],
        "CASES": cases,
        "BODY": BODY,
        "RUN": secrets.token_hex(4),
        "THINK_MS": think_ms,
    }
    lines = [f"{name} = {_lua(value)}" for name, value in tables.items()]
    lines += [f"MIX_INBOX = {MIX['inbox']}", f"MIX_OPEN = {MIX['open']}"]
    path = folder / f"clients-{think_ms}.lua"
    path.write_text("\n".join(lines) + "\n" + LUA)
    return path


def prepare(gen, url: str, messages: int, residents: int) -> dict[str, Any]:
    """Fill the database; 10 case workers with a token per department; what each may open and
    which cases each may send about (the generator's consented recipients)."""
    from sqlalchemy import select

    from hub.auth.services import create_token
    from hub.db import Database
    from hub.mailbox.models import Delivery, DeliveryState
    from hub.models import Role, User

    database = Database(url)
    info = gen.build(database, messages, residents)
    rng = random.Random(13)
    clients: list[dict] = []
    opens: dict[int, list[int]] = {}
    cases: dict[int, list[tuple[int, list[int]]]] = {}
    with database.transaction() as session:
        for department in DEPARTMENTS:
            staff = list(
                session.scalars(
                    select(User).where(User.department_id == department, User.role == Role.STAFF)
                )
            )
            for n in range(CLIENTS_PER_DEPARTMENT - len(staff)):
                user = User(
                    login_id=f"bench-{department}-{n}",
                    display_name=f"ベンチ職員{department}-{n}",
                    department_id=department,
                    role=Role.STAFF,
                    password_hash="!",  # noqa: S106 - no password (no hash matches): token only
                )
                session.add(user)
                staff.append(user)
            session.flush()
            for user in staff[:CLIENTS_PER_DEPARTMENT]:
                _token, plain = create_token(session, user, "bench")
                clients.append({"token": plain, "department": department})
            inbox = session.scalars(
                select(Delivery.message_id)
                .where(
                    Delivery.department_id == department,
                    Delivery.state == DeliveryState.DELIVERED,
                )
                .order_by(Delivery.id.desc())
                .limit(2000)
            ).all()
            opens[department] = rng.sample(list(inbox), min(200, len(inbox)))
            led = [
                c
                for c, (lead, recipients) in enumerate(info["cases"], start=1)
                if lead == department and recipients and c in info["sheet_cases"]
            ]
            picked = rng.sample(led, min(200, len(led)))
            cases[department] = [(c, info["cases"][c - 1][1]) for c in picked]
    database.dispose()
    return {"clients": clients, "opens": opens, "cases": cases}


def drive(port: int, script: Path, seconds: float) -> dict[str, Any]:
    clients = len(DEPARTMENTS) * CLIENTS_PER_DEPARTMENT
    out = subprocess.run(
        ["wrk", "-t2", f"-c{clients}", f"-d{seconds:.0f}s", "--timeout", "10s",
         "-s", str(script), f"http://127.0.0.1:{port}"],
        capture_output=True, text=True, errors="replace", check=True,
    ).stdout  # fmt: skip
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    result["rps"] = result["requests"] / result["seconds"]
    result["errors"] = result["bad"] + result["socket"]
    return result


def _server(command: list[str], env: dict, cwd: str) -> subprocess.Popen:
    with (Path(cwd) / "server.log").open("ab") as log:  # the embedded server logs each request
        return subprocess.Popen(
            command, env=env, cwd=cwd, stdout=log, stderr=log, start_new_session=True
        )


def _stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def _run_mode(gen, label: str, command: list[str], env: dict, folder: str, made: dict,
              think_ms: int, seconds: float) -> dict[str, Any]:  # fmt: skip
    port = gen._free_port()
    server = _server([*command, *_bind(command, port)], env, folder)
    try:
        if not gen._wait_ready(port, server):
            raise RuntimeError(f"{label}: the hub did not start")
        drive(port, _script(Path(folder), made, think_ms), 3)  # warm-up
        result = drive(port, _script(Path(folder), made, think_ms), seconds)
    finally:
        _stop(server)
    result["load"] = os.getloadavg()[0]
    print(
        f"  {label}: {result['requests']:,} requests ({result['inbox']} inbox, "
        f"{result['open']} open, {result['send']} sends), {result['errors']} errors, "
        f"p95 {result['p95']:.0f} ms, load {result['load']:.1f}"
    )
    if result["sample"]:
        print(f"    first error: {result['sample']}")
    return result


def _bind(command: list[str], port: int) -> list[str]:
    if Path(command[0]).name == "gunicorn":
        return ["-b", f"127.0.0.1:{port}", "hub.app:create_app()"]
    return ["--port", str(port)]


def run(args: argparse.Namespace) -> dict[str, dict]:
    gen = _generator()
    load_models()
    bin_dir = Path(sys.executable).parent
    print(
        f"{os.cpu_count()} cores; {len(DEPARTMENTS)} departments × {CLIENTS_PER_DEPARTMENT} "
        f"clients; {args.seconds:.0f} s per run; load average {os.getloadavg()[0]:.2f}"
    )
    results: dict[str, dict] = {}
    folder = tempfile.mkdtemp(prefix="tsunagu-clients-bench-")
    env = {
        **os.environ,
        "TSUNAGU_ENV": "production",
        "TSUNAGU_SECRET_KEY": secrets.token_hex(32),
        "TSUNAGU_STORAGE_KEY": secrets.token_hex(32),
        "TSUNAGU_INSTANCE_PATH": folder,
        "TSUNAGU_LOG_LEVEL": "WARNING",
    }
    try:
        if args.postgres_url:
            with postgres(args.postgres_url, "clients") as url:
                made = prepare(gen, url, args.messages, args.residents)
                for workers in (2, 8):
                    command = [str(bin_dir / "gunicorn"), "-w", str(workers),
                               "--log-level", "warning"]  # fmt: skip
                    results[f"postgresql -w{workers}"] = _run_mode(
                        gen, f"PostgreSQL, gunicorn -w{workers}", command,
                        {**env, "TSUNAGU_DATABASE_URL": url}, folder, made, 0, args.seconds,
                    )  # fmt: skip
        else:
            print("  postgresql: skipped (set TSUNAGU_BENCH_POSTGRES_URL to measure it)")
        url = f"sqlite:///{Path(folder) / 'hub.sqlite3'}"
        made = prepare(gen, url, args.messages, args.residents)
        command = [str(bin_dir / "tsunagu"), "run"]
        sqlite_env = {**env, "TSUNAGU_DATABASE_URL": url}
        for think, label in ((1000, "sqlite think"), (0, "sqlite")):
            results[label] = _run_mode(
                gen, f"SQLite, tsunagu run, think {think} ms", command, sqlite_env, folder,
                made, think, args.seconds,
            )  # fmt: skip
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return results


def report(results: dict[str, dict]) -> None:
    print()
    print(
        f"{'mode':<22}{'requests':>9}{'req/s':>8}{'errors':>8}{'p50 ms':>8}{'p95 ms':>8}"
        f"{'p99 ms':>8}{'max ms':>8}  target"
    )
    for mode, r in results.items():
        goal = TARGETS.get(mode) or TARGETS.get(mode.split(" -w")[0], {})
        verdicts = [
            f"{k} ≤ {limit:.0f} ms {'met' if r[k] <= limit else 'MISSED'}"
            for k, limit in goal.items()
        ]
        if mode.startswith("postgresql"):
            verdicts.append(f"0 errors {'met' if r['errors'] == 0 else 'MISSED'}")
        if not goal:
            verdicts = ["(context)"]
        print(
            f"{mode:<22}{r['requests']:>9,}{r['rps']:>8.0f}{r['errors']:>8}{r['p50']:>8.0f}"
            f"{r['p95']:>8.0f}{r['p99']:>8.0f}{r['max']:>8.0f}  {'; '.join(verdicts)}"
        )  # fmt: skip
    print("load average at the end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=60_000)
    parser.add_argument("--residents", type=int, default=6_000)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("TSUNAGU_BENCH_POSTGRES_URL", ""),
        help="a database beside which a throwaway one is made (TSUNAGU_BENCH_POSTGRES_URL)",
    )
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        print("http_clients: skipped (wrk is not installed; .ci/run installs it)")
        return 0
    report(run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
