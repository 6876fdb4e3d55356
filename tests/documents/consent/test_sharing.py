"""情報共有の依頼: a support department asks collection departments to share, within consent."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hub.db import finish
from hub.documents.consent import gate, sharing
from hub.documents.consent.models import SharingRequest
from hub.errors import InvalidInput, NotFound
from hub.models import AuditEvent


def test_a_request_within_the_consent_is_recorded(db, city, consents, grant):
    consent = consents.active(
        [
            grant(city.nozei, city.plat, "arrears", "household_budget"),
            grant(city.hokenryo, city.plat, "arrears"),
        ],
        by=city.plat_staff,  # the support department took the consent itself
    )
    data = {
        "department_ids": [city.nozei.id, city.hokenryo.id],
        "categories": ["arrears"],
        "note": "支援方針の検討のため",
    }
    request = sharing.create(db, city.plat_staff, city.resident.id, data)
    db.commit()
    assert request.requesting_department_id == city.plat.id
    both = {city.nozei.id: ["arrears"], city.hokenryo.id: ["arrears"]}
    assert request.by_department(city.plat.id) == both
    # An asked department sees what it was asked, not what the others were.
    assert request.by_department(city.nozei.id) == {city.nozei.id: ["arrears"]}
    assert request.consent_ids == [consent.id]
    assert [r.id for r in sharing.requests_of(db, city.staff, city.resident.id)] == [request.id]
    assert sharing.requests_of(db, city.outsider, city.resident.id) == []


def test_a_request_outside_the_consent_is_refused_with_reasons(db, city, consents, grant):
    consents.active([grant(city.nozei, city.plat, "arrears")], by=city.plat_staff)
    data = {
        "department_ids": [city.nozei.id, city.hokenryo.id],
        "categories": ["arrears", "assets"],
    }
    with pytest.raises(gate.ConsentMissing) as refused:
        sharing.create(db, city.plat_staff, city.resident.id, data)
    assert refused.value.status == 409
    assert refused.value.reasons == [
        "納税課→ぷらっとホーム世田谷の『財産の状況』を認める有効な同意がありません",
        "保険料収納課→ぷらっとホーム世田谷の『滞納状況』を認める有効な同意がありません",
        "保険料収納課→ぷらっとホーム世田谷の『財産の状況』を認める有効な同意がありません",
    ]
    finish(db, ok=False)
    assert db.scalar(select(func.count()).select_from(SharingRequest)) == 0
    checks = db.scalars(
        select(AuditEvent.outcome).where(AuditEvent.action == "sharing_request.check")
    ).all()
    assert sorted(checks) == ["denied", "denied"]  # one per department asked, both kept


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"department_ids": [], "categories": ["arrears"]}, "department_ids"),
        ({"department_ids": ["x"], "categories": ["arrears"]}, "department_ids"),
        ({"department_ids": "own", "categories": ["arrears"]}, "department_ids"),
        ({"department_ids": "nozei", "categories": []}, "categories"),
        ({"department_ids": "nozei", "categories": ["salary"]}, "categories"),
    ],
)
def test_a_request_must_name_departments_and_categories(db, city, data, field):
    named = {"own": [city.plat.id], "nozei": [city.nozei.id]}
    ids = data["department_ids"]
    data = {**data, "department_ids": named[ids] if isinstance(ids, str) else ids}
    with pytest.raises(InvalidInput) as refused:
        sharing.create(db, city.plat_staff, city.resident.id, data)
    assert field in refused.value.fields


def test_an_outsider_cannot_ask_about_a_resident_it_does_not_see(db, city):
    data = {"department_ids": [city.nozei.id], "categories": ["arrears"]}
    with pytest.raises(NotFound):
        sharing.create(db, city.outsider, city.resident.id, data)
