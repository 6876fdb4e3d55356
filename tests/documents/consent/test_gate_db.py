"""covers() on a real database (SQLite and PostgreSQL): the same answers as the oracle, in one
or two indexed queries, with the reasons in Japanese; check() audits every answer."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from sqlalchemy import select

from helpers import counted
from hub import audit, jp
from hub.documents.consent import gate
from hub.documents.consent.models import Consent, ConsentGrant, ConsentStatus
from hub.models import AuditEvent

from .scopes import covered, in_force, questions, worlds

DB_PROPERTY = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@DB_PROPERTY
@given(world=worlds(max_consents=5), question=questions)
def test_covers_on_the_database_agrees_with_the_rule(db, city, world, question):
    departments = [city.nozei.id, city.hokenryo.id, city.plat.id, city.kaigo.id]
    resident_id, staff_id = city.resident.id, city.staff.id
    try:
        ids = {}
        for fake in world:
            consent = Consent(
                resident_id=resident_id,
                obtaining_department_id=departments[0],
                obtained_by_id=staff_id,
                status=fake.status,
                obtained_on=fake.obtained_on,
                valid_until=fake.valid_until,
                withdrawn_on=fake.withdrawn_on,
                purposes=["生活再建の支援"],
            )
            consent.grants = [
                ConsentGrant(
                    from_department_id=departments[s],
                    to_department_id=departments[r],
                    category=category,
                )
                for s, r, category in fake.grants
            ]
            db.add(consent)
            db.flush()
            ids[consent.id] = fake
        sender, recipient, categories, day = question
        decision = gate.covers(
            db, resident_id, departments[sender], departments[recipient], categories, day
        )
        expected = {c for c in categories if not covered(world, sender, recipient, c, day)}
        assert {m.category for m in decision.missing} == expected
        assert decision.allowed == (not expected)
        assert all(in_force(ids[i], day) for i in decision.consent_ids)
        # Asked for many recipients at once (the case page's join options): the same answers.
        everyone = [city.nozei, city.hokenryo, city.plat, city.kaigo]
        sender_dept = everyone[sender]
        each = gate.covers_each(db, resident_id, sender_dept, everyone, categories, day)
        for department in everyone:
            alone = gate.covers(db, resident_id, sender_dept.id, department.id, categories, day)
            assert each[department.id] == alone
    finally:
        db.rollback()


def test_one_statement_answers_allowed_and_denied_alike(db, city, consents, grant):
    consent = consents.active([grant(city.nozei, city.plat, "arrears", "private_debts")])
    today = jp.today()
    args = (db, city.resident.id, city.nozei.id, city.plat.id)
    with counted(db) as statements:
        decision = gate.covers(*args, ["arrears", "private_debts"], today)
    assert decision.allowed and decision.consent_ids == [consent.id]
    assert len(statements) == 1
    with counted(db) as statements:
        decision = gate.covers(*args, list(gate.InformationCategory), today)
    assert not decision.allowed
    assert len(decision.missing) == len(gate.InformationCategory) - 2
    assert len(statements) == 1


def test_the_reason_names_departments_category_and_the_withdrawal(db, city, consents, grant):
    consent = consents.withdrawn([grant(city.nozei, city.plat, "private_debts")])
    today = jp.today()
    decision = gate.covers(
        db, city.resident.id, city.nozei.id, city.plat.id, ["private_debts"], today
    )
    assert decision.missing == [
        gate.Missing(
            "private_debts",
            "納税課→ぷらっとホーム世田谷の『民間債務の状況』を認める有効な同意がありません"
            f"（同意書番号{consent.id}は{jp.wareki(today)}に撤回済み）",
            f"同意書番号{consent.id}は{jp.wareki(today)}に撤回済み",
        )
    ]
    # Before the withdrawal day it covered: an audit of a past share answers as on that day.
    yesterday = today.fromordinal(today.toordinal() - 1)
    assert not gate.covers(
        db, city.resident.id, city.nozei.id, city.plat.id, ["private_debts"], yesterday
    ).allowed  # obtained today: yesterday was before the consent
    reverse = gate.covers(db, city.resident.id, city.plat.id, city.nozei.id, ["arrears"], today)
    assert reverse.reasons == [
        "ぷらっとホーム世田谷→納税課の『滞納状況』を認める有効な同意がありません"
    ]


def test_another_residents_consent_covers_nothing(db, city, consents, grant, make_resident):
    consents.active([grant(city.nozei, city.plat, "arrears")])
    other = make_resident("佐藤 花子", "サトウ ハナコ", department=city.nozei)
    decision = gate.covers(db, other.id, city.nozei.id, city.plat.id, ["arrears"], jp.today())
    assert not decision.allowed


def test_check_audits_allowed_and_denied_answers(database, db, city, consents, grant):
    consent = consents.active([grant(city.nozei, city.plat, "arrears")])
    today = jp.today()
    allowed = gate.check(
        db, city.staff, city.resident.id, city.nozei.id, city.plat.id, ["arrears"], today
    )
    denied = gate.check(
        db, city.staff, city.resident.id, city.nozei.id, city.plat.id, ["assets"], today
    )
    assert allowed.allowed and not denied.allowed
    db.commit()
    events = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "consent.check").order_by(AuditEvent.id)
    ).all()
    assert [(e.outcome, e.object_id) for e in events] == [
        (audit.ALLOWED, str(city.resident.id)),
        (audit.DENIED, str(city.resident.id)),
    ]
    assert f"consents [{consent.id}]" in events[0].reason
    assert "missing assets" in events[1].reason
    assert "山田" not in events[0].reason + events[1].reason


def test_a_draft_never_covers(db, city, consents, grant):
    consent = consents.scanned([grant(city.nozei, city.plat, "arrears")])
    assert consent.status == ConsentStatus.DRAFT
    decision = gate.covers(
        db, city.resident.id, city.nozei.id, city.plat.id, ["arrears"], jp.today()
    )
    assert not decision.allowed
    assert "作成中" in decision.reasons[0]
