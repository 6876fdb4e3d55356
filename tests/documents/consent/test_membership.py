"""Joining a case: only the lead adds, only within the consent, all or nothing, in Japanese."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from helpers import counted
from hub import jp
from hub.db import finish
from hub.documents.consent import membership
from hub.documents.consent.gate import ConsentMissing
from hub.errors import HubError
from hub.models import AuditEvent, Case, CaseDepartment, CaseStatus


def _members(db, case_id: int) -> set[int]:
    db.expire_all()
    return set(
        db.scalars(select(CaseDepartment.department_id).where(CaseDepartment.case_id == case_id))
    )


def _refused(db, call, *args, **kwargs):
    """Run a refused join as a request would end: rolled back, refusals kept."""
    with pytest.raises(HubError) as refused:
        call(db, *args, **kwargs)
    finish(db, ok=False)
    return refused.value


@pytest.fixture
def lead_case(db, city, make_case):
    """A case of 納税課 with no other department on it."""
    return make_case(resident=city.resident, lead=city.nozei)


def test_joining_needs_a_consent_in_force_that_day(db, city, consents, grant, lead_case):
    before = _members(db, lead_case.id)
    error = _refused(db, membership.join, city.staff, lead_case.id, [city.plat.id])
    assert isinstance(error, ConsentMissing)
    assert "納税課→ぷらっとホーム世田谷の情報の提供を認める有効な同意がありません" in error.message
    assert "必要な同意: 納税課→ぷらっとホーム世田谷の情報の区分を1つ以上含む" in error.message
    assert _members(db, lead_case.id) == before
    denied = db.scalars(select(AuditEvent.action).where(AuditEvent.outcome == "denied")).all()
    assert "case.join_check" in denied
    # A consent withdrawn a minute ago covers nothing today; the refusal says why.
    withdrawn = consents.withdrawn([grant(city.nozei, city.plat, "arrears")])
    error = _refused(db, membership.join, city.staff, lead_case.id, [city.plat.id])
    assert f"同意書番号{withdrawn.id}は{jp.wareki(jp.today())}に撤回済み" in error.message
    assert _members(db, lead_case.id) == before


def test_a_consent_that_ends_today_lets_it_join_today(db, city, consents, grant, lead_case):
    # A consent must run until tomorrow when taken: let "today" be its last day.
    last_day = jp.today() + timedelta(days=1)
    consents.active([grant(city.nozei, city.plat, "arrears")], valid_until=last_day)
    membership.join(db, city.staff, lead_case.id, [city.plat.id], today=last_day)
    db.commit()
    assert city.plat.id in _members(db, lead_case.id)
    # The next day it would not have: the gate is asked for the day of the request.
    other = _refused(
        db,
        membership.join,
        city.staff,
        lead_case.id,
        [city.hokenryo.id],
        today=last_day + timedelta(days=1),
    )
    assert isinstance(other, ConsentMissing)


def test_twice_unknown_closed_and_not_the_lead_are_refused(db, city, consents, grant, lead_case):
    consents.active([grant(city.nozei, city.plat, "arrears")])
    membership.join(db, city.staff, lead_case.id, [city.plat.id])
    db.commit()
    before = _members(db, lead_case.id)
    twice = _refused(db, membership.join, city.staff, lead_case.id, [city.plat.id])
    assert twice.code == "already_involved" and "既にこのケースの関係所管です" in twice.message
    unknown = _refused(db, membership.join, city.staff, lead_case.id, [999_999])
    assert "存在しない、または無効な所管課" in unknown.fields["department_ids"]
    nothing = _refused(db, membership.join, city.staff, lead_case.id, [])
    assert "追加する所管課を選んでください" in nothing.fields["department_ids"]
    other_kind = _refused(db, membership.join, city.staff, lead_case.id, [city.admin.department_id])
    assert "公債権所管・支援所管ではない" in other_kind.fields["department_ids"]
    by_plat = _refused(db, membership.join, city.plat_staff, lead_case.id, [city.hokenryo.id])
    assert by_plat.code == "not_owner"
    case = db.get(Case, lead_case.id)
    case.status = CaseStatus.CLOSED
    db.commit()
    closed = _refused(db, membership.join, city.staff, lead_case.id, [city.hokenryo.id])
    assert closed.code == "case_closed" and "終了したケース" in closed.message
    assert _members(db, lead_case.id) == before


def test_one_department_outside_the_consent_adds_none(db, city, consents, grant, lead_case):
    consents.active([grant(city.nozei, city.plat, "arrears")])
    before = _members(db, lead_case.id)
    error = _refused(
        db, membership.join, city.staff, lead_case.id, [city.plat.id, city.hokenryo.id]
    )
    assert isinstance(error, ConsentMissing) and "保険料収納課" in error.message
    assert "ぷらっとホーム世田谷の情報の提供" not in error.message
    assert _members(db, lead_case.id) == before


def test_the_join_options_weigh_every_department_in_one_statement(
    db, city, consents, grant, lead_case
):
    """The case page's form: each department not on the case, allowed or with the consent it
    would need — the gate asked once for all of them, not once per department."""
    consents.active([grant(city.nozei, city.plat, "arrears")])
    withdrawn = consents.withdrawn([grant(city.nozei, city.hokenryo, "arrears")])
    db.expire_all()
    lead_case = db.get(Case, lead_case.id)
    assert lead_case.department_ids and lead_case.lead_department  # loaded before counting
    with counted(db) as selects:
        found = {o.department.id: o for o in membership.options(db, city.staff, lead_case)}
    assert len(selects) == 2, selects  # the departments, then the grants to all of them
    assert city.nozei.id not in found
    assert found[city.plat.id].allowed and found[city.plat.id].reason == ""
    refused = found[city.hokenryo.id]
    assert not refused.allowed
    assert f"同意書番号{withdrawn.id}は{jp.wareki(jp.today())}に撤回済み" in refused.reason
    assert refused.reason.startswith(
        "納税課→保険料収納課の情報の提供を認める有効な同意がありません"
    )
    assert not found[city.kaigo.id].allowed
