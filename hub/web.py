"""Per-request plumbing: the database session, the hasher, and the unit of work."""

from __future__ import annotations

from typing import Any

from argon2 import PasswordHasher
from flask import current_app, g, request
from flask_login import current_user
from sqlalchemy.orm import Session

from hub.config import Config
from hub.db import Database, finish
from hub.models import User


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
        g.db_session = session
    return g.db_session


def end_request(response: Any) -> Any:
    """Commit when the view succeeded; roll back on a 4xx/5xx answer (keeping denial audits)."""
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        try:
            finish(session, ok=response.status_code < 400)
        finally:
            session.close()
    return response


def close_session(_exc: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()


def page_arg(value: Any = None) -> int:
    """Read a page number; anything odd is page 1."""
    raw = request.args.get("page") if value is None else value
    try:
        return max(1, min(int(raw), 100_000))
    except (TypeError, ValueError):
        return 1
