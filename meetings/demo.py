"""Demo conference: 納税課 proposes a case conference on 山田 太郎's case with ぷらっとホーム世田谷
and 保険料収納課 (the demo consent covers both for the agenda); ぷらっとホーム has answered.

Through the real services (the guard, the gate). Loading twice changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.errors import HubError
from hub.meetings import services, slots
from hub.meetings.models import Answer, Meeting
from hub.models import Case, Department, Resident, User

ATENA_NO = "0001000001"
AGENDA = ["arrears", "household_budget"]


def load(session: Session, *, now: datetime | None = None) -> bool:
    """Add the demo conference once; False when one exists or the demo case is missing."""
    now = now or datetime.now(UTC)
    if session.scalar(select(Meeting.id).limit(1)) is not None:
        return False
    users = {u.login_id: u for u in session.scalars(select(User))}
    depts = {d.code: d for d in session.scalars(select(Department))}
    case = session.scalar(
        select(Case).join(Resident).where(Resident.atena_no == ATENA_NO).order_by(Case.id)
    )
    if case is None or not {"nozei01", "plat01"} <= set(users):
        return False
    if not {"plat", "hokenryo"} <= set(depts):
        return False
    others = [depts["plat"].id, depts["hokenryo"].id]
    found = slots.suggest(
        session, [case.lead_department_id, *others], timedelta(hours=1), now + timedelta(days=3)
    )
    proposal = services.Proposal(
        department_ids=others,
        agenda=AGENDA,
        starts=[start for start, _end in found],
        answer_deadline=now + timedelta(days=2),
        purpose="生活再建に向けた支援方針と、分割納付の計画の確認",
        place="区役所第3会議室",
    )
    try:
        meeting = services.propose(session, users["nozei01"], case.id, proposal, now)
    except HubError:
        return False  # the demo's consent or criteria are not there: no conference
    marks = [Answer.YES, Answer.NO, Answer.MAYBE, Answer.YES, Answer.MAYBE]
    answers = {s.id: marks[n % len(marks)] for n, s in enumerate(meeting.slots)}
    services.answer(session, users["plat01"], meeting.id, answers, now)
    return True
