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
        saved = hearing.save(db, user or city.staff, city.case_id, household(claims, **options))
        db.commit()
        return saved

    return save


#: One real rendering of each consent form per run (see ``fast_forms``).
_RENDERED: dict[str, bytes] = {}


@pytest.fixture
def fast_forms(monkeypatch) -> None:
    """Render the consent form (PDF, Word) once per run and reuse the bytes.

    Mailbox tests take many consents through the real services but never look at the form;
    rendering it (fonts, layout) is most of a consent's cost. Form tests live elsewhere.
    """
    from hub.documents.render import consent_form

    for name in ("render_consent_pdf", "render_consent_docx"):
        real = getattr(consent_form, name)

        def cached(data, _real=real, _name=name):
            if _name not in _RENDERED:
                _RENDERED[_name] = _real(data)
            return _RENDERED[_name]

        monkeypatch.setattr(consent_form, name, cached)


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
