"""The hub's server killed with SIGKILL during 200 concurrent sends: nothing half-written.

Issue 13 ("must stay true"). gunicorn with 2 workers (4 threads each, so that several sends are
inside their transaction at the kill) serves the test database; 32 client threads send 200
shares, each with a small attachment and its own Idempotency-Key, over the JSON API, while a
sealer chains the audit events as the scheduler would. After 40 acknowledgements the server's
whole process group gets SIGKILL. Then, read straight from the database and the file store:
every acknowledged send is there, sent and whole (recipients, deliveries, consent link,
notifications, outbox mails, a readable attachment, its audit event); every other message is
whole too, and nothing refers to a message or a file that is not there; files left behind by a
send cut off are ones the retention job removes. The server starts again on the same database,
every send left without an answer is retried with its key and answered once (replayed or
created, never twice), and ``tsunagu audit verify`` checks the whole chain.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import uploads_samples as samples
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from hub import audit
from hub.auth.services import create_token
from hub.mailbox.models import (
    Delivery,
    Message,
    MessageConsent,
    MessageDocument,
    MessageRecipient,
    MessageStatus,
    Notification,
    OutboxMail,
)
from hub.mailbox.send import ATTACHMENT_PURPOSE
from hub.models import AuditEvent, Role, StoredFile, User
from hub.security import API_PREFIX
from hub.storage import Storage, unreferenced_files
from hub.storage import read as read_stored

SENDS = 200
THREADS = 32
KILL_AFTER = 40
#: Generous: on SQLite a send may wait up to 30 s for the write lock on a loaded machine.
TIMEOUT = 90
BIN = Path(sys.executable).parent


@dataclass
class Sender:
    """What the clients need: the token, the body of every send, what each message holds."""

    token: str
    body: dict[str, Any]
    #: Rows every whole message has: recipients, deliveries, outbox mails (one per recipient
    #: department), notifications (one per case worker there), its consent link, its document.
    recipients: int
    notifications: int


@pytest.fixture
def sender(db, city, consents, grant) -> Sender:
    """納税課's case worker, with a consent to share arrears with two departments."""
    to = [city.plat, city.hokenryo]
    consents.active([grant(city.nozei, d, "arrears") for d in to])
    _token, plain = create_token(db, city.staff, "kill -9")
    workers = db.scalar(
        select(func.count())
        .select_from(User)
        .where(
            User.department_id.in_([d.id for d in to]),
            User.is_active,
            User.role.in_([Role.STAFF, Role.MANAGER]),
        )
    )
    body = {
        "kind": "share",
        "case_id": city.case_id,
        "recipient_ids": [d.id for d in to],
        "subject": "滞納状況の共有",
        "body": "区民税の滞納が続いています。",
        "body_categories": ["arrears"],
        "attachment_categories": ["arrears"],
        "attachments": [
            {"filename": "メモ.png", "content_base64": base64.b64encode(samples.png()).decode()}
        ],
    }
    db.commit()
    # On SQLite any transaction of the test's session would hold the write lock: end it.
    db.close()
    return Sender(plain, body, recipients=len(to), notifications=workers)


