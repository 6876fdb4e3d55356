"""Hearing-sheet fixtures: claim types, a case with a partner and an outsider, households."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from hub import jp
from hub.documents.hearing.plan import ClaimInfo
from hub.models import Case, ClaimType, Department, DepartmentKind, Role, User

from .households import TODAY, household


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    """Pretend it is 2026-11-22 (令和8年): plan start months and limitation warnings depend
    on the day."""
    monkeypatch.setattr(jp, "today", lambda: TODAY)


@dataclass
class World:
    lead: Department
    partner: Department
    other: Department
    staff: User
    manager: User
    partner_staff: User
    outsider: User
    admin: User
    case: Case
    #: claim code → ClaimType (区民税 5年, 国保料 2年, 介護保険料 2年)
    claims: dict[str, ClaimType]


@pytest.fixture
def world(db, make_department, make_user, make_resident, make_case) -> World:
    lead = make_department("納税課", code="nozei")
    partner = make_department("ぷらっとホーム世田谷", kind=DepartmentKind.SUPPORT, code="plat")
    other = make_department("介護保険課", code="kaigo")
    home = make_department("財政課", kind=DepartmentKind.OTHER, code="zaisei")
    claims = {}
    for order, (code, name, years) in enumerate(
        [
            ("kuminzei", "特別区民税・都民税", 5),
            ("kokuho", "国民健康保険料", 2),
            ("kaigo", "介護保険料", 2),
        ]
    ):
        claims[code] = ClaimType(
            code=code, name=name, department=lead, limitation_years=years, sort_order=order
        )
        db.add(claims[code])
    db.commit()
    resident = make_resident("山田 太郎", "ヤマダ タロウ", department=lead, atena_no="0001000001")
    case = make_case(resident=resident, lead=lead, departments=[partner])
    return World(
        lead=lead,
        partner=partner,
        other=other,
        staff=make_user(department=lead, login_id="nozei01"),
        manager=make_user(Role.MANAGER, department=lead, login_id="nozei-mgr"),
        partner_staff=make_user(department=partner, login_id="plat01"),
        outsider=make_user(department=other, login_id="kaigo01"),
        admin=make_user(Role.ADMIN, department=home, login_id="admin"),
        case=case,
        claims=claims,
    )


@pytest.fixture
def infos(world) -> dict[int, ClaimInfo]:
    return {c.id: ClaimInfo(c.id, c.name, c.limitation_years) for c in world.claims.values()}


@pytest.fixture
def sheet_of(world) -> Callable[..., dict[str, Any]]:
    """Return the 山田 household with the world's claim ids, changed by ``section__field=``."""
    return lambda **changes: household(world.claims, **changes)
