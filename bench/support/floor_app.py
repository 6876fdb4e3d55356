"""The floor of bench/http_load.py: the least an audited inbox request can do on PostgreSQL.

Flask and psycopg alone, no hub code — no SQLAlchemy, no ORM, no pydantic, no hooks. ``/inbox``
does what the hub's inbox API must do and nothing else: the bearer token's user (one
statement); the 50 deliveries of the department, unread first then newest, with the subject,
sender and time (one statement, on the hub's ``ix_deliveries_inbox`` as the hub reads it); one
audit event inserted; the commit; the rows as JSON (seven columns a row where the hub's page
shows twenty-two: the floor errs on the fast side). It runs against the hub's database
(``FLOOR_DB``, a libpq URL) under gunicorn with the hub's worker count, one connection per
worker.

Its requests/s beside the bare 50-row query says what share of the bare figure any audited
PostgreSQL read can reach on these cores, whatever the framework: a target above it cannot be
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
_connection: psycopg.Connection | None = None

_USER = """
SELECT u.id, u.login_id, u.department_id FROM api_tokens t JOIN users u ON u.id = t.user_id
WHERE t.token_hash = %s AND t.revoked_at IS NULL AND u.is_active
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
_AUDIT = """
INSERT INTO audit_events (created_at, user_id, login_id, department_id, action, object_type,
  object_id, outcome, reason, client_addr)
VALUES (%s, %s, %s, %s, 'mailbox.inbox', 'delivery', '', 'allowed', %s, %s)
"""
_KEYS = ("id", "message_id", "read_rank", "delivered_at", "subject", "sender", "sent_at")


def _db() -> psycopg.Connection:
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(os.environ["FLOOR_DB"])
    return _connection


@app.get("/healthz")
def health():
    return {"status": "ok"}


@app.get("/inbox")
def inbox():
    token = (request.headers.get("Authorization") or "").removeprefix("Bearer ")
    conn = _db()
    with conn.transaction():
        user = conn.execute(_USER, (hashlib.sha256(token.encode()).hexdigest(),)).fetchone()
        if user is None:
            return jsonify(error="unauthorized"), 401
        user_id, login_id, department_id = user
        rows = conn.execute(_PAGE, {"dep": department_id}).fetchall()
        now = datetime.now(UTC).replace(tzinfo=None)
        conn.execute(
            _AUDIT,
            (now, user_id, login_id, department_id, f"{len(rows)} rows", request.remote_addr or ""),
        )
    return jsonify(items=[dict(zip(_KEYS, r, strict=True)) for r in rows])
