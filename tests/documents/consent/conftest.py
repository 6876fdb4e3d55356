"""Consent fixtures: thin wrappers around the shared city in tests/city.py."""

from __future__ import annotations

import pytest
from city import City, Consents, bind_storage, build_city, days, grant
from sqlalchemy.orm import Session

from hub.storage import Storage

__all__ = ["City", "Consents", "days", "grant"]


@pytest.fixture
def storage(db: Session, config) -> Storage:
    """The storage the app of this test uses too (same folder, same key)."""
    return bind_storage(db, config)


@pytest.fixture
def city(db, make_department, make_user, make_resident, make_case) -> City:
    return build_city(db, make_department, make_user, make_resident, make_case)


@pytest.fixture
def consents(db, city, storage) -> Consents:
    return Consents(db, city)


@pytest.fixture(name="grant")
def grant_fixture():
    """``grant(sender, recipient, *categories)``: one item of a consent's scope."""
    return grant


@pytest.fixture(name="days")
def days_fixture():
    """``days(n)``: the date n days from today (negative: in the past)."""
    return days
