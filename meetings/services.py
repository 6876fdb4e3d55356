"""Case conferences: propose, add a department, answer, decide, move and cancel.

Services take the acting user, check permissions and the guard themselves, write the audit
event and flush; the request or job commits. Only the organiser (the case's lead department)
changes a conference; each department answers for itself.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import audit, workdays
from hub.cases.services import get_visible, require_lead
from hub.documents.categories import InformationCategory
from hub.errors import Conflict, Forbidden, InvalidInput
from hub.jp import TOKYO
from hub.mailbox import notify
from hub.mailbox.models import NotificationKind
from hub.meetings import guard, invitations, slots
from hub.meetings.access import get_meeting
from hub.meetings.models import (
    Answer,
    Meeting,
    MeetingKind,
    MeetingPerson,
    MeetingStatus,
    Participant,
    Reminder,
    Slot,
    SlotAnswer,
)
from hub.models import Department, User

MIN_SLOTS, MAX_SLOTS = 3, 10
#: Reminders: the opening day before and the day itself (offsets in opening days).
REMINDER_OFFSETS = (-1, 0)
ORGANISER_ONLY = "ケース会議の変更は主催課（{dept}）だけが行えます。"


@dataclass
class Proposal:
    department_ids: list[int]
    agenda: list[str]
    starts: list[datetime]
    answer_deadline: datetime
    purpose: str = ""
    duration_minutes: int = 60
    place: str = ""
    online_url: str = ""
    errors: dict[str, str] = field(default_factory=dict)


def _check(session: Session, proposal: Proposal, now: datetime, organiser_id: int) -> None:
    errors = dict(proposal.errors)
    others = [d for d in dict.fromkeys(proposal.department_ids) if d != organiser_id]
    if not others:
        errors.setdefault("department_ids", "参加する所管課を1つ以上選んでください。")
    elif len(session.query(Department).filter(Department.id.in_(others)).all()) != len(others):
        errors.setdefault("department_ids", "存在しない所管課が含まれています。")
    if not proposal.agenda:
        errors.setdefault("agenda", "議題（扱う情報の区分）を1つ以上選んでください。")
    if not 15 <= proposal.duration_minutes <= 240:
        errors.setdefault("duration_minutes", "所要時間は15〜240分で指定してください。")
    starts = sorted(set(proposal.starts))
    if not MIN_SLOTS <= len(starts) <= MAX_SLOTS:
        errors.setdefault("slots", f"候補日時は{MIN_SLOTS}〜{MAX_SLOTS}件指定してください。")
    opens, closes = workdays.hours(session)
    length = timedelta(minutes=proposal.duration_minutes)
    for start in starts:
        why = slots.within_hours(start, start + length, opens, closes)
        if start <= now:
            why = "過去の日時です"
        if why:
            local = start.astimezone(TOKYO)
            errors.setdefault("slots", f"候補 {local:%Y-%m-%d %H:%M}：{why}。")
            break
    if proposal.answer_deadline <= now:
        errors.setdefault("answer_deadline", "回答期限は現在より後にしてください。")
    elif starts and proposal.answer_deadline >= starts[0]:
        errors.setdefault("answer_deadline", "回答期限は最初の候補日時より前にしてください。")
    if errors:
        raise InvalidInput(fields=errors)
    proposal.department_ids = others
    proposal.starts = starts


def propose(
    session: Session, user: User, case_id: int, proposal: Proposal, now: datetime
) -> Meeting:
    """Propose a conference on a case of the user's lead department, behind the guard."""
    case = get_visible(session, user, case_id, action="meeting.propose")
    require_lead(session, user, case, "meeting.propose", "ケース会議の提案")
    _check(session, proposal, now, case.lead_department_id)
    guard.require_criteria(session, case)
    guard.require_consent(
        session, user, case, proposal.department_ids, proposal.agenda, now.astimezone(TOKYO).date()
    )
    length = timedelta(minutes=proposal.duration_minutes)
    meeting = Meeting(
        kind=MeetingKind.CONFERENCE,
        case=case,
        case_id=case.id,
        organiser_department_id=case.lead_department_id,
        created_by_id=user.id,
        purpose=proposal.purpose,
        agenda=[c.value for c in InformationCategory if c.value in set(proposal.agenda)],
        place=proposal.place,
        online_url=proposal.online_url,
        duration_minutes=proposal.duration_minutes,
        answer_deadline=proposal.answer_deadline,
        uid=f"meeting-{secrets.token_hex(12)}@tsunagu-hub",
    )
    meeting.participants.append(
        Participant(department_id=case.lead_department_id, is_organiser=True)
    )
    for dept_id in proposal.department_ids:
        meeting.participants.append(Participant(department_id=dept_id))
    for start in proposal.starts:
        slot = Slot(starts_at=start, ends_at=start + length)
        # The organiser proposed these times: it can attend them (it may change that).
        slot.answers.append(
            SlotAnswer(
                department_id=case.lead_department_id, answer=Answer.YES, answered_by_id=user.id
            )
        )
        meeting.slots.append(slot)
    session.add(meeting)
    session.flush()
    audit.record(session, user, "meeting.propose", meeting, reason=f"case {case.id}")
    return meeting


