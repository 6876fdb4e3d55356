"""Test helpers importable from any test module (tests/ is on pytest's pythonpath)."""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from hub.config import Config
from hub.models import User

PG_URL = os.environ.get("TSUNAGU_TEST_POSTGRES_URL", "")
REQUIRE_ALL = os.environ.get("TSUNAGU_REQUIRE_ALL") == "1"
PASSWORD = "correct-horse-battery"
#: Groups that could not run, with the reason, for the end-of-run summary.
_skipped_groups: dict[str, str] = {}


def unavailable(group: str, reason: str) -> None:
    """Skip a group that cannot run here, or fail when every group is required (CI)."""
    message = f"{group} tests cannot run: {reason}"
    if REQUIRE_ALL:
        pytest.fail(message + " (TSUNAGU_REQUIRE_ALL=1)")
    _skipped_groups[group] = reason
    pytest.skip(message)


def with_config(config: Config, **changes) -> Config:
    return dataclasses.replace(config, **changes)


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client, path: str = "/login") -> str:
    """Read the CSRF token a form page carries."""
    page = client.get(path)
    match = _CSRF.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path} (status {page.status_code})"
    return match.group(1)


def login(client, user: User | str, password: str = PASSWORD):
    """Log a test client in through the real login form; return the response."""
    login_id = user if isinstance(user, str) else user.login_id
    token = csrf_token(client, "/login")
    return client.post(
        "/login", data={"login_id": login_id, "password": password, "csrf_token": token}
    )


def post_form(client, path: str, data: dict | None = None, form_page: str = "/account", **kwargs):
    """POST a form with a valid CSRF token taken from a page of the logged-in session."""
    payload = dict(data or {})
    payload["csrf_token"] = csrf_token(client, form_page)
    return client.post(path, data=payload, **kwargs)


def is_api(rule) -> bool:
    """A route of the JSON API (under /api/v1), whichever package's blueprint it is on."""
    from hub.security import API_PREFIX

    return rule.rule.startswith(API_PREFIX + "/")


def operation_id(endpoint: str) -> str:
    """An API endpoint's operationId: the view's name (``cases_api.show_case`` → show_case)."""
    return endpoint.rsplit(".", 1)[-1]


@contextmanager
def counted(db: Session) -> Iterator[list[str]]:
    """The SELECT statements sent on the session's engine inside the block."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    engine = db.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)
