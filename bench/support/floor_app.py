"""The floor of bench/http_load.py: the least an audited inbox request can do on PostgreSQL.

Flask and psycopg alone, no hub code — no SQLAlchemy, no ORM, no pydantic, no hooks. ``/inbox``
does what the hub's inbox API must do and nothing else: the bearer token's user (one
statement); the 50 deliveries of the department, unread first then newest, with the subject,
sender and time (one statement, on the hub's ``ix_deliveries_inbox`` as the hub reads it); one
audit event inserted; the commit; the rows as JSON (seven columns a row where the hub's page
shows twenty-two: the floor errs on the fast side). It runs against the hub's database
(``FLOOR_DB``, a libpq URL) under gunicorn with the hub's worker count, one connection per
worker.

``/inbox-one`` is the same read squeezed into one statement on a connection in autocommit: the
token's user, the page and the audit event's INSERT as common table expressions, so one round
trip and the commit it implies. No service could be written so (the checks would live in SQL);
it is the least any audited PostgreSQL read can cost here.

Their requests/s beside the bare 50-row query say what share of the bare figure any audited
PostgreSQL read can reach on these cores, whatever the framework: a target above them cannot be
met by making the hub leaner. Not the hub: it checks no consent and seals nothing.

``gunicorn 'floor_app:app'`` from this folder.
"""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime

import psycopg
from flask import Flask, jsonify, request

app = Flask(__name__)
_connections: dict[bool, psycopg.Connection] = {}

_USER = """
SELECT u.id, u.login_id, u.department_id FROM api_tokens t JOIN users u ON u.id = t.user_id
WHERE t.token_hash = %(token)s AND t.revoked_at IS NULL AND u.is_active
"""
#: As the hub reads its page: one range of ``ix_deliveries_inbox`` per read rank (unread, read,
#: recalled), the first 50 of the three, then their messages and senders.
_PAGE = """
SELECT d.id, d.message_id, d.read_rank, d.delivered_at, m.subject, s.name, m.sent_at
FROM (
  SELECT id, read_rank FROM (
    (SELECT id, read_rank FROM deliveries WHERE department_id = %(dep)s AND read_rank = 0
     ORDER BY id DESC LIMIT 51)
    UNION ALL
    (SELECT id, read_rank FROM deliveries WHERE department_id = %(dep)s AND read_rank = 1
     ORDER BY id DESC LIMIT 51)
    UNION ALL
    (SELECT id, read_rank FROM deliveries WHERE department_id = %(dep)s AND read_rank = 2
     ORDER BY id DESC LIMIT 51)
  ) ranks ORDER BY read_rank, id DESC LIMIT 50
) page
JOIN deliveries d ON d.id = page.id JOIN messages m ON m.id = d.message_id
JOIN departments s ON s.id = m.sender_department_id
ORDER BY d.read_rank, d.id DESC
"""
_AUDIT_INTO = """
INSERT INTO audit_events (created_at, user_id, login_id, department_id, action, object_type,
  object_id, outcome, reason, client_addr)
"""
_AUDIT = f"""{_AUDIT_INTO}
VALUES (%(now)s, %(user)s, %(login)s, %(dep)s, 'mailbox.inbox', 'delivery', '', 'allowed',
  %(reason)s, %(addr)s)
"""
#: The three statements above as one: the INSERT runs whether or not the SELECT reads it, and
#: inserts nothing when the token names nobody (whose page is then empty, not a 401). Made of
#: this module's constants only.
_ONE = f"""
WITH u AS ({_USER}),
page AS ({_PAGE.replace("%(dep)s", "(SELECT department_id FROM u)")}),
event AS ({_AUDIT_INTO}
  SELECT %(now)s, id, login_id, department_id, 'mailbox.inbox', 'delivery', '', 'allowed',
    (SELECT count(*) || ' rows' FROM page), %(addr)s FROM u
)
SELECT * FROM page ORDER BY read_rank, id DESC
"""  # noqa: S608
_KEYS = ("id", "message_id", "read_rank", "delivered_at", "subject", "sender", "sent_at")


def _db(autocommit: bool = False) -> psycopg.Connection:
    found = _connections.get(autocommit)
    if found is None or found.closed:
        found = _connections[autocommit] = psycopg.connect(
            os.environ["FLOOR_DB"], autocommit=autocommit
        )
    return found


def _token_hash() -> str:
    token = (request.headers.get("Authorization") or "").removeprefix("Bearer ")
    return hashlib.sha256(token.encode()).hexdigest()


def _when_and_where() -> dict[str, object]:
    return {"now": datetime.now(UTC).replace(tzinfo=None), "addr": request.remote_addr or ""}


@app.get("/healthz")
def health():
    return {"status": "ok"}


@app.get("/inbox")
def inbox():
    conn = _db()
    with conn.transaction():
        user = conn.execute(_USER, {"token": _token_hash()}).fetchone()
        if user is None:
            return jsonify(error="unauthorized"), 401
        user_id, login_id, department_id = user
        rows = conn.execute(_PAGE, {"dep": department_id}).fetchall()
        event = {"user": user_id, "login": login_id, "dep": department_id}
        conn.execute(_AUDIT, {**event, **_when_and_where(), "reason": f"{len(rows)} rows"})
    return jsonify(items=[dict(zip(_KEYS, r, strict=True)) for r in rows])


@app.get("/inbox-one")
def inbox_one():
    found = {"token": _token_hash(), **_when_and_where()}
    rows = _db(autocommit=True).execute(_ONE, found).fetchall()
    return jsonify(items=[dict(zip(_KEYS, r, strict=True)) for r in rows])