def require_organiser(session: Session, user: User, meeting_id: int, action: str) -> Meeting:
    meeting = get_meeting(session, user, meeting_id, action)
    if user.department_id != meeting.organiser_department_id:
        raise audit.refuse(
            session,
            user,
            action,
            Forbidden(ORGANISER_ONLY.format(dept=meeting.organiser.name), code="not_organiser"),
            meeting,
            reason="not the organiser",
        )
    if meeting.status == MeetingStatus.CANCELLED:
        raise Conflict("このケース会議は中止されています。", code="meeting_cancelled")
    return meeting


def add_department(
    session: Session, user: User, meeting_id: int, department_id: int, now: datetime
) -> Meeting:
    """Add a department to a conference: the same consent check as at the proposal."""
    meeting = require_organiser(session, user, meeting_id, "meeting.add_department")
    if department_id in meeting.department_ids:
        raise Conflict("この所管課は既に参加しています。", code="already_participating")
    if session.get(Department, department_id) is None:
        raise InvalidInput(fields={"department_id": "存在しない所管課です。"})
    if meeting.case is not None:
        guard.require_consent(
            session,
            user,
            meeting.case,
            [department_id],
            meeting.agenda,
            now.astimezone(TOKYO).date(),
        )
    meeting.participants.append(Participant(department_id=department_id))
    session.flush()
    audit.record(session, user, "meeting.add_department", meeting, reason=f"dept {department_id}")
    if meeting.status == MeetingStatus.SCHEDULED:
        invitations.send(session, meeting, "invite", now)
    return meeting


def remove_department(
    session: Session, user: User, meeting_id: int, department_id: int, now: datetime
) -> Meeting:
    """Take a department off the table: its answers go; once decided, it gets a CANCEL naming
    it alone and the others the updated event (SEQUENCE+1)."""
    meeting = require_organiser(session, user, meeting_id, "meeting.remove_department")
    leaving = next(
        (
            p
            for p in meeting.participants
            if p.department_id == department_id and not p.is_organiser
        ),
        None,
    )
    if leaving is None:
        raise InvalidInput(
            fields={"department_id": "この会議の参加課（主催課以外）を選んでください。"}
        )
    if len(meeting.participants) <= 2:
        raise Conflict(
            "参加課が主催課だけになるため外せません。会議をやめる場合は中止してください。",
            code="last_participant",
        )
    department = leaving.department
    meeting.participants.remove(leaving)
    for slot in meeting.slots:
        slot.answers = [a for a in slot.answers if a.department_id != department_id]
    session.flush()
    if meeting.status == MeetingStatus.SCHEDULED:
        meeting.sequence += 1
        invitations.send(session, meeting, "remove", now, only=department)
        invitations.send(session, meeting, "update", now)
    else:
        notify.departments(
            session,
            [department_id],
            NotificationKind.MEETING,
            None,
            text=invitations.LEADS["remove"].format(title=meeting.title)[:200],
            link_path="/meetings",
        )
    audit.record(
        session, user, "meeting.remove_department", meeting, reason=f"dept {department_id}"
    )
    return meeting


