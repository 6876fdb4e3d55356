"""Mailbox service fixtures: the shared city (tests/city.py) with bound storage."""

from __future__ import annotations

import pytest
from city import City, Consents, bind_storage, build_city, days, grant
from mailkit import household, make_claims
from sqlalchemy.orm import Session

from hub.documents.hearing import services as hearing
from hub.documents.hearing.models import HearingSheet
from hub.models import ClaimType, User
from hub.storage import Storage


@pytest.fixture
def storage(db: Session, config) -> Storage:
    """The storage the app of this test uses too (same folder, same key)."""
    return bind_storage(db, config)


@pytest.fixture
def city(db, make_department, make_user, make_resident, make_case, storage) -> City:
    """The shared city; every department has a mail address (so outbox mails are queued)."""
    city = build_city(db, make_department, make_user, make_resident, make_case)
    for dept in (city.nozei, city.hokenryo, city.plat, city.kaigo):
        dept.contact_email = f"{dept.code}@city.setagaya.example.jp"
    db.commit()
    return city


@pytest.fixture
def claims(db, city) -> dict[str, ClaimType]:
    return make_claims(db, city.nozei)


@pytest.fixture
def sheet(db, city, claims):
    """``sheet(user=staff, **options)``: save 山田さん's sheet as the case's next version."""

    def save(user: User | None = None, **options) -> HearingSheet:
        saved = hearing.save(db, city.staff, city.case_id, household(claims, **options))
        if user is not None and user.department_id != city.nozei.id:
            # Only the lead writes its sheet now; a version by another department is one
            # written before that rule, and must still be no other department's to share.
            saved.author_id, saved.department_id = user.id, user.department_id
        db.commit()
        return saved

    return save


@pytest.fixture
def consents(db, city, storage, fast_forms) -> Consents:
    return Consents(db, city)


@pytest.fixture(name="grant")
def grant_fixture():
    """``grant(sender, recipient, *categories)``: one item of a consent's scope."""
    return grant


@pytest.fixture(name="days")
def days_fixture():
    """``days(n)``: the date n days from today (negative: in the past)."""
    return days
