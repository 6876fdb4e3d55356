"""Invitations through a real SMTP server (aiosmtpd on 127.0.0.1), read with icalendar's parser:
METHOD, ORGANIZER, ATTENDEE with RSVP, VALARM, VTIMEZONE, a stable UID; SEQUENCE on a move;
CANCEL on a cancel; reminders the opening day before and on the day; no resident's name."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from icalendar import Calendar
from meetkit import MONDAY
from sqlalchemy import func, select

from hub.errors import Conflict
from hub.jp import TOKYO
from hub.mailbox.models import OutboxAttachment, OutboxMail
from hub.meetings import services
from hub.meetings.models import Answer, Meeting, Participant
from hub.scheduler import jobs


def _run(db, job, name):
    """Run a job as the scheduler would (its own sessions); the test's session then forgets
    what it had loaded (sessions keep objects after a commit: expire_on_commit=False)."""
    run = jobs.execute(jobs.get(name), job(), trigger="test")
    assert run is not None and run.error == "", run.error
    db.expire_all()
    return run.rows


def _calendars(inbox):
    found = []
    for mail in inbox.mails:
        for part in mail.iter_attachments():
            if part.get_content_type() == "text/calendar":
                found.append((mail, Calendar.from_ical(part.get_content())))
    return found


def _event(cal):
    return next(iter(cal.walk("VEVENT")))


def _propose_and_answer(db, met):
    meeting = services.propose(db, met.staff, met.case.id, met.proposal(), MONDAY)
    ids = [s.id for s in meeting.slots]
    services.answer(
        db,
        met.plat_staff,
        meeting.id,
        dict(zip(ids, [Answer.NO, Answer.YES, Answer.MAYBE], strict=True)),
        MONDAY,
    )
    db.commit()
    return meeting.id


def test_the_job_picks_the_slot_and_the_invitation_arrives_with_a_calendar(
    db, met, job, smtp, clock
):
    _controller, inbox = smtp
    meeting_id = _propose_and_answer(db, met)
    assert _run(db, job, "meetings") == 1
    assert _run(db, job, "meetings") == 0  # nothing twice
    assert _run(db, job, "outbox") == 2
    received = _calendars(inbox)
    assert sorted(m["To"] for m, _c in received) == [
        "nozei@city.setagaya.example.jp",
        "plat@city.setagaya.example.jp",
    ]
    mail, cal = received[0]
    assert "ケース会議" in mail["Subject"]
    assert str(cal["METHOD"]) == "REQUEST"
    event = _event(cal)
    assert event.decoded("DTSTART") == datetime(2026, 12, 9, 10, 0, tzinfo=TOKYO)
    assert str(event["ORGANIZER"]) == "mailto:nozei@city.setagaya.example.jp"
    assert event["ORGANIZER"].params["CN"] == "納税課"
    attendees = event["ATTENDEE"]
    attendees = attendees if isinstance(attendees, list) else [attendees]
    assert [str(a) for a in attendees] == ["mailto:plat@city.setagaya.example.jp"]
    assert attendees[0].params["RSVP"] == "TRUE"
    assert list(event.walk("VALARM"))
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Tokyo"]
    assert int(event["SEQUENCE"]) == 0
    uid = str(event["UID"])
    # No resident's name anywhere in what left the hub.
    resident = met.case.resident
    for m in inbox.mails:
        text = m.as_string() + "".join(p.get_content() for p in m.iter_attachments())
        assert resident.name not in text and resident.kana not in text
        assert "生活再建" not in text  # the purpose stays in the hub

    # A move: the same UID, SEQUENCE 1.
    inbox.mails.clear()
    services.move(db, met.staff, meeting_id, datetime(2026, 12, 14, 14, 0, tzinfo=TOKYO), MONDAY)
    db.commit()
    _run(db, job, "outbox")
    moved = _event(_calendars(inbox)[0][1])
    assert str(moved["UID"]) == uid and int(moved["SEQUENCE"]) == 1
    assert moved.decoded("DTSTART") == datetime(2026, 12, 14, 14, 0, tzinfo=TOKYO)

    # A cancel: METHOD:CANCEL, the same UID, a higher SEQUENCE.
    inbox.mails.clear()
    services.cancel(db, met.staff, meeting_id, MONDAY)
    db.commit()
    _run(db, job, "outbox")
    _mail, cancelled = _calendars(inbox)[0]
    assert str(cancelled["METHOD"]) == "CANCEL"
    event = _event(cancelled)
    assert str(event["UID"]) == uid and int(event["SEQUENCE"]) == 2
    assert str(event["STATUS"]) == "CANCELLED"


def test_reminders_arrive_the_opening_day_before_and_on_the_day(db, met, job, smtp, clock):
    _controller, inbox = smtp
    _propose_and_answer(db, met)  # Wednesday 9th wins
    _run(db, job, "meetings")
    _run(db, job, "outbox")
    inbox.mails.clear()
    clock.set(datetime(2026, 12, 8, 8, 30, tzinfo=TOKYO))  # Tuesday: the opening day before
    assert _run(db, job, "meetings") == 1
    assert _run(db, job, "meetings") == 0
    clock.set(datetime(2026, 12, 9, 8, 30, tzinfo=TOKYO))
    assert _run(db, job, "meetings") == 1
    _run(db, job, "outbox")
    subjects = [m["Subject"] for m in inbox.mails]
    assert len(subjects) == 4 and all("お知らせ" in s for s in subjects)


def test_the_deadline_closes_a_poll_nobody_finished(db, met, job, smtp, clock):
    services.propose(db, met.staff, met.case.id, met.proposal(), MONDAY)
    db.commit()
    assert _run(db, job, "meetings") == 0
    clock.set(datetime(2026, 12, 8, 6, 0, tzinfo=TOKYO))  # the answer deadline
    # Only the organiser answered (○ everywhere): a tie of three → the organiser chooses.
    assert _run(db, job, "meetings") == 1
    assert _run(db, job, "outbox") == 0


def test_the_retention_job_deletes_old_mails_with_their_calendar(db, met, job, smtp, clock):
    _propose_and_answer(db, met)
    _run(db, job, "meetings")
    _run(db, job, "outbox")
    assert db.scalar(select(func.count()).select_from(OutboxAttachment)) == 2
    clock.set(MONDAY + timedelta(days=3 * 365))
    _run(db, job, "retention")
    assert db.scalar(select(func.count()).select_from(OutboxMail)) == 0
    assert db.scalar(select(func.count()).select_from(OutboxAttachment)) == 0


def test_a_department_taken_off_a_decided_meeting_gets_a_cancel_naming_it_alone(db, met, job, smtp):
    _controller, inbox = smtp
    meeting_id = _propose_and_answer(db, met)
    meeting = db.get(Meeting, meeting_id)
    # 介護保険課 sits at the table too (added before the consent question arose).
    meeting.participants.append(Participant(department_id=met.kaigo.id))
    services.choose(db, met.staff, meeting_id, meeting.slots[1].id, MONDAY)
    db.commit()
    _run(db, job, "outbox")
    inbox.mails.clear()

    services.remove_department(db, met.staff, meeting_id, met.kaigo.id, MONDAY)
    db.commit()
    assert _run(db, job, "outbox") == 3
    by_address = {m["To"]: c for m, c in _calendars(inbox)}
    removed = by_address.pop("kaigo@city.setagaya.example.jp")
    assert str(removed["METHOD"]) == "CANCEL"
    event = _event(removed)
    assert int(event["SEQUENCE"]) == 1
    assert str(event["ATTENDEE"]) == "mailto:kaigo@city.setagaya.example.jp"
    for cal in by_address.values():  # 納税課 and ぷらっとホーム: the update without 介護保険課
        assert str(cal["METHOD"]) == "REQUEST"
        updated = _event(cal)
        assert int(updated["SEQUENCE"]) == 1
        attendees = updated["ATTENDEE"]
        attendees = attendees if isinstance(attendees, list) else [attendees]
        assert [str(a) for a in attendees] == ["mailto:plat@city.setagaya.example.jp"]
    meeting = db.get(Meeting, meeting_id)
    assert met.kaigo.id not in meeting.department_ids
    # The last other department cannot be taken off: cancel the meeting instead.
    with pytest.raises(Conflict):
        services.remove_department(db, met.staff, meeting_id, met.plat.id, MONDAY)
