"""Which statements of the busiest requests PostgreSQL plans anew on every call.

``python bench/plans.py [--messages N --residents N]`` (needs TSUNAGU_BENCH_POSTGRES_URL, else it
says so and exits 0; ``make bench`` runs it).

psycopg prepares a statement on its connection from its fifth run on. PostgreSQL then plans
the prepared statement once — its generic plan, for any values — and keeps it, but only while
the generic plan's estimated cost stays at or under the plans it makes for each call's values
(its custom plans). Where the generic plan looks dearer, the server plans every call anew,
and on the hub's short queries planning costs more than running them: the inbox's page
statement, with its LIMIT a parameter, took 0.6–0.7 ms to plan and 0.4 ms to run on a
21,000-delivery inbox (hub.db.row_limit is the mend).

This script fills a throwaway database with bench/mailbox.py's generator (bench/http_load.py's
size by default), sends the hub's busiest requests in process — the inbox over the API (plain,
filtered, searched, the counts), opening a message, a send within consent (as
bench/http_mixed.py makes them), the HTML inbox, the dashboard and a case page — and records
each SELECT they make. For each distinct statement it PREPAREs it and runs
``EXPLAIN ANALYZE EXECUTE`` with the values the request used, once with
``plan_cache_mode = force_custom_plan`` and once with ``force_generic_plan``, and prints both
estimated costs, the planning and run times, and ``REPLANNED`` where the generic plan's cost is
over 1.05 × the custom plan's (the server would plan that statement on every call). Not a test:
nothing asserts, and it exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "support"))
sys.path.insert(0, str(HERE))

import generator  # noqa: E402
import http_load  # noqa: E402
import http_mixed  # noqa: E402
from throwaway import add_postgres_url, postgres  # noqa: E402

#: Over this ratio of generic to custom cost, PostgreSQL goes on planning each call.
REPLANNED = 1.05
_PARAM = re.compile(r"%\((\w+)\)s")


@dataclass(frozen=True)
class Plans:
    request: str
    statement: str
    custom_cost: float
    generic_cost: float
    planning_ms: float
    custom_ms: float
    generic_ms: float

    @property
    def ratio(self) -> float:
        return self.generic_cost / max(self.custom_cost, 0.01)


def _requests(client, made: dict[str, Any]) -> dict[str, list[tuple[str, Any]]]:
    """The requests to record, by label: (method path, JSON body or None)."""
    auth = {"Authorization": f"Bearer {made['token']}"}
    inbox = client.get("/api/v1/mailbox/inbox", headers=auth).get_json()
    item = inbox["items"][0]
    name = made["resident_name"]
    return {
        "inbox API": [("GET /api/v1/mailbox/inbox", None)],
        "inbox API, next page": [
            (f"GET /api/v1/mailbox/inbox?cursor={inbox['next_cursor']}", None)
        ],
        "inbox API, unread": [("GET /api/v1/mailbox/inbox?unread=true", None)],
        "inbox API, search": [("POST /api/v1/mailbox/search", {"q": name})],
        "counts API": [("GET /api/v1/mailbox/counts", None)],
        "open message": [(f"GET /api/v1/messages/{item['message_id']}", None)],
        "case API": [(f"GET /api/v1/cases/{item['case_id']}", None)] if item["case_id"] else [],
        "send": [("POST /api/v1/messages", json.loads(made["send"]))] if made["send"] else [],
        "HTML inbox": [("GET /mailbox/", None)],
        "dashboard": [("GET /", None)],
    }


def _record(app, made: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Send the requests; return each distinct SELECT with the request that made it first."""
    from sqlalchemy import event

    engine = app.extensions["tsunagu.db"].engine
    seen: dict[str, tuple[str, dict[str, Any]]] = {}
    current = [""]

    def remember(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")) and not executemany:
            seen.setdefault(statement, (current[0], dict(parameters or {})))

    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    client.post(
        "/login",
        data={"csrf_token": token, "login_id": made["login_id"], "password": made["password"]},
    )
    todo = _requests(client, made)
    auth = {"Authorization": f"Bearer {made['token']}"}
    event.listen(engine, "before_cursor_execute", remember)
    try:
        for label, calls in todo.items():
            current[0] = label
            for call, body in calls:
                method, path = call.split(" ", 1)
                headers = auth if path.startswith("/api/") else {}
                if method == "POST" and label == "send":
                    headers = {**headers, "Idempotency-Key": secrets.token_hex(16)}
                answer = client.open(path, method=method, headers=headers, json=body)
                if answer.status_code not in (200, 201):
                    print(f"  {label}: {call} answered {answer.status_code}")
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    return seen


def _explain(cursor, name: str, values: list[Any], mode: str) -> tuple[float, float, float]:
    cursor.execute(f"SET plan_cache_mode = {mode}")
    holders = ", ".join(["%s"] * len(values))
    args = f"({holders})" if values else ""
    cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE {name}{args}", values)
    found = cursor.fetchone()[0]
    plan = (json.loads(found) if isinstance(found, str) else found)[0]
    return plan["Plan"]["Total Cost"], plan["Planning Time"], plan["Execution Time"]


def compare(url: str, seen: dict[str, tuple[str, dict[str, Any]]]) -> list[Plans]:
    """Each statement's custom and generic plans, with the values its request used."""
    import psycopg
    from sqlalchemy import make_url

    raw = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    found: list[Plans] = []
    with psycopg.connect(raw, autocommit=True) as conn:
        cursor = psycopg.ClientCursor(conn)
        for n, (statement, (request, params)) in enumerate(seen.items()):
            names: list[str] = []

            def number(match: re.Match[str], names: list[str] = names) -> str:
                names.append(match.group(1))
                return f"${len(names)}"

            text = _PARAM.sub(number, statement).replace("%%", "%")
            name = f"bench_plan_{n}"
            cursor.execute(f"PREPARE {name} AS {text}")
            values = [params[key] for key in names]
            custom, planning, custom_ms = _explain(cursor, name, values, "force_custom_plan")
            generic, _planned, generic_ms = _explain(cursor, name, values, "force_generic_plan")
            found.append(
                Plans(request, statement, custom, generic, planning, custom_ms, generic_ms)
            )
    return found


def report(found: list[Plans]) -> None:
    print()
    print(
        f"{'request':<22}{'custom':>9}{'generic':>9}{'ratio':>7}{'plan ms':>9}{'run ms':>8}"
        f"{'generic ms':>11}  statement"
    )
    for p in sorted(found, key=lambda p: (p.request, -p.ratio)):
        flag = "  REPLANNED" if p.ratio > REPLANNED else ""
        head = " ".join(p.statement.split())[:70]
        print(
            f"{p.request:<22}{p.custom_cost:>9.1f}{p.generic_cost:>9.1f}{p.ratio:>7.2f}"
            f"{p.planning_ms:>9.3f}{p.custom_ms:>8.3f}{p.generic_ms:>11.3f}  {head}{flag}"
        )
    replanned = [p for p in found if p.ratio > REPLANNED]
    print(
        f"\n{len(found)} statements; {len(replanned)} that PostgreSQL would plan on every call "
        f"(generic cost > {REPLANNED} × custom)"
    )


def run(args: argparse.Namespace) -> list[Plans]:
    from sqlalchemy import select

    from hub import jp
    from hub.app import create_app, load_models
    from hub.db import Database
    from hub.models import Resident, User

    gen = generator.load()
    load_models()
    with postgres(args.postgres_url, "plans") as url:
        made = http_load.prepare(gen, url, args.messages, args.residents)
        made["password"] = http_load.PASSWORD
        database = Database(url)
        with database.transaction() as session:
            made["resident_name"] = session.scalar(select(Resident.name).limit(1))
            user = session.scalar(select(User).where(User.login_id == made["login_id"]))
            bodies = http_mixed._sends(session, user.department_id, random.Random(13), jp.today())
            made["send"] = bodies[0] if bodies else None
        database.dispose()
        folder = tempfile.mkdtemp(prefix="tsunagu-plans-")
        os.environ.update(
            TSUNAGU_DATABASE_URL=url,
            TSUNAGU_INSTANCE_PATH=folder,
            TSUNAGU_SECRET_KEY=secrets.token_hex(32),
            TSUNAGU_STORAGE_KEY=secrets.token_hex(32),
            TSUNAGU_LOG_LEVEL="WARNING",
        )
        app = create_app()
        seen = _record(app, made)
        app.extensions["tsunagu.db"].dispose()
        return compare(url, seen)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=120_000)
    parser.add_argument("--residents", type=int, default=12_000)
    add_postgres_url(parser)
    args = parser.parse_args(argv)
    if not args.postgres_url:
        print("plans: skipped (set TSUNAGU_BENCH_POSTGRES_URL to look at PostgreSQL's plans)")
        return 0
    report(run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
