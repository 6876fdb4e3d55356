"""The conference rules, service by service: the guard, answers, the pick, moves, withdrawal."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from meetkit import MONDAY, confirm_criteria
from sqlalchemy import select

from hub import jp
from hub.documents.consent import services as consents
from hub.documents.consent.gate import ConsentMissing
from hub.errors import Forbidden, InvalidInput, NotFound
from hub.jp import TOKYO
from hub.mailbox.models import Notification, OutboxMail
from hub.meetings import access, queries, services, slots
from hub.meetings.guard import CriteriaNotMet
from hub.meetings.models import Answer, Meeting, MeetingStatus
from hub.models import Role

YES, MAYBE, NO = Answer.YES, Answer.MAYBE, Answer.NO


def answer(db, user, meeting, values):
    services.answer(
        db, user, meeting.id, dict(zip([s.id for s in meeting.slots], values, strict=True)), MONDAY
    )


def test_a_case_without_a_confirmed_judgement_is_refused_with_the_reason(db, world):
    with pytest.raises(CriteriaNotMet) as refused:
        services.propose(db, world.staff, world.case.id, world.proposal(), MONDAY)
    assert "共通目安" in refused.value.message
    db.rollback()
    assert db.scalar(select(Meeting)) is None


def test_a_department_the_consent_does_not_cover_is_refused_by_name_and_category(db, met):
    proposal = met.proposal(departments=[met.plat, met.kaigo])
    with pytest.raises(ConsentMissing) as refused:
        services.propose(db, met.staff, met.case.id, proposal, MONDAY)
    text = refused.value.message
    assert "介護保険課" in text and "滞納状況" in text and "ぷらっとホーム" not in text


def test_an_agenda_wider_than_the_consent_is_refused(db, met):
    proposal = met.proposal(agenda=["arrears", "assets"])
    with pytest.raises(ConsentMissing) as refused:
        services.propose(db, met.staff, met.case.id, proposal, MONDAY)
    assert "財産の状況" in refused.value.message


def test_only_the_lead_department_proposes(db, met):
    with pytest.raises(Forbidden):
        services.propose(
            db, met.plat_staff, met.case.id, met.proposal(departments=[met.nozei]), MONDAY
        )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"days": (8, 9)}, "slots"),  # fewer than 3
        ({"days": (8, 9, 12)}, "slots"),  # 12 December is a Saturday
        ({"deadline_hours": 30 * 24}, "answer_deadline"),  # after the first slot
        ({"agenda": []}, "agenda"),
    ],
)
def test_slots_and_deadline_are_checked(db, met, changes, field):
    with pytest.raises(InvalidInput) as refused:
        services.propose(db, met.staff, met.case.id, met.proposal(**changes), MONDAY)
    assert field in refused.value.fields


def test_a_department_added_later_is_checked_the_same_way(db, met):
    meeting = services.propose(db, met.staff, met.case.id, met.proposal(), MONDAY)
    with pytest.raises(ConsentMissing):
        services.add_department(db, met.staff, meeting.id, met.kaigo.id, MONDAY)


def test_every_answer_in_closes_the_poll_with_most_yes_then_fewest_no(db, met, make_user):
    meeting = services.propose(db, met.staff, met.case.id, met.proposal(), MONDAY)
    assert not services.is_due(meeting, MONDAY)
    # The organiser said ○ to all three; ぷらっとホーム: ×, △, ○ → the third slot wins.
    answer(db, met.plat_staff, meeting, [NO, MAYBE, YES])
    assert services.is_due(meeting, MONDAY)
    assert services.close_poll(db, meeting, MONDAY) == MeetingStatus.SCHEDULED
    assert meeting.starts_at == datetime(2026, 12, 10, 10, 0, tzinfo=TOKYO)
    assert {r.offset_days for r in meeting.reminders} == {-1, 0}
    mails = db.scalars(select(OutboxMail)).all()
    assert {m.to_address.split("@")[0] for m in mails} == {"nozei", "plat"}
    assert all(m.attachments[0].content_type == "text/calendar; method=REQUEST" for m in mails)


def test_a_tie_asks_the_organiser_to_choose(db, met):
    meeting = services.propose(db, met.staff, met.case.id, met.proposal(), MONDAY)
    answer(db, met.plat_staff, meeting, [YES, YES, NO])
    assert services.close_poll(db, meeting, MONDAY) == MeetingStatus.CHOOSING
    told = db.scalars(select(Notification).where(Notification.user_id == met.staff.id)).all()
    assert any("同数" in n.text for n in told)
    assert db.scalar(select(OutboxMail)) is None
    second = meeting.slots[1]
    services.choose(db, met.staff, meeting.id, second.id, MONDAY)
    assert meeting.status == MeetingStatus.SCHEDULED and meeting.starts_at == second.starts_at


def test_slots_are_picked_earliest_first_between_equal_slots_only_on_a_tie(db, met):
    meeting = services.propose(db, met.staff, met.case.id, met.proposal(), MONDAY)
    answer(db, met.plat_staff, meeting, [MAYBE, YES, MAYBE])
    winner, tied = slots.pick(meeting.slots)
    assert winner is meeting.slots[1] and tied == []


def test_a_move_raises_the_sequence_and_moves_the_reminders(db, met):
    meeting = services.propose(db, met.staff, met.case.id, met.proposal(), MONDAY)
    services.choose(db, met.staff, meeting.id, meeting.slots[0].id, MONDAY)
    assert meeting.sequence == 0
    before = {r.offset_days: r.due_at for r in meeting.reminders}
    # Tuesday 8 → Monday 14 December: the day before is Friday 11 (opening days).
    services.move(db, met.staff, meeting.id, datetime(2026, 12, 14, 14, 0, tzinfo=TOKYO), MONDAY)
    assert meeting.sequence == 1
    after = {r.offset_days: r.due_at for r in meeting.reminders}
    assert after != before
    assert after[-1] == datetime(2026, 12, 11, 8, 30, tzinfo=TOKYO)
    assert after[0] == datetime(2026, 12, 14, 8, 30, tzinfo=TOKYO)


def test_a_move_outside_opening_hours_is_refused(db, met):
    meeting = services.propose(db, met.staff, met.case.id, met.proposal(), MONDAY)
    services.choose(db, met.staff, meeting.id, meeting.slots[0].id, MONDAY)
    with pytest.raises(InvalidInput):
        services.move(
            db, met.staff, meeting.id, datetime(2026, 12, 14, 19, 0, tzinfo=TOKYO), MONDAY
        )


def test_only_the_organiser_moves_or_cancels(db, met):
    meeting = services.propose(db, met.staff, met.case.id, met.proposal(), MONDAY)
    with pytest.raises(Forbidden):
        services.cancel(db, met.plat_staff, meeting.id, MONDAY)
    with pytest.raises(NotFound):
        services.cancel(db, met.kaigo_staff, meeting.id, MONDAY)


def test_a_withdrawal_before_the_meeting_cuts_the_content_and_tells_the_organiser(db, met):
    meeting = services.propose(db, met.staff, met.case.id, met.proposal(), MONDAY)
    services.choose(db, met.staff, meeting.id, meeting.slots[0].id, MONDAY)
    db.commit()
    assert access.sees_content(db, met.plat_staff, meeting)
    consents.withdraw(
        db,
        met.staff,
        met.case.resident_id,
        met.consent_id,
        {"withdrawn_on": jp.today().isoformat(), "method": "written", "reason": "本人の申出"},
    )
    db.commit()
    assert not access.sees_content(db, met.plat_staff, meeting)
    assert access.sees_content(db, met.staff, meeting)  # the organiser keeps its own record
    told = db.scalars(select(Notification).where(Notification.user_id == met.staff.id)).all()
    assert any("ぷらっとホーム世田谷はケース会議" in n.text for n in told)
    # The meeting itself (date and place) stays on ぷらっとホーム's calendar.
    assert access.get_meeting(db, met.plat_staff, meeting.id, "meeting.view") is meeting


def test_suggested_slots_are_in_opening_hours_and_avoid_other_meetings(db, met):
    meeting = services.propose(db, met.staff, met.case.id, met.proposal(), MONDAY)
    services.choose(db, met.staff, meeting.id, meeting.slots[0].id, MONDAY)  # Tue 8th 10:00
    found = slots.suggest(db, [met.plat.id], timedelta(minutes=60), MONDAY, count=4)
    assert found[0] == (
        datetime(2026, 12, 8, 11, 0, tzinfo=TOKYO),
        datetime(2026, 12, 8, 12, 0, tzinfo=TOKYO),
    )
    for start, end in found:
        assert (
            slots.within_hours(start, end, *__import__("hub.workdays").workdays.hours(db)) is None
        )
    assert len(found) == 4


def test_criteria_confirmed_later_lets_the_same_proposal_through(db, world):
    with pytest.raises(CriteriaNotMet):
        services.propose(db, world.staff, world.case.id, world.proposal(), MONDAY)
    db.rollback()
    confirm_criteria(db, world)
    assert services.propose(db, world.staff, world.case.id, world.proposal(), MONDAY).id


def test_each_department_names_its_own_people(db, met, make_user):
    meeting = services.propose(db, met.staff, met.case.id, met.proposal(), MONDAY)
    colleague = make_user(Role.STAFF, met.plat, "plat02")
    services.set_people(db, met.plat_staff, meeting.id, [met.plat_staff.id, colleague.id])
    services.set_people(db, met.staff, meeting.id, [met.staff.id])
    db.commit()
    named = {(p.department_id, p.user_id) for p in db.get(Meeting, meeting.id).people}
    assert named == {
        (met.plat.id, met.plat_staff.id),
        (met.plat.id, colleague.id),
        (met.nozei.id, met.staff.id),
    }
    # Only the department's own staff; naming again replaces only its own names.
    with pytest.raises(InvalidInput):
        services.set_people(db, met.plat_staff, meeting.id, [met.staff.id])
    db.rollback()
    services.set_people(db, met.plat_staff, meeting.id, [])
    db.commit()
    assert [p.user_id for p in db.get(Meeting, meeting.id).people] == [met.staff.id]
    with pytest.raises(NotFound):  # 介護保険課 is not at the table
        services.set_people(db, met.kaigo_staff, meeting.id, [met.kaigo_staff.id])


def test_the_menu_count_of_owed_answers_agrees_with_the_list_through_a_poll(db, met):
    """The menu badge counts with one statement what the meetings page lists."""

    def agrees() -> list[int]:
        counts = []
        for user in (met.staff, met.plat_staff, met.kaigo_staff):
            owed = len(queries.owed(db, user))
            assert queries.owed_count(db, user) == owed, user.login_id
            counts.append(owed)
        return counts

    assert agrees() == [0, 0, 0]
    meeting = services.propose(db, met.staff, met.case.id, met.proposal(), MONDAY)
    db.commit()
    # The organiser answered ○ when proposing; 介護保険課 is not invited.
    assert agrees() == [0, 1, 0]
    answer(db, met.plat_staff, meeting, [NO, MAYBE, YES])
    db.commit()
    assert agrees() == [0, 0, 0]
