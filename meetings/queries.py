"""Lists of a department's meetings: the calendar's range, the case's, the answers owed."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import bindparam, exists, func, not_, or_, select
from sqlalchemy.orm import Session

from hub import audit
from hub.cases.services import get_visible
from hub.jp import TOKYO
from hub.meetings.access import visible_meetings
from hub.meetings.models import Meeting, MeetingStatus, Participant, Slot, SlotAnswer
from hub.meetings.services import owes_answer
from hub.models import User
from hub.residents.services import require_case_worker


def of_department(session: Session, user: User) -> list[Meeting]:
    """Every meeting of the user's department that is not cancelled, newest first."""
    require_case_worker(session, user, "meeting.list", object_type="meeting")
    query = visible_meetings(user).where(Meeting.status != MeetingStatus.CANCELLED)
    found = list(session.scalars(query.order_by(Meeting.id.desc())))
    audit.record(session, user, "meeting.list", object_type="meeting", reason=f"{len(found)}")
    return found


def of_case(session: Session, user: User, case_id: int) -> list[Meeting]:
    """The case's meetings the user's department sits at (a case it is involved in)."""
    get_visible(session, user, case_id, action="meeting.case_list")
    query = visible_meetings(user).where(Meeting.case_id == case_id)
    return list(session.scalars(query.order_by(Meeting.id.desc())))


def between(session: Session, user: User, first: date, last: date) -> list[Meeting]:
    """Decided meetings of the department from ``first`` to ``last`` (Japan dates)."""
    start = datetime.combine(first, time(0), TOKYO)
    end = datetime.combine(last + timedelta(days=1), time(0), TOKYO)
    query = visible_meetings(user).where(
        Meeting.status == MeetingStatus.SCHEDULED,
        Meeting.starts_at >= start,
        Meeting.starts_at < end,
    )
    return list(session.scalars(query.order_by(Meeting.starts_at)))


def open_polls(session: Session, user: User) -> list[Meeting]:
    """Polls still open or waiting for the organiser's choice."""
    query = visible_meetings(user).where(
        or_(Meeting.status == MeetingStatus.POLLING, Meeting.status == MeetingStatus.CHOOSING)
    )
    return list(session.scalars(query.order_by(Meeting.answer_deadline)))


def owed(session: Session, user: User) -> list[Meeting]:
    """Polls the user's department has not answered yet."""
    return [m for m in open_polls(session, user) if owes_answer(m, user.department_id)]


def _owed_count_statement():
    department = bindparam("department_id")
    slot_of_meeting = Slot.meeting_id == Meeting.id
    unanswered_slot = exists().where(
        slot_of_meeting,
        not_(exists().where(SlotAnswer.slot_id == Slot.id, SlotAnswer.department_id == department)),
    )
    return select(func.count(Meeting.id)).where(
        Meeting.status == MeetingStatus.POLLING,
        exists().where(
            Participant.meeting_id == Meeting.id, Participant.department_id == department
        ),
        # :func:`owes_answer`: not every slot answered (a poll without slots is owed too).
        or_(not_(exists().where(slot_of_meeting)), unanswered_slot),
    )


#: ``len(owed(...))`` as one statement, built once: the menu shows it on every page.
_OWED_COUNT = _owed_count_statement()


def owed_count(session: Session, user: User) -> int:
    """How many polls the user's department has not answered yet (as :func:`owed` lists)."""
    return session.scalar(_OWED_COUNT, {"department_id": user.department_id}) or 0


def upcoming(session: Session, user: User, now: datetime, days: int = 30) -> list[Meeting]:
    query = visible_meetings(user).where(
        Meeting.status == MeetingStatus.SCHEDULED,
        Meeting.starts_at >= now,
        Meeting.starts_at < now + timedelta(days=days),
    )
    return list(session.scalars(query.order_by(Meeting.starts_at)))
