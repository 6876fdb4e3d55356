"""The demo consent: 山田 太郎, taken by 納税課, active, with its form and a signed scan."""

from __future__ import annotations

from sqlalchemy import func, select

from hub import demo, jp
from hub.documents.consent import demo as consent_demo
from hub.documents.consent import gate
from hub.documents.consent.models import Consent, ConsentStatus
from hub.models import Department, Resident
from hub.storage import Storage, bind


def test_demo_consent_is_loaded_once_and_covers_what_it_says(db, hasher, config):
    bind(db, Storage.from_config(config))
    demo.load(db, hasher)
    assert consent_demo.load(db) is True
    db.commit()
    assert consent_demo.load(db) is False
    assert db.scalar(select(func.count()).select_from(Consent)) == 1

    consent = db.scalars(select(Consent)).one()
    resident = db.scalars(select(Resident).where(Resident.atena_no == "0001000001")).one()
    depts = {d.code: d.id for d in db.scalars(select(Department))}
    assert consent.resident_id == resident.id and consent.status == ConsentStatus.ACTIVE
    assert consent.obtaining_department_id == depts["nozei"]
    assert consent.form_pdf and consent.form_docx and consent.scan
    today = jp.today()
    allowed = gate.covers(
        db, resident.id, depts["nozei"], depts["plat"], ["private_debts", "arrears"], today
    )
    assert allowed.allowed and allowed.consent_ids == [consent.id]
    assert not gate.covers(
        db, resident.id, depts["nozei"], depts["kaigo"], ["arrears"], today
    ).allowed
    assert not gate.covers(
        db, resident.id, depts["nozei"], depts["hokenryo"], ["private_debts"], today
    ).allowed
