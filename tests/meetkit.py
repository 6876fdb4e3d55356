"""Meetings fixtures (imported by tests/meetings/conftest.py): a case of 納税課 that meets
the criteria, a consent that covers ぷらっとホーム for the agenda (not 介護保険課), a clock the
test moves, a real SMTP server."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from mailkit import household, make_claims

from helpers import with_config
from hub.clock import FixedClock
from hub.documents.hearing import judgements
from hub.documents.hearing import services as hearing
from hub.jp import TOKYO
from hub.meetings.services import Proposal
from hub.models import Case, Department, DepartmentKind, Role, User
from hub.scheduler.context import JobContext
from hub.storage import Storage, bind

#: Monday 7 December 2026, 10:00 in Tokyo: an opening day, within opening hours.
MONDAY = datetime(2026, 12, 7, 10, 0, tzinfo=TOKYO)
AGENDA = ["arrears", "life_situation"]


@dataclass
class World:
    nozei: Department
    plat: Department
    kaigo: Department
    staff: User
    plat_staff: User
    kaigo_staff: User
    case: Case
    consent_id: int

    def proposal(self, *, departments=None, days=(8, 9, 10), deadline_hours=20, **changes):
        """A valid proposal: slots at 10:00 on the given December days, deadline tomorrow."""
        starts = [datetime(2026, 12, d, 10, 0, tzinfo=TOKYO) for d in days]
        values = dict(
            department_ids=[d.id for d in (departments or [self.plat])],
            agenda=list(AGENDA),
            starts=starts,
            answer_deadline=MONDAY + timedelta(hours=deadline_hours),
            purpose="生活再建に向けた支援方針の確認",
            place="第3会議室",
        )
        values.update(changes)
        return Proposal(**values)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(MONDAY)


@pytest.fixture
def world(db, config, make_department, make_user, make_resident, make_case, active_consent):
    bind(db, Storage.from_config(config))
    nozei = make_department(name="納税課", code="nozei")
    plat = make_department(name="ぷらっとホーム世田谷", kind=DepartmentKind.SUPPORT, code="plat")
    kaigo = make_department(name="介護保険課", code="kaigo")
    for dept in (nozei, plat, kaigo):
        dept.contact_email = f"{dept.code}@city.setagaya.example.jp"
    staff = make_user(Role.STAFF, nozei, "nozei01")
    plat_staff = make_user(Role.STAFF, plat, "plat01")
    kaigo_staff = make_user(Role.STAFF, kaigo, "kaigo01")
    resident = make_resident("世田谷 花子", "セタガヤ ハナコ", department=nozei)
    case = make_case(resident=resident, lead=nozei, departments=[plat, kaigo])
    claims = make_claims(db, nozei)
    hearing.save(db, staff, case.id, household(claims))
    db.commit()
    consent = active_consent(resident, nozei, [(nozei, plat, AGENDA)])
    return World(nozei, plat, kaigo, staff, plat_staff, kaigo_staff, case, consent.id)


def confirm_criteria(db, world: World) -> None:
    judgements.judge(
        db, world.staff, world.case.id, 1, {"6": {"decision": "met", "reason": "確認"}}
    )
    db.commit()


@pytest.fixture
def met(db, world) -> World:
    """The world with a confirmed 該当 judgement."""
    confirm_criteria(db, world)
    return world


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Inbox:
    mails: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        self.mails.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def job(db, database, config, clock, smtp):
    """``job()``: a job context on the test database, clock and SMTP server."""

    def make(dry_run: bool = False) -> JobContext:
        db.commit()
        controller, _inbox = smtp
        cfg = with_config(
            config,
            smtp_host="127.0.0.1",
            smtp_port=controller.port,
            smtp_timeout=5,
            mail_from="tsunagu@city.setagaya.example.jp",
            base_url="https://hub.city.example.jp",
        )
        return JobContext(database, cfg, clock, Storage.from_config(config), dry_run=dry_run)

    return make