# ---------------------------------------------------------------- the server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """gunicorn on the test database, in a process group of its own (to kill it whole)."""

    def __init__(self, url: str, instance: str, log: Path) -> None:
        self.port, self.log = 0, log
        self.env = {
            **os.environ,
            "TSUNAGU_DATABASE_URL": url,
            # The instance of the test's storage: same key file, same folder for the files.
            "TSUNAGU_INSTANCE_PATH": instance,
            # Given, not generated: two workers starting at once would race to write it.
            "TSUNAGU_SECRET_KEY": secrets.token_hex(32),
            "TSUNAGU_LOG_LEVEL": "WARNING",
        }
        self.process: subprocess.Popen | None = None

    def start(self, workers: int = 2) -> None:
        """Start on a free port and wait until /healthz answers."""
        self.port = _free_port()
        command = [
            str(BIN / "gunicorn"), "-w", str(workers), "-k", "gthread", "--threads", "4",
            "-b", f"127.0.0.1:{self.port}", "--log-level", "warning",
            "--graceful-timeout", "10", "hub.app:create_app()",
        ]  # fmt: skip
        with self.log.open("ab") as err:
            self.process = subprocess.Popen(
                command,
                env=self.env,
                cwd=self.log.parent,
                stdout=subprocess.DEVNULL,
                stderr=err,
                start_new_session=True,
            )
        end = time.monotonic() + TIMEOUT
        while time.monotonic() < end:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if _request(self.port, "GET", "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"the server did not answer within {TIMEOUT} s: {self.logged()}")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
        if self.process is not None:
            self.process.wait(timeout=TIMEOUT)

    def logged(self) -> str:
        return self.log.read_text()[-4000:]


def _request(
    port: int, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    """One request on a connection of its own (an error means the server is gone)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        answer = conn.getresponse()
        raw = answer.read()
        return answer.status, json.loads(raw) if raw.startswith(b"{") else raw
    finally:
        conn.close()


def _send(port: int, sender: Sender, key: str) -> tuple[int, Any]:
    headers = {
        "Authorization": f"Bearer {sender.token}",
        "Content-Type": "application/json",
        "Idempotency-Key": key,
    }
    return _request(port, "POST", f"{API_PREFIX}/messages", json.dumps(sender.body), headers)


# ---------------------------------------------------------------- the clients


class Sends:
    """200 sends from 32 threads, sorted by what the client knows of each afterwards."""

    def __init__(self, port: int, sender: Sender) -> None:
        self.port, self.sender = port, sender
        run = secrets.token_hex(4)
        self.keys = [f"kill-{run}-{n:03d}" for n in range(SENDS)]
        #: Answered 201: the key and the message id the client was given.
        self.acknowledged: dict[str, int] = {}
        #: Answered, but not 201 (a failure of the test or of the hub).
        self.refused: list[tuple[str, int, Any]] = []
        #: Sent, and no answer came: the server died under the request.
        self.in_doubt: list[str] = []
        self.enough = threading.Event()
        self._next = iter(self.keys)
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._worker) for _ in range(THREADS)]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def join(self) -> None:
        for thread in self._threads:
            thread.join(timeout=TIMEOUT)
        assert not any(t.is_alive() for t in self._threads), "a client thread hung"

    def _worker(self) -> None:
        while True:
            with self._lock:
                key = next(self._next, None)
            if key is None:
                self.enough.set()  # all sent before the kill: the test says so
                return
            try:
                status, answer = _send(self.port, self.sender, key)
            except ConnectionRefusedError:  # the server is gone: this one never reached it
                return
            except (OSError, http.client.HTTPException):
                with self._lock:
                    self.in_doubt.append(key)
                return
            with self._lock:
                if status == 201 and answer["status"] == MessageStatus.SENT:
                    self.acknowledged[key] = answer["id"]
                else:
                    self.refused.append((key, status, answer))
                    self.enough.set()
                if len(self.acknowledged) >= KILL_AFTER:
                    self.enough.set()


class Sealer:
    """Chain the audit events every 0.3 s, as the scheduler's audit_seal job does."""

    def __init__(self, database) -> None:
        self.database, self.errors = database, []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        while not self._stop.wait(0.3):
            try:
                with self.database.transaction() as session:
                    audit.seal_all(session)
            except Exception as exc:  # reported when the sealer stops
                self.errors.append(repr(exc))
                return

    def __enter__(self) -> Sealer:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join(timeout=TIMEOUT)
        assert not self._thread.is_alive(), "the sealer hung"
        assert not self.errors, self.errors


# ---------------------------------------------------------------- the database afterwards


def _settled(engine: Engine) -> None:
    """Wait until PostgreSQL has ended the killed workers' transactions (SQLite: at once)."""
    if engine.dialect.name != "postgresql":
        return
    busy = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND state <> 'idle'"
    )
    end = time.monotonic() + TIMEOUT
    with engine.connect() as conn:
        while conn.execute(busy).scalar_one() and time.monotonic() < end:
            conn.rollback()
            time.sleep(0.1)


def _per(session: Session, column, *where) -> Counter:
    rows = session.execute(select(column, func.count()).where(*where).group_by(column)).all()
    return Counter({value: n for value, n in rows})


def _exactly(counted: Counter, ids: Iterable[Any], n: int, what: str) -> None:
    """Every message has n of these, and none of them belongs to anything else."""
    expected = dict.fromkeys(ids, n)
    short = {i: counted.get(i, 0) for i in expected if counted.get(i, 0) != n}
    orphans = {i: c for i, c in counted.items() if i not in expected}
    assert not short and not orphans, f"{what}: wrong count {short}, orphans {orphans}"


def whole_messages(session: Session, sender: Sender, files: Storage) -> dict[str, int]:
    """Check that every message in the database is sent and whole; return {key: id}."""
    stored = session.execute(select(Message.idempotency_key, Message.id, Message.status)).all()
    unsent = [(k, i, s) for k, i, s in stored if s != MessageStatus.SENT]
    assert not unsent, f"messages not sent: {unsent}"
    by_key = {k: i for k, i, _s in stored}
    assert len(by_key) == len(stored), "two messages under one key"
    ids = set(by_key.values())
    for column, n in (
        (MessageRecipient.message_id, sender.recipients),
        (Delivery.message_id, sender.recipients),
        (Notification.message_id, sender.notifications),
        (MessageConsent.message_id, 1),
        (MessageDocument.message_id, 1),
    ):
        _exactly(_per(session, column, column.is_not(None)), ids, n, str(column))
    mails = _per(
        session, OutboxMail.link_path, OutboxMail.link_path.startswith("/mailbox/messages/")
    )
    _exactly(mails, {f"/mailbox/messages/{i}" for i in ids}, sender.recipients, "outbox mails")
    sent = _per(session, AuditEvent.object_id, AuditEvent.action == "message.send")
    _exactly(sent, {str(i) for i in ids}, 1, "message.send events")

    # The attachments: each readable, its hash as recorded; no attachment row of no message.
    documents = session.scalars(select(MessageDocument)).all()
    for document in documents:
        assert document.stored_file is not None, f"document {document.id} without its file"
        assert document.stored_file.sha256 == document.sha256
        read_stored(None, document.stored_file, storage=files)
    attached = set(
        session.scalars(select(StoredFile.id).where(StoredFile.purpose == ATTACHMENT_PURPOSE))
    )
    assert attached == {d.stored_file_id for d in documents}, "an attachment of no message"
    audited = _per(
        session,
        AuditEvent.object_id,
        AuditEvent.action == "file.store",
        AuditEvent.outcome == audit.ALLOWED,
        AuditEvent.reason.startswith(f"{ATTACHMENT_PURPOSE}:"),
    )
    _exactly(audited, {str(i) for i in attached}, 1, "file.store events of attachments")
    return by_key


# ---------------------------------------------------------------- the test


def test_a_killed_server_leaves_every_send_whole_or_absent(
    database, config, sender, storage, tmp_path
):
    server = Server(database.url, config.instance_path, tmp_path / "server.log")
    try:
        server.start()
        sends = Sends(server.port, sender)
        with Sealer(database):
            sends.start()
            assert sends.enough.wait(timeout=4 * TIMEOUT), server.logged()
            server.stop(signal.SIGKILL)
            sends.join()
    finally:
        server.stop(signal.SIGKILL)
    assert not sends.refused, (sends.refused[:3], server.logged())
    assert len(sends.acknowledged) >= KILL_AFTER
    assert sends.in_doubt, "every send was answered before the kill: the test proved nothing"

    engine = create_engine(database.url, poolclass=NullPool)
    try:
        _settled(engine)
        with Session(engine) as session:
            stored = whole_messages(session, sender, storage)
            # Every acknowledged send is there, under the id its client was given; a send
            # that never reached the server is not (the connection was refused, or it was
            # never tried); one cut off is there, whole (checked above), or not at all.
            assert {k: stored.get(k) for k in sends.acknowledged} == sends.acknowledged
            assert set(stored) <= {*sends.acknowledged, *sends.in_doubt}
            # What a cut-off send left on disk is ciphertext no row names: the retention
            # job's to remove, and no more than one file per send cut off.
            leftovers = unreferenced_files(session, older_than=timedelta(0), storage=storage)
            assert len(leftovers) <= len(set(sends.in_doubt) - set(stored)), leftovers

        # The server again, on the database as the kill left it: each send left without an
        # answer is retried with its key (as a client would) and answered once. One worker
        # is enough for that, and starts in half the time on a busy machine.
        server.start(workers=1)
        try:
            retried = sends.in_doubt + list(sends.acknowledged)[:3]
            retry = partial(_send, server.port, sender)
            with ThreadPoolExecutor(8) as pool:
                answers = dict(zip(retried, pool.map(retry, retried), strict=True))
        finally:
            server.stop()
        with Session(engine) as session:
            after = whole_messages(session, sender, storage)
            assert set(after) == {*sends.acknowledged, *sends.in_doubt}
            assert {k: after[k] for k in stored} == stored
            for key, (status, answer) in answers.items():
                got = (status, answer.get("id") if isinstance(answer, dict) else answer)
                assert got == (200 if key in stored else 201, after[key]), (key, answer)
            # The chain: sealed to the end (the scheduler's job), then checked by the CLI.
            audit.seal_all(session)
            events = session.scalar(select(func.count()).select_from(AuditEvent))
    finally:
        engine.dispose()
    done = subprocess.run(
        [str(BIN / "tsunagu"), "audit", "verify"],
        env=server.env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert done.returncode == 0, done.stderr
    checked = re.search(r"（(\d+)件", done.stdout)
    assert checked and int(checked[1]) == events, done.stdout
