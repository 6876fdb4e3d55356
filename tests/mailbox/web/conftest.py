"""Mailbox screen fixtures: the Setagaya demo (departments, 山田 太郎's case, his hearing sheet
and the consent 納税課 took) and clients logged in as its staff."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpers import login
from hub import demo
from hub.demo import DEMO_PASSWORD
from hub.documents.consent import demo as consent_demo
from hub.documents.consent.models import Consent
from hub.documents.hearing import demo as hearing_demo
from hub.models import Case, Department, Resident, User
from hub.storage import Storage, bind


@dataclass
class Setagaya:
    case_id: int
    consent_id: int
    departments: dict[str, int]
    users: dict[str, User]


@pytest.fixture
def setagaya(db: Session, config, hasher) -> Setagaya:
    """Demo data with 山田 太郎's sheet and consent (納税課 → 保険料収納課/ぷらっとホーム …)."""
    bind(db, Storage.from_config(config))
    demo.load(db, hasher)
    assert hearing_demo.load(db)
    assert consent_demo.load(db)
    db.commit()
    resident = db.scalar(select(Resident).where(Resident.atena_no == "0001000001"))
    case = db.scalar(select(Case).where(Case.resident_id == resident.id).order_by(Case.id))
    consent = db.scalar(select(Consent).where(Consent.resident_id == resident.id))
    departments = {d.code: d.id for d in db.scalars(select(Department))}
    users = {u.login_id: u for u in db.scalars(select(User))}
    result = Setagaya(case.id, consent.id, departments, users)
    db.commit()
    return result


@pytest.fixture
def as_user(app):
    """``as_user("nozei01")``: a fresh client logged in as that demo user."""

    def make(login_id: str) -> FlaskClient:
        client = app.test_client()
        response = login(client, login_id, DEMO_PASSWORD)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return make