def set_people(session: Session, user: User, meeting_id: int, user_ids: list[int]) -> Meeting:
    """The user's department names who will come from it (replacing its earlier names)."""
    meeting = get_meeting(session, user, meeting_id, "meeting.people")
    if meeting.status == MeetingStatus.CANCELLED:
        raise Conflict("中止された会議です。", code="meeting_cancelled")
    chosen = list(dict.fromkeys(user_ids))
    found = session.scalars(
        select(User).where(
            User.id.in_(chosen), User.is_active, User.department_id == user.department_id
        )
    ).all()
    if len(found) != len(chosen):
        raise InvalidInput(fields={"user_ids": "自所管課の職員から選んでください。"})
    dept = user.department_id
    meeting.people = [p for p in meeting.people if p.department_id != dept] + [
        MeetingPerson(user_id=u.id, department_id=dept) for u in found
    ]
    session.flush()
    audit.record(session, user, "meeting.people", meeting, reason=f"{len(found)} people")
    return meeting


def answer(
    session: Session, user: User, meeting_id: int, answers: dict[int, Answer], now: datetime
) -> Meeting:
    """Record the user's department's ○/△/× for the slots (every slot must be answered)."""
    meeting = get_meeting(session, user, meeting_id, "meeting.answer")
    if meeting.status != MeetingStatus.POLLING:
        raise Conflict("日程調整は終了しています。", code="poll_closed")
    by_id = {s.id: s for s in meeting.slots}
    if set(answers) != set(by_id):
        raise InvalidInput(fields={"answers": "すべての候補日時に ○・△・× で回答してください。"})
    dept = user.department_id
    for slot_id, value in answers.items():
        slot = by_id[slot_id]
        mine = next((a for a in slot.answers if a.department_id == dept), None)
        if mine is None:
            slot.answers.append(
                SlotAnswer(
                    department_id=dept, answer=value, answered_by_id=user.id, answered_at=now
                )
            )
        else:
            mine.answer, mine.answered_by_id, mine.answered_at = value, user.id, now
    session.flush()
    audit.record(session, user, "meeting.answer", meeting)
    return meeting


def answered_departments(meeting: Meeting) -> set[int]:
    """Departments that answered every slot."""
    per_slot = [{a.department_id for a in s.answers} for s in meeting.slots]
    return set.intersection(*per_slot) if per_slot else set()


def owes_answer(meeting: Meeting, department_id: int | None) -> bool:
    return (
        meeting.status == MeetingStatus.POLLING
        and department_id in meeting.department_ids
        and department_id not in answered_departments(meeting)
    )


def is_due(meeting: Meeting, now: datetime) -> bool:
    """A poll closes at its deadline, or as soon as every department has answered."""
    return meeting.status == MeetingStatus.POLLING and (
        meeting.answer_deadline <= now
        or answered_departments(meeting) >= set(meeting.department_ids)
    )


def close_poll(session: Session, meeting: Meeting, now: datetime) -> MeetingStatus:
    """Pick the slot, or hand a tie to the organiser; return the new status."""
    winner, tied = slots.pick(meeting.slots)
    if winner is None:
        meeting.status = MeetingStatus.CHOOSING
        invitations.notify_organiser_to_choose(session, meeting, len(tied))
    else:
        _schedule(session, meeting, winner.starts_at, winner.ends_at, now)
        invitations.send(session, meeting, "invite", now)
    audit.record(session, None, "meeting.poll_closed", meeting, reason=meeting.status.value)
    return meeting.status


