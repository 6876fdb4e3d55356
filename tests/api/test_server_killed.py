"""The hub's server killed with SIGKILL in the middle of 200 concurrent sends over the API.

A real server in a subprocess — gunicorn with 2 workers on PostgreSQL, ``tsunagu run`` (the
embedded mode) on SQLite — takes sends from 16 threads; after 40 acknowledgements its whole
process group is killed. Then, on the database: every acknowledged send is there, whole; no
message exists without its recipient, delivery, consent link and notification; a retry of a
send cut off in flight, with its key, is answered once; and the audit chain, sealed, verifies.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from city import City, Consents, bind_storage, build_city, grant
from mailkit import key
from sqlalchemy import create_engine, func, select
from sqlalchemy.pool import NullPool

from hub.mailbox.models import (
    Delivery,
    Message,
    MessageConsent,
    MessageRecipient,
    Notification,
)
from hub.models import AuditEvent
from hub.security import API_PREFIX

SENDS = 200
THREADS = 16
KILL_AFTER = 40


@pytest.fixture
def city(db, config, make_department, make_user, make_resident, make_case) -> City:
    bind_storage(db, config)
    found = build_city(db, make_department, make_user, make_resident, make_case)
    Consents(db, found).active([grant(found.nozei, found.plat, "arrears")])
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(url: str, instance: Path, config) -> dict[str, str]:
    return {
        **os.environ,
        "TSUNAGU_DATABASE_URL": url,
        "TSUNAGU_INSTANCE_PATH": str(instance),
        "TSUNAGU_SECRET_KEY": secrets.token_hex(32),
        "TSUNAGU_STORAGE_KEY": config.storage_key,
        "TSUNAGU_LOG_LEVEL": "WARNING",
    }


def _serve(url: str, env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    """The server a city runs on this database, in a process group of its own."""
    bin_dir = Path(sys.executable).parent
    if url.startswith("sqlite"):
        command = [str(bin_dir / "tsunagu"), "run", "--port", str(port)]
    else:
        command = [str(bin_dir / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}",
                   "--log-level", "warning", "hub.app:create_app()"]  # fmt: skip
    with log.open("ab") as err:
        return subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True
        )


def _ready(port: int, server: subprocess.Popen, log: Path) -> None:
    end = time.monotonic() + 60
    while time.monotonic() < end:
        assert server.poll() is None, log.read_text()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"the server did not answer within 60 s: {log.read_text()}")


def _stop(server: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if server.poll() is None:
        os.killpg(server.pid, sig)
    server.wait(timeout=30)


def _send(conn: http.client.HTTPConnection, token: str, body: dict, idem: str):
    conn.request(
        "POST",
        f"{API_PREFIX}/messages",
        body=json.dumps(body),
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Idempotency-Key": idem,
        },
    )
    answer = conn.getresponse()
    return answer.status, json.loads(answer.read() or b"{}")


class Sends:
    """200 sends from 16 threads; what was acknowledged, and what was cut off in flight."""

    def __init__(self, port: int, token: str, body: dict) -> None:
        self.port, self.token, self.body = port, token, body
        self.keys = [key() for _ in range(SENDS)]
        self.acknowledged: dict[str, int] = {}
        self.refused: list[tuple[str, int, Any]] = []
        self.cut_off: list[str] = []
        self.enough = threading.Event()
        self._next = iter(self.keys)
        self._lock = threading.Lock()

    def _worker(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        while True:
            with self._lock:
                idem = next(self._next, None)
            if idem is None:
                return
            try:
                status, answer = _send(conn, self.token, self.body, idem)
            except OSError:  # the server died under the request (or before it)
                with self._lock:
                    self.cut_off.append(idem)
                return
            with self._lock:
                if status == 201:
                    self.acknowledged[idem] = answer["id"]
                else:
                    self.refused.append((idem, status, answer))
                if len(self.acknowledged) >= KILL_AFTER:
                    self.enough.set()

    def run(self) -> Iterator[None]:
        threads = [threading.Thread(target=self._worker) for _ in range(THREADS)]
        for thread in threads:
            thread.start()
        yield
        for thread in threads:
            thread.join(timeout=120)
        assert not any(t.is_alive() for t in threads), "a client thread hung"


def _count(conn, statement) -> int:
    return int(conn.execute(statement).scalar_one())


def test_a_killed_server_leaves_every_send_whole_or_absent(
    db, database, city, config, token_for, tmp_path
):
    body = {
        "kind": "share",
        "case_id": city.case_id,
        "recipient_ids": [city.plat.id],
        "subject": "滞納状況の共有",
        "body": "区民税の滞納が続いています。",
        "body_categories": ["arrears"],
    }
    token = token_for(city.staff)
    env, log = _env(database.url, tmp_path / "instance", config), tmp_path / "server.log"
    port = _free_port()
    server = _serve(database.url, env, port, log)
    try:
        _ready(port, server, log)
        sends = Sends(port, token, body)
        running = sends.run()
        next(running)
        assert sends.enough.wait(timeout=120), (sends.refused[:3], log.read_text())
        _stop(server, signal.SIGKILL)
        next(running, None)
    finally:
        if server.poll() is None:
            _stop(server, signal.SIGKILL)
    assert not sends.refused, sends.refused[:3]
    assert sends.cut_off, "every send finished before the kill: the test proved nothing"
    assert len(sends.acknowledged) < SENDS

    engine = create_engine(database.url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            stored = dict(
                conn.execute(
                    select(Message.idempotency_key, Message.id).where(
                        Message.sender_user_id == city.staff.id
                    )
                ).all()
            )
            # Every acknowledged send is there, under the id the client was given.
            assert {k: stored.get(k) for k in sends.acknowledged} == sends.acknowledged
            # Nothing but the 200 keys; a send cut off in flight is there whole or not at all.
            assert set(stored) <= set(sends.keys)
            for table, column in (
                (MessageRecipient, MessageRecipient.message_id),
                (Delivery, Delivery.message_id),
                (Notification, Notification.message_id),
                (MessageConsent, MessageConsent.message_id),
            ):
                per_message = select(column, func.count().label("n")).select_from(table)
                counted = dict(conn.execute(per_message.group_by(column)).all())
                assert {m: counted.get(m, 0) for m in stored.values()} == dict.fromkeys(
                    stored.values(), 1
                ), f"{table}: a message without its row, or with two"
                assert set(counted) <= set(stored.values()), f"{table}: an orphan row"
            sent_events = _count(
                conn,
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "message.send"),
            )
            assert sent_events == len(stored)
    finally:
        engine.dispose()

    # The server again: a send cut off in flight, retried with its key, is answered once.
    server = _serve(database.url, env, port, log)
    try:
        _ready(port, server, log)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        retried = sends.cut_off[0]
        status, answer = _send(conn, token, body, retried)
        assert status == (200 if retried in stored else 201), answer
        again = _send(conn, token, body, retried)
        assert again == (200, answer)
        first_acknowledged = next(iter(sends.acknowledged))
        status, answer = _send(conn, token, body, first_acknowledged)
        assert (status, answer["id"]) == (200, sends.acknowledged[first_acknowledged])
    finally:
        _stop(server)

    # The audit chain: sealed by hand (no scheduler ran), it verifies.
    tsunagu = str(Path(sys.executable).parent / "tsunagu")
    for command in (["audit", "seal"], ["audit", "verify"]):
        done = subprocess.run(
            [tsunagu, *command], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
    assert "改ざんされていません" in done.stdout
