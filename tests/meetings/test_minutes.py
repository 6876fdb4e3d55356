"""Minutes: recorded by the organiser after the start; each action item of another department
becomes a feedback request in its list (consent-checked); printed as PDF and Word; chased."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from meetkit import MONDAY
from printing.texts import docx_text, pdf_text
from sqlalchemy import select

from hub import jp
from hub.documents.consent import services as consents
from hub.documents.consent.gate import ConsentMissing
from hub.documents.render import meetings as render
from hub.errors import Conflict, Forbidden, InvalidInput
from hub.jp import TOKYO
from hub.mailbox import followups, read
from hub.mailbox.models import Delivery, DocumentKind, Notification
from hub.meetings import minutes, services
from hub.meetings.minutes import Action, MinutesInput
from hub.meetings.models import Meeting, Participant
from hub.scheduler import jobs

AFTER = datetime(2026, 12, 8, 11, 30, tzinfo=TOKYO)


@pytest.fixture
def held(db, met) -> Meeting:
    """A conference decided for Tuesday 8 December 10:00, with ぷらっとホーム."""
    meeting = services.propose(db, met.staff, met.case.id, met.proposal(), MONDAY)
    services.choose(db, met.staff, meeting.id, meeting.slots[0].id, MONDAY)
    db.commit()
    return meeting


def _input(met, **changes) -> MinutesInput:
    values = dict(
        attendees=["納税課 山田", "ぷらっとホーム世田谷 佐藤"],
        shared="滞納の経過と生活状況を共有した。",
        policy_pattern=2,
        claims=[("特別区民税", "payment_plan"), ("国民健康保険料", "grace")],
        actions=[
            Action("家計改善の支援を始め、結果を知らせる", met.plat.id, date(2026, 12, 22)),
            Action("分割納付の計画案を作る", met.nozei.id, date(2026, 12, 15)),
        ],
    )
    values.update(changes)
    return MinutesInput(**values)


def test_action_items_become_feedback_requests_in_the_owners_list(db, met, held):
    minutes.record(db, met.staff, held.id, _input(met), AFTER)
    db.commit()
    owed = followups.owed(db, met.plat_staff)
    assert len(owed) == 1 and owed[0].feedback_due == date(2026, 12, 22)
    assert "家計改善" in owed[0].message.body
    assert owed[0].message.id == held.actions[0].message_id
    assert held.actions[1].message_id is None  # the organiser's own item stays with it


def test_the_minutes_reach_the_departments_within_the_consent_through_the_mailbox(db, met, held):
    """ぷらっとホーム (the consent covers the agenda) receives the minutes' PDF as a share;
    介護保険課, added later without consent for it, receives nothing."""
    held.participants.append(Participant(department_id=met.kaigo.id))
    db.flush()
    recorded = minutes.record(db, met.staff, held.id, _input(met), AFTER)
    db.commit()
    assert len(recorded.message_ids) == 1
    view = read.open_message(db, met.plat_staff, recorded.message_ids[0])
    assert view.message.subject.endswith("の議事録")
    attachment = next(d for d in view.documents if d.kind == DocumentKind.ATTACHMENT)
    _doc, data = read.open_document(db, met.plat_staff, view.message.id, attachment.id)
    assert "家計改善" in pdf_text(data) and "納付計画" in pdf_text(data)
    kaigo_inbox = db.scalars(select(Delivery).where(Delivery.department_id == met.kaigo.id)).all()
    assert kaigo_inbox == []


def test_minutes_wait_for_the_start_and_the_organiser(db, met, held):
    with pytest.raises(Conflict):
        minutes.record(db, met.staff, held.id, _input(met), MONDAY)
    with pytest.raises(Forbidden):
        minutes.record(db, met.plat_staff, held.id, _input(met), AFTER)
    with pytest.raises(InvalidInput):
        minutes.record(db, met.staff, held.id, _input(met, attendees=[]), AFTER)
    with pytest.raises(InvalidInput):
        bad = [Action("x", met.kaigo.id, date(2026, 12, 22))]  # not at the table
        minutes.record(db, met.staff, held.id, _input(met, actions=bad), AFTER)


def test_an_action_item_the_consent_no_longer_covers_is_refused(db, met, held):
    consents.withdraw(
        db,
        met.staff,
        met.case.resident_id,
        met.consent_id,
        {"withdrawn_on": jp.today().isoformat(), "method": "written", "reason": "本人の申出"},
    )
    db.commit()
    with pytest.raises(ConsentMissing):
        minutes.record(db, met.staff, held.id, _input(met), AFTER)


def test_the_minutes_print_as_pdf_and_word(db, met, held):
    minutes.record(db, met.staff, held.id, _input(met), AFTER)
    data = minutes.data_for_print(held)
    text = pdf_text(render.render_minutes_pdf(data))
    assert "ケース会議" in text and "家計改善" in text and "納付計画" in text
    words = docx_text(render.render_minutes_docx(data))
    assert "生活再建の見込みあり" in words and "徴収猶予" in words


def test_the_job_chases_missing_minutes_once(db, met, held, job, clock):
    clock.set(datetime(2026, 12, 9, 12, 0, tzinfo=TOKYO))
    run = jobs.execute(jobs.get("meetings"), job(), trigger="test")
    assert run is not None and run.rows >= 1
    again = jobs.execute(jobs.get("meetings"), job(), trigger="test")
    assert again is not None and again.rows == 0
    db.expire_all()
    told = db.scalars(select(Notification.text).where(Notification.user_id == met.staff.id)).all()
    assert sum("議事録" in t for t in told) == 1
