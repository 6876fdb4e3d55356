"""HTTP throughput of the hub beside a bare Flask baseline, in one run on the same cores.

``python bench/http_load.py [--messages N --seconds S --connections C]`` (``make bench`` runs it
with PostgreSQL when TSUNAGU_BENCH_POSTGRES_URL names a server). It starts:

- a bare Flask app (bench/support/bare_app.py: ``/healthz`` and a 50-row query on a SQLite
  file of its own) under gunicorn with 2 workers;
- the hub under gunicorn on a throwaway PostgreSQL database filled by bench/mailbox.py's
  generator (its inbox department holds thousands of deliveries), with 2 and with 8 workers;
- the floor (bench/support/floor_app.py: Flask and psycopg alone, the token's user, the 50-row
  page, one audit event and the commit, on the same database) with as many workers — as the
  hub's statements in a transaction, and squeezed into one statement in autocommit: what
  share of the bare query an audited PostgreSQL read can reach on these cores at all;

and drives each endpoint with the same client — wrk (keep-alive, ``--connections``) when it is
on PATH, else bench/mailbox.py's Python keep-alive client — printing requests/s, the ratio
of each hub endpoint to the bare 50-row query, and what one request cost in CPU: the server's
processes (gunicorn's master and workers) and PostgreSQL's (every ``postgres`` process),
read from ``/proc`` before and after each timed run — and, during each run of the hub and the
floor, where the database's backends were (pg_stat_activity every 20 ms: waiting on a lock, on
the WAL, on their worker mid-transaction; -w 8 ≥ -w 2 asks for no lock queue). The bare app
runs with the same worker counts as the hub, so that what more workers do to the machine itself
is beside what they do to the hub. The hub's endpoints: ``/healthz``, the inbox over the API
(``GET /api/v1/mailbox/inbox``, 50 rows, bearer token), opening a message
(``GET /api/v1/messages/<id>``, the inbox's newest, opened once before), and the HTML inbox
(``/mailbox/``, a logged-in session). Every hub request is audited; no scheduler runs, so the
events wait unsealed (the sealer is off the request path by design). Not a test: nothing asserts.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "support"))

import bare_app  # noqa: E402
import generator  # noqa: E402
from throwaway import add_postgres_url, postgres  # noqa: E402

from hub.app import load_models  # noqa: E402

#: Targets (issue 13), as shares of the bare 50-row query's requests/s.
TARGETS = {"inbox API": 0.5, "open message": 0.4, "HTML inbox": 0.3}
#: bench/support/floor_app.py's audited 50-row read: what any audited PostgreSQL read reaches.
FLOOR = "floor audited 50 rows"
#: The same read as one statement in autocommit (one round trip): the least it can cost at all.
FLOOR_ONE = "floor in one statement"
#: The bench user's password for the HTML inbox's login, made per run.
PASSWORD = secrets.token_urlsafe(16)


def _generator():
    return generator.load()


def _gunicorn(app: str, workers: int, port: int, env: dict, cwd: str) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    return subprocess.Popen(
        [str(gunicorn), "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning",
         app],
        env=env,
        cwd=cwd,
        start_new_session=True,
    )  # fmt: skip


def _stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


@dataclass(frozen=True)
class Figure:
    """One timed run of one endpoint."""

    rps: float
    #: CPU per answered request, in ms: the server's processes and PostgreSQL's.
    server_ms: float
    postgres_ms: float
    #: Where the database's backends were during the run (:class:`BackendWaits`), in shares.
    waits: dict[str, float] = field(default_factory=dict)


#: What a backend of pg_stat_activity is doing, in the order the report prints them.
#: "on worker": idle in a transaction, waiting for its gunicorn worker's next statement.
WAIT_KINDS = ("lock", "WAL or I/O", "on worker", "running", "idle")


class BackendWaits:
    """Samples pg_stat_activity every 20 ms while a run lasts: how many of the database's other
    backends wait on a lock (the audit chain's head row was one, before issue 13), on the WAL or
    other I/O, on their worker in the middle of a transaction, run, or sit idle between
    requests. Shares of all backend-samples."""

    _QUERY = """
        SELECT state, wait_event_type FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid()
          AND backend_type = 'client backend'
    """

    def __init__(self, url: str) -> None:
        self.url = _libpq(url)
        self.counts = dict.fromkeys(WAIT_KINDS, 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self._stop.wait(0.02):
                for state, waiting in conn.execute(self._QUERY):
                    self.counts[self._kind(state, waiting)] += 1

    @staticmethod
    def _kind(state: str | None, waiting: str | None) -> str:
        if waiting == "Lock":
            return "lock"
        if waiting in ("LWLock", "IO"):
            return "WAL or I/O"
        if state == "idle in transaction":
            return "on worker"
        return "running" if state == "active" else "idle"

    def __enter__(self) -> BackendWaits:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def shares(self) -> dict[str, float]:
        """The shares; none when no sample was taken (the report then prints no row)."""
        total = sum(self.counts.values())
        return {kind: n / total for kind, n in self.counts.items()} if total else {}


def _libpq(url: str) -> str:
    """A SQLAlchemy URL (``postgresql+psycopg://…``) as libpq takes it, for psycopg itself."""
    from sqlalchemy import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _cpu_seconds(group: int) -> tuple[float, float]:
    """CPU seconds used so far by the processes of session ``group`` and by PostgreSQL's."""
    tick = os.sysconf("SC_CLK_TCK")
    server = postgres_cpu = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # the process ended meanwhile
            continue
        # The command is in parentheses and may hold spaces: split after its closing one.
        comm = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        used = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        if int(fields[3]) == group:  # session id
            server += used
        elif comm == "postgres":
            postgres_cpu += used
    return server, postgres_cpu


def drive(
    gen,
    port: int,
    path: str,
    headers: dict[str, str],
    seconds: float,
    conns: int,
    group: int,
    database: str | None = None,
) -> Figure:
    """Requests/s of GET ``path`` and its CPU per request (non-2xx answers counted as errors
    and printed). ``group`` is the server's session id (it was started in a session of its
    own). With ``database``, where that database's backends were meanwhile."""
    if database is None:
        return _drive(gen, port, path, headers, seconds, conns, group)
    with BackendWaits(database) as waits:
        figure = _drive(gen, port, path, headers, seconds, conns, group)
    return replace(figure, waits=waits.shares())


def _drive(
    gen, port: int, path: str, headers: dict[str, str], seconds: float, conns: int, group: int
) -> Figure:
    before = _cpu_seconds(group)
    if shutil.which("wrk"):
        args = ["wrk", "-t2", f"-c{conns}", f"-d{seconds:.0f}s"]
        for name, value in headers.items():
            args += ["-H", f"{name}: {value}"]
        out = subprocess.run(
            [*args, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
        ).stdout
        bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        if bad:
            print(f"    {path}: {bad.group(1)} non-2xx answers")
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
        answered = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    else:
        result = gen.load_test(port, path, headers, seconds, conns)
        if result["errors"]:
            print(f"    {path}: {result['errors']} errors")
        rps, answered = result["rps"], result["ok"]
    after = _cpu_seconds(group)
    per = 1000 / max(answered, 1)
    return Figure(rps, (after[0] - before[0]) * per, (after[1] - before[1]) * per)


def _get(port: int, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers=headers)
    answer = conn.getresponse()
    body = answer.read()
    conn.close()
    return answer.status, body


def _first_message(port: int, path: str, headers: dict[str, str]) -> int:
    """The id of the newest message in the inbox, as a person would open it."""
    _status, body = _get(port, path, headers)
    item = json.loads(body)["items"][0]
    found = item.get("message_id") or (item.get("message") or {}).get("id") or item["id"]
    return int(found)


def _login_cookie(port: int, login_id: str) -> str:
    """Log in through the form as a browser would; return the session cookie."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/login")
    page = conn.getresponse()
    body = page.read().decode()
    cookie = page.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', body).group(1)  # type: ignore[union-attr]
    form = urlencode({"csrf_token": token, "login_id": login_id, "password": PASSWORD})
    conn.request(
        "POST",
        "/login",
        body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    answer = conn.getresponse()
    answer.read()
    conn.close()
    if answer.status != 302:
        raise RuntimeError(f"login answered {answer.status}")
    return answer.getheader("Set-Cookie", "").split(";")[0]


def prepare(gen, url: str, messages: int, residents: int) -> dict:
    """Fill the database; a token and a password for the bench user."""
    from argon2 import PasswordHasher
    from sqlalchemy import func, select

    from hub.auth.services import create_token
    from hub.db import Database
    from hub.mailbox.models import Delivery

    database = Database(url)
    started = time.perf_counter()
    info = gen.build(database, messages, residents)
    with database.transaction() as session:
        user = gen.bench_user(session)
        user.password_hash = PasswordHasher().hash(PASSWORD)
        _token, plain = create_token(session, user, "bench")
        inbox = session.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(Delivery.department_id == user.department_id)
        )
        login_id = user.login_id
    database.dispose()
    print(
        f"  {info['counts']['messages']:,} messages; the bench department's inbox holds "
        f"{inbox:,} deliveries; built in {time.perf_counter() - started:.0f} s"
    )
    return {"token": plain, "login_id": login_id}


def run(args: argparse.Namespace) -> None:
    from hub.security import API_PREFIX

    gen = _generator()
    load_models()
    client = "wrk" if shutil.which("wrk") else "Python keep-alive client"
    print(
        f"{os.cpu_count()} cores, {client}, {args.connections} connections, {args.seconds:.0f} s "
        f"per endpoint; load average {os.getloadavg()[0]:.2f}"
    )
    folder = tempfile.mkdtemp(prefix="tsunagu-http-bench-")
    figures: dict[str, Figure] = {}
    try:
        bare_db = str(Path(folder) / "bare.sqlite3")
        bare_app.setup(bare_db)
        env = {**os.environ, "BARE_DB": bare_db}
        for workers in args.workers:
            port = gen._free_port()
            bare = _gunicorn("bare_app:app", workers, port, env, str(HERE / "support"))
            try:
                if not gen._wait_ready(port, bare):
                    raise RuntimeError("the bare app did not start")
                drive(gen, port, "/rows", {}, 2, args.connections, bare.pid)  # warm-up
                for label, path in (("bare /healthz", "/healthz"), ("bare 50 rows", "/rows")):
                    figures[f"{label} -w{workers}"] = drive(
                        gen, port, path, {}, args.seconds, args.connections, bare.pid
                    )
            finally:
                _stop(bare)
        with postgres(args.postgres_url, "http") as url:
            made = prepare(gen, url, args.messages, args.residents)
            auth = {"Authorization": f"Bearer {made['token']}"}
            paths = {
                "hub /healthz": ("/healthz", {}),
                "inbox API": (f"{API_PREFIX}/mailbox/inbox", auth),
            }
            for workers in args.workers:
                port = gen._free_port()
                hub_env = {
                    **os.environ,
                    "TSUNAGU_ENV": "production",
                    "TSUNAGU_DATABASE_URL": url,
                    "TSUNAGU_SECRET_KEY": secrets.token_hex(32),
                    "TSUNAGU_STORAGE_KEY": secrets.token_hex(32),
                    "TSUNAGU_INSTANCE_PATH": folder,
                    "TSUNAGU_LOG_LEVEL": "WARNING",
                }
                hub = _gunicorn("hub.app:create_app()", workers, port, hub_env, folder)
                try:
                    if not gen._wait_ready(port, hub):
                        raise RuntimeError("the hub did not start")
                    cookie = {"Cookie": _login_cookie(port, made["login_id"])}
                    opened = _first_message(port, paths["inbox API"][0], auth)
                    # Opened once before the run: the timed opens are of a read message.
                    _get(port, f"{API_PREFIX}/messages/{opened}", auth)
                    todo = {
                        **paths,
                        "open message": (f"{API_PREFIX}/messages/{opened}", auth),
                        "HTML inbox": ("/mailbox/", cookie),
                    }
                    for label, (path, headers) in todo.items():
                        status, body = _get(port, path, headers)
                        if status != 200:
                            print(f"  {label}: {path} answered {status}: {body[:300]!r}")
                            continue
                        drive(gen, port, path, headers, 2, args.connections, hub.pid)  # warm-up
                        figures[f"{label} -w{workers}"] = drive(
                            gen, port, path, headers, args.seconds, args.connections, hub.pid, url
                        )
                finally:
                    _stop(hub)
                figures.update(_floor(gen, url, workers, auth, args))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    report(figures, args)


def _floor(
    gen, url: str, workers: int, auth: dict[str, str], args: argparse.Namespace
) -> dict[str, Figure]:
    """The least an audited inbox read does on the same database (bench/support/floor_app.py):
    in a transaction of its own statements, and in one statement."""
    port = gen._free_port()
    env = {**os.environ, "FLOOR_DB": _libpq(url)}
    floor = _gunicorn("floor_app:app", workers, port, env, str(HERE / "support"))
    figures = {}
    try:
        if not gen._wait_ready(port, floor):
            raise RuntimeError("the floor app did not start")
        for label, path in ((FLOOR, "/inbox"), (FLOOR_ONE, "/inbox-one")):
            drive(gen, port, path, auth, 2, args.connections, floor.pid)  # warm-up
            figures[f"{label} -w{workers}"] = drive(
                gen, port, path, auth, args.seconds, args.connections, floor.pid, url
            )
    finally:
        _stop(floor)
    return figures


def report(figures: dict[str, Figure], args: argparse.Namespace) -> None:
    """Each run's requests/s, its share of the bare 50-row query's with as many workers, and
    its CPU per request; then what more workers did to the bare app and to the hub."""
    print()
    print(
        f"{'endpoint':<28}{'req/s':>8}{'× bare 50 rows':>16}{'server ms':>11}{'pg ms':>7}"
        "  target (ms: CPU per request)"
    )
    for name, figure in figures.items():
        label, workers = name.rsplit(" -w", 1)
        ratio = figure.rps / figures[f"bare 50 rows -w{workers}"].rps
        target = TARGETS.get(label)
        verdict = f"≥ {target:.1f} {'met' if ratio >= target else 'MISSED'}" if target else ""
        print(
            f"{name:<28}{figure.rps:>8.0f}{ratio:>16.2f}{figure.server_ms:>11.2f}"
            f"{figure.postgres_ms:>7.2f}  {verdict}"
        )
    few, many = min(args.workers), max(args.workers)
    if few != many:
        print(f"-w{many} against -w{few}: requests/s, and the server's CPU per request")
        for label in ("bare 50 rows", "hub /healthz", FLOOR, FLOOR_ONE, *TARGETS):
            low, high = figures.get(f"{label} -w{few}"), figures.get(f"{label} -w{many}")
            if low is None or high is None:
                continue
            verdict = ""
            if label in TARGETS:
                verdict = "no lock queue" if high.rps >= low.rps else "MISSED: fewer requests/s"
            print(
                f"  {label:<22} {high.rps / low.rps:5.2f} × req/s, "
                f"{high.server_ms / low.server_ms:5.2f} × CPU/request  {verdict}"
            )
    for workers in args.workers:
        floor = figures.get(f"{FLOOR} -w{workers}")
        one = figures.get(f"{FLOOR_ONE} -w{workers}")
        hub = figures.get(f"inbox API -w{workers}")
        if floor is None or one is None or hub is None:
            continue
        bare = figures[f"bare 50 rows -w{workers}"]
        print(
            f"-w{workers}: the floor reaches {floor.rps / bare.rps:.2f} × the bare query "
            f"({floor.server_ms + floor.postgres_ms:.2f} ms CPU a request), in one statement "
            f"{one.rps / bare.rps:.2f} × ({one.server_ms + one.postgres_ms:.2f} ms); the inbox "
            f"API reaches {hub.rps / floor.rps:.2f} × the floor"
        )
    print("where PostgreSQL's backends were during each run (shares of 20 ms samples):")
    print(f"  {'':<28}" + "".join(f"{kind:>12}" for kind in WAIT_KINDS))
    for name, figure in figures.items():
        if figure.waits:
            print(f"  {name:<28}" + "".join(f"{figure.waits[k]:>12.1%}" for k in WAIT_KINDS))
    print("load average at the end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=120_000)
    parser.add_argument("--residents", type=int, default=12_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, nargs="+", default=[2, 8])
    add_postgres_url(parser)
    args = parser.parse_args(argv)
    if not args.postgres_url:
        print("http_load: skipped (set TSUNAGU_BENCH_POSTGRES_URL to measure the hub)")
        return 0
    run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
