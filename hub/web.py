"""Per-request plumbing: the database session, the hasher, and the unit of work."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from typing import Any

from argon2 import PasswordHasher
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import Response, current_app, g, request, send_file, session
from flask_login import current_user
from sqlalchemy.orm import Session

from hub import audit, storage
from hub.config import Config
from hub.db import DEFERRED_READS, Database, finish
from hub.models import StoredFile, User

#: Methods that read: on SQLite their transactions defer the write lock.
READS = frozenset({"GET", "HEAD"})


def database() -> Database:
    return current_app.extensions["tsunagu.db"]


def config() -> Config:
    return current_app.extensions["tsunagu.config"]


def hasher() -> PasswordHasher:
    return current_app.extensions["tsunagu.hasher"]


def actor() -> User:
    """The logged-in user as a plain model object (not Flask-Login's proxy)."""
    return current_user._get_current_object()


def db() -> Session:
    """The request's session, opened on first use; committed or rolled back after the view."""
    if "db_session" not in g:
        session = database().session()
        session.info["client_addr"] = (request.remote_addr or "")[:64]
        if request.method in READS and database().is_sqlite:
            # SQLite: read without the write lock; the audit events are written at the end.
            DEFERRED_READS.set(True)
            session.info[audit.DEFER] = True
        else:
            # The request's audit events go in one INSERT as it commits.
            session.info[audit.BATCH] = True
        g.db_session = session
    return g.db_session


def read_again_with_the_lock() -> Session:
    """A SQLite GET that writes (opening a message records the first read) met a newer commit
    while upgrading its read transaction: roll back, and let the view run again in a write
    transaction (BEGIN IMMEDIATE)."""
    session = g.db_session
    session.rollback()
    session.info.pop(audit.LATER, None)
    session.info.pop(audit.DEFER, None)
    session.info.pop("audit_keep", None)
    session.info[audit.BATCH] = True
    DEFERRED_READS.set(False)
    return session


def end_request(response: Any) -> Any:
    """Commit when the view succeeded; roll back on a 4xx/5xx answer (keeping denial audits)."""
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        ok = response.status_code < 400
        deferred = session.info.get(audit.DEFER, False)
        try:
            # The closing writes (a deferred read's audit events, a refusal's) take the lock.
            DEFERRED_READS.set(False)
            finish(session, ok=ok)
            if ok and deferred:
                audit.write_later(session)
        finally:
            session.close()
    return response


def close_session(_exc: BaseException | None) -> None:
    DEFERRED_READS.set(False)
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()


def _session_cipher() -> AESGCM:
    key = hashlib.sha256(b"tsunagu.session-private:" + config().secret_key.encode()).digest()
    return AESGCM(key)


def put_private(key: str, value: Any) -> None:
    """Keep a value in the session cookie encrypted (the cookie itself is only signed).

    Search terms are personal data: they stay out of URLs and logs, and also out of the
    readable part of the cookie.
    """
    nonce = secrets.token_bytes(12)
    blob = _session_cipher().encrypt(nonce, json.dumps(value).encode(), key.encode())
    session[key] = base64.urlsafe_b64encode(nonce + blob).decode()


def get_private(key: str, default: Any = None) -> Any:
    """Read a value stored with put_private; anything unreadable counts as absent."""
    raw = session.get(key)
    if not isinstance(raw, str):
        return default
    try:
        data = base64.urlsafe_b64decode(raw.encode())
        plain = _session_cipher().decrypt(data[:12], data[12:], key.encode())
        return json.loads(plain)
    except (ValueError, InvalidTag):
        return default


def page_arg(value: Any = None) -> int:
    """Read a page number; anything odd is page 1."""
    raw = request.args.get("page") if value is None else value
    if raw is None:
        return 1
    try:
        return max(1, min(int(raw), 100_000))
    except (TypeError, ValueError):
        return 1


#: Files up to this size are sent from memory; larger ones are streamed from a temporary file.
IN_MEMORY_BYTES = 8 * 1024 * 1024


def send_stored(session: Session, stored: StoredFile, *, filename: str | None = None) -> Response:
    """Send a stored file to the browser. A large one (a case packet of many scanned pages)
    is decrypted into an anonymous temporary file first and streamed from there — checked
    whole before a byte is sent — so it is never held in memory."""
    disposition = storage.content_disposition(filename or stored.original_name)
    if stored.size <= IN_MEMORY_BYTES:
        response = Response(storage.read(session, stored), mimetype=stored.content_type)
        response.headers["Content-Disposition"] = disposition
        return response
    out = storage.scratch(session)
    try:
        storage.read_into(session, stored, out)
        out.seek(0)
    except BaseException:
        out.close()
        raise
    response = send_file(out, mimetype=stored.content_type, conditional=False, max_age=0)
    response.headers["Content-Disposition"] = disposition
    return response
