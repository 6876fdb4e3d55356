"""The bare baseline of bench/http_load.py: Flask alone, no hub — ``/healthz`` and a 50-row query
on a SQLite file of its own (``BARE_DB``), served by gunicorn with the hub's worker count.

``gunicorn 'bare_app:app'`` from this folder.
"""

from __future__ import annotations

import os
import sqlite3

from flask import Flask, jsonify

app = Flask(__name__)
DB = os.environ.get("BARE_DB", "bare.sqlite3")


def setup(path: str, rows: int = 6000) -> None:
    """A table shaped like an inbox page's rows (id, subject, sender, time, read flag)."""
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, subject TEXT, sender TEXT,"
            " sent_at TEXT, is_read INTEGER)"
        )
        conn.execute("DELETE FROM items")
        conn.executemany(
            "INSERT INTO items VALUES (?, ?, ?, ?, ?)",
            [
                (n, f"連絡 {n}", "納税課", f"2026-12-{n % 28 + 1:02d}T10:00:00", n % 2)
                for n in range(1, rows + 1)
            ],
        )


@app.get("/healthz")
def health():
    return {"status": "ok"}


@app.get("/rows")
def rows():
    conn = sqlite3.connect(DB)
    try:
        found = conn.execute(
            "SELECT id, subject, sender, sent_at, is_read FROM items ORDER BY id DESC LIMIT 50"
        ).fetchall()
    finally:
        conn.close()
    keys = ("id", "subject", "sender", "sent_at", "is_read")
    return jsonify(items=[dict(zip(keys, r, strict=True)) for r in found])
