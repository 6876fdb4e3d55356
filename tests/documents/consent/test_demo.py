"""The demo consents: 山田 太郎's taken by 納税課, active, with its form and a signed scan, and
the departments each consent covers added to the resident's case."""

from __future__ import annotations

from sqlalchemy import func, select

from hub import demo, jp
from hub.documents.categories import ORDER
from hub.documents.consent import demo as consent_demo
from hub.documents.consent import gate
from hub.documents.consent.models import Consent, ConsentStatus
from hub.models import Case, Department, Resident
from hub.storage import Storage, bind


def test_demo_consent_is_loaded_once_and_covers_what_it_says(db, hasher, config):
    bind(db, Storage.from_config(config))
    demo.load(db, hasher)
    assert consent_demo.load(db) is True
    db.commit()
    assert consent_demo.load(db) is False
    assert db.scalar(select(func.count()).select_from(Consent)) == len(consent_demo.CONSENTS)

    resident = db.scalars(select(Resident).where(Resident.atena_no == "0001000001")).one()
    consent = db.scalars(select(Consent).where(Consent.resident_id == resident.id)).one()
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


def test_each_demo_case_holds_only_departments_its_consent_covers(db, hasher, config):
    bind(db, Storage.from_config(config))
    demo.load(db, hasher)
    consent_demo.load(db)
    db.commit()
    codes = {d.id: d.code for d in db.scalars(select(Department))}
    for case in db.scalars(select(Case)):
        others = {codes[i] for i in case.department_ids} - {codes[case.lead_department_id]}
        for code in others:
            covered = gate.covers(
                db,
                case.resident_id,
                case.lead_department_id,
                next(i for i, c in codes.items() if c == code),
                [c.value for c in ORDER],
                jp.today(),
            )
            assert covered.consent_ids, f"case {case.id}: {code} joined without consent"
    yoshida = db.scalars(select(Resident).where(Resident.atena_no == "0001000004")).one()
    case = db.scalars(select(Case).where(Case.resident_id == yoshida.id)).one()
    assert {codes[i] for i in case.department_ids} == {"nozei", "kokuho", "kaigo", "plat"}
