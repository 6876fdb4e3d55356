"""Fixtures for the administration screens: an administrator's client and audit lookups."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hub.models import AuditEvent, Department, DepartmentKind, Role


@pytest.fixture
def home(make_department) -> Department:
    """The administrators' own department (財政課)."""
    return make_department(name="財政課", kind=DepartmentKind.OTHER, code="zaisei")


@pytest.fixture
def admin(make_user, home):
    return make_user(role=Role.ADMIN, department=home, login_id="admin")


@pytest.fixture
def as_admin(logged_in, admin):
    """A test client logged in as the administrator."""
    return logged_in(admin)


@pytest.fixture
def audit_log(db):
    """Return a function listing (action, user_id, object_id, outcome, reason) of the events."""

    def events(*actions: str) -> list[tuple]:
        db.expire_all()
        query = select(AuditEvent).order_by(AuditEvent.id)
        if actions:
            query = query.where(AuditEvent.action.in_(actions))
        rows = [(e.action, e.user_id, e.object_id, e.outcome, e.reason) for e in db.scalars(query)]
        db.rollback()  # release SQLite's write lock before the next request
        return rows

    return events


@pytest.fixture
def reload(db):
    """Return a function that reads a row afresh from the database (after a request)."""

    def get(model, pk):
        db.expire_all()
        row = db.get(model, pk)
        if row is not None:
            db.expunge(row)
        db.rollback()
        return row

    return get