def choose(session: Session, user: User, meeting_id: int, slot_id: int, now: datetime) -> Meeting:
    """The organiser decides the slot (after a tie, or before the deadline)."""
    meeting = require_organiser(session, user, meeting_id, "meeting.choose")
    if meeting.status not in (MeetingStatus.POLLING, MeetingStatus.CHOOSING):
        raise Conflict("日程は既に決まっています。変更は「日時の変更」から行ってください。")
    slot = next((s for s in meeting.slots if s.id == slot_id), None)
    if slot is None:
        raise InvalidInput(fields={"slot_id": "このケース会議の候補日時を選んでください。"})
    _schedule(session, meeting, slot.starts_at, slot.ends_at, now)
    invitations.send(session, meeting, "invite", now)
    audit.record(session, user, "meeting.choose", meeting, reason=f"slot {slot.id}")
    return meeting


def move(
    session: Session, user: User, meeting_id: int, starts_at: datetime, now: datetime
) -> Meeting:
    """Move a decided conference: SEQUENCE+1, reminders recomputed, everyone told."""
    meeting = require_organiser(session, user, meeting_id, "meeting.move")
    if meeting.status != MeetingStatus.SCHEDULED:
        raise Conflict("日程が決まってから変更できます。", code="not_scheduled")
    opens, closes = workdays.hours(session)
    ends_at = starts_at + timedelta(minutes=meeting.duration_minutes)
    why = (
        "過去の日時です"
        if starts_at <= now
        else slots.within_hours(starts_at, ends_at, opens, closes)
    )
    if why:
        raise InvalidInput(fields={"starts_at": f"{why}。"})
    meeting.sequence += 1
    _schedule(session, meeting, starts_at, ends_at, now)
    invitations.send(session, meeting, "move", now)
    audit.record(session, user, "meeting.move", meeting, reason=f"sequence {meeting.sequence}")
    return meeting


def cancel(session: Session, user: User, meeting_id: int, now: datetime) -> Meeting:
    """Cancel a conference; a decided one sends METHOD:CANCEL to everyone."""
    meeting = require_organiser(session, user, meeting_id, "meeting.cancel")
    was_scheduled = meeting.status == MeetingStatus.SCHEDULED
    meeting.status = MeetingStatus.CANCELLED
    if was_scheduled:
        meeting.sequence += 1
        invitations.send(session, meeting, "cancel", now)
        meeting.cancel_sent_at = now
    else:
        invitations.tell_poll_cancelled(session, meeting)
    audit.record(session, user, "meeting.cancel", meeting)
    return meeting


def _schedule(
    session: Session, meeting: Meeting, starts_at: datetime, ends_at: datetime, now: datetime
) -> None:
    """Set the time and (re)compute the reminders; one already due now is skipped: the
    invitation (or the move's notice) going out now says the same."""
    meeting.status = MeetingStatus.SCHEDULED
    meeting.starts_at, meeting.ends_at = starts_at, ends_at
    opens, _closes = workdays.hours(session)
    day = starts_at.astimezone(TOKYO).date()
    existing = {r.offset_days: r for r in meeting.reminders}
    for offset in REMINDER_OFFSETS:
        due = reminder_due(day, offset, opens)
        reminder = existing.get(offset)
        skipped = now if due <= now else None
        if reminder is None:
            meeting.reminders.append(Reminder(offset_days=offset, due_at=due, sent_at=skipped))
        else:
            reminder.due_at, reminder.sent_at = due, skipped
    session.flush()


def reminder_due(day: date, offset: int, opens: time) -> datetime:
    """Opening time of the day ``offset`` opening days from the meeting's day."""
    target = workdays.add(day, offset) if offset else day
    return datetime.combine(target, opens, TOKYO)


def parse_answers(raw: Sequence[tuple[int, str]]) -> dict[int, Answer]:
    """Slot ids and answer words from a form or the API, checked."""
    try:
        return {slot_id: Answer(value) for slot_id, value in raw}
    except ValueError:
        raise InvalidInput(fields={"answers": "回答は ○・△・× から選んでください。"}) from None
