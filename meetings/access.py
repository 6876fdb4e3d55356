"""Who sees a meeting, and who sees its case content.

A meeting (date, place, answers) is visible to the departments at its table. Its case content
— the case, the purpose, the agenda, the minutes — belongs to the organiser, and another
department sees it only through the consent gate on the day it looks: the resident's consent
must let the organiser give that department every category on the agenda. When a consent
stops covering a department (withdrawn, expired), the organiser is told once.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import audit, jp
from hub.db import utcnow
from hub.documents.consent import gate, signals
from hub.documents.consent.models import Consent
from hub.errors import NotFound
from hub.mailbox import notify
from hub.mailbox.models import NotificationKind
from hub.meetings.models import Meeting, MeetingStatus, Participant
from hub.models import Case, User
from hub.residents.services import require_case_worker

UNCOVERED = (
    "本人の同意の範囲外のため、このケース会議の内容（目的・議題・議事録）は表示できません。"
    "日時と場所のみ表示しています。"
)
LOST = "同意の撤回・期限切れにより、{dept}はケース会議（ケース{case}）の内容を見られなくなりました"


def visible_meetings(user: User):
    """The meetings the user's department sits at."""
    at_table = select(Participant.meeting_id).where(Participant.department_id == user.department_id)
    return select(Meeting).where(Meeting.id.in_(at_table))


def get_meeting(session: Session, user: User, meeting_id: int, action: str) -> Meeting:
    """Load a meeting of the user's department, audited; else 403 (admins) or 404."""
    require_case_worker(session, user, action, object_type="meeting", object_id=meeting_id)
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or not meeting.is_visible_to_department(user.department_id):
        raise audit.refuse(
            session,
            user,
            action,
            NotFound(),
            object_type="meeting",
            object_id=meeting_id,
            reason="not found or department not at the table",
        )
    audit.record(session, user, action, meeting)
    return meeting


def covered(session: Session, meeting: Meeting, department_id: int, day: date) -> gate.Decision:
    """The gate's answer: may the organiser give this department the agenda on ``day``?"""
    if meeting.case is None or department_id == meeting.organiser_department_id:
        return gate.Decision(True)
    return gate.covers(
        session,
        meeting.case.resident_id,
        meeting.organiser_department_id,
        department_id,
        meeting.agenda,
        day,
    )


def sees_content(session: Session, user: User, meeting: Meeting, day: date | None = None) -> bool:
    """Whether the user's department sees the case content today (audited like the gate)."""
    if meeting.case is None or user.department_id == meeting.organiser_department_id:
        return True
    decision = gate.check(
        session,
        user,
        meeting.case.resident_id,
        meeting.organiser_department_id,
        user.department_id,
        meeting.agenda,
        day or jp.today(),
        action="meeting.content",
    )
    return decision.allowed


def tell_organiser_of_lost_access(session: Session, meeting: Meeting, day: date) -> int:
    """Notify the organiser of each department the consent no longer covers (once each)."""
    told = 0
    for participant in meeting.participants:
        if participant.is_organiser or participant.uncovered_notified_at is not None:
            continue
        if covered(session, meeting, participant.department_id, day).allowed:
            continue
        participant.uncovered_notified_at = utcnow()
        notify.departments(
            session,
            [meeting.organiser_department_id],
            NotificationKind.MEETING,
            None,
            text=LOST.format(dept=participant.department.name, case=meeting.case_id),
            # Its own anchor: an unread invitation notice must not swallow this one.
            link_path=f"/meetings/{meeting.id}#participants",
        )
        told += 1
    return told


@signals.consent_ended.connect
def _consent_ended(consent: Consent, *, session: Session, day: date, **_kwargs) -> None:
    """A consent ended: the organisers of the resident's coming meetings hear who lost access."""
    meetings = session.scalars(
        select(Meeting)
        .join(Case, Case.id == Meeting.case_id)
        .where(
            Case.resident_id == consent.resident_id,
            Meeting.status != MeetingStatus.CANCELLED,
        )
    )
    for meeting in meetings:
        tell_organiser_of_lost_access(session, meeting, day)
