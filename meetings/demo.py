"""Demo meetings. 納税課 proposes a case conference on 山田 太郎's case with
ぷらっとホーム世田谷 and 保険料収納課 (the demo consent covers both for the agenda);
ぷらっとホーム has answered.

And a 勉強会 series with a held session and the next one being arranged.

Through the real services (the guard, the gate). Loading twice changes nothing.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from docx import Document
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.errors import HubError
from hub.meetings import materials, services, slots, study
from hub.meetings.models import Answer, Meeting, StudySeries
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


def load_study(session: Session, *, now: datetime | None = None) -> bool:
    """Add the demo 勉強会 once: a quarterly series of 納税課, 保険料収納課 and ぷらっとホーム
    defined by 納税課's manager; its first session held about six weeks ago (answers,
    attendance, a material), the next one proposed and waiting for answers."""
    now = now or datetime.now(UTC)
    if session.scalar(select(StudySeries.id).limit(1)) is not None:
        return False
    users = {u.login_id: u for u in session.scalars(select(User))}
    depts = {d.code: d for d in session.scalars(select(Department))}
    if not {"nozei-mgr", "nozei01", "hokenryo01", "plat01"} <= set(users):
        return False
    past = now - timedelta(days=60)
    members = [depts["nozei"].id, depts["hokenryo"].id, depts["plat"].id]
    form = study.SeriesForm(
        title="徴収・福祉 合同勉強会",
        department_ids=members,
        # The last Wednesday of the month two weeks on: a date the first poll can reach.
        first_month=(past + timedelta(days=15)).date().replace(day=1),
        interval_months=3,
        week_of_month=5,
        weekday=2,
        place="区役所第2庁舎 501会議室",
    )
    try:
        series = study.create_series(session, users["nozei-mgr"], form)
        held = study.propose_next(session, series, past, users["nozei-mgr"])
        for login, first in (
            ("nozei01", Answer.YES),
            ("hokenryo01", Answer.YES),
            ("plat01", Answer.MAYBE),
        ):
            marks = [first, Answer.NO, Answer.YES]
            services.answer(
                session,
                users[login],
                held.id,
                {s.id: marks[n] for n, s in enumerate(held.slots)},
                past,
            )
        services.choose(session, users["nozei01"], held.id, held.slots[0].id, past)
        assert held.starts_at is not None
        after = held.starts_at + timedelta(hours=2)
        people = [users[u].id for u in ("nozei01", "nozei-mgr", "hokenryo01", "plat01")]
        study.record_attendance(session, users["nozei01"], held.id, people, after)
        materials.add(
            session,
            users["plat01"],
            held.id,
            _handout("ぷらっとホーム世田谷のご案内と、つなぐ先の整理"),
            "plat-annai.docx",
            "ぷらっとホーム世田谷のご案内",
        )
        study.propose_next(session, series, now, users["nozei-mgr"])
    except HubError:
        return False
    return True


def _handout(text: str) -> bytes:
    document = Document()
    document.add_heading("勉強会資料", level=1)
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
