"""勉強会: the series' rhythm, who may define one, the job that proposes each session with the
host in turn and slots clear of other meetings, the invitation, attendance, materials with the
resident-name warning, and the session's collaboration report (its members' counts only)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import uploads_samples as samples
from icalendar import Calendar
from meetkit import MONDAY
from sqlalchemy import select

from hub import audit, jp
from hub.db import finish
from hub.errors import Conflict, Forbidden, InvalidInput, NotFound
from hub.jp import TOKYO
from hub.mailbox.models import Notification
from hub.meetings import materials, services, study
from hub.meetings.models import Answer, Meeting, MeetingKind, MeetingStatus, StudySeries
from hub.models import AuditEvent, DepartmentKind, Role, User
from hub.scheduler import jobs
from hub.storage import Storage, bind


@pytest.fixture
def series_world(db, world, make_user, make_department):
    world.kokuho = make_department(name="国保年金課", code="kokuho")
    world.manager = make_user(Role.MANAGER, world.nozei, "nozei-mgr")
    world.plat_manager = make_user(Role.MANAGER, world.plat, "plat-mgr")
    world.kokuho_staff = make_user(Role.STAFF, world.kokuho, "kokuho01")
    world.plat.kind = DepartmentKind.SUPPORT
    db.commit()
    return world


def _form(world, **changes) -> study.SeriesForm:
    values = dict(
        title="徴収・福祉 合同勉強会",
        department_ids=[world.nozei.id, world.plat.id, world.kaigo.id],
        first_month=date(2027, 1, 1),
        interval_months=3,
        week_of_month=2,
        weekday=2,
        start_time="14:00",
        duration_minutes=90,
        place="区役所第2庁舎 501会議室",
        lead_days=42,
    )
    values.update(changes)
    return study.SeriesForm(**values)


def _run(db, job, name="meetings"):
    run = jobs.execute(jobs.get(name), job(), trigger="test")
    assert run is not None and run.error == "", run.error
    db.expire_all()
    return run.rows


def _sessions(db, series_id):
    return list(
        db.scalars(select(Meeting).where(Meeting.series_id == series_id).order_by(Meeting.id))
    )


def test_the_rhythm_gives_the_nth_weekday_every_interval():
    series = StudySeries(
        first_month=date(2027, 1, 1), interval_months=3, week_of_month=2, weekday=2
    )
    assert study.next_date(series, date(2026, 12, 7)) == date(2027, 1, 13)
    assert study.next_date(series, date(2027, 1, 14)) == date(2027, 4, 14)
    assert study.next_date(series, date(2027, 4, 15)) == date(2027, 7, 14)
    last_friday = StudySeries(
        first_month=date(2027, 1, 1), interval_months=1, week_of_month=5, weekday=4
    )
    assert study.next_date(last_friday, date(2027, 1, 1)) == date(2027, 1, 29)
    assert study.next_date(last_friday, date(2027, 1, 30)) == date(2027, 2, 26)


def test_staff_may_not_define_a_series_and_a_manager_only_one_of_their_own(db, series_world):
    w = series_world
    with pytest.raises(Forbidden):
        study.create_series(db, w.staff, _form(w))
    db.rollback()
    with pytest.raises(InvalidInput) as refused:
        study.create_series(db, w.manager, _form(w, department_ids=[w.plat.id, w.kaigo.id]))
    assert "自所管課" in refused.value.fields["department_ids"]
    with pytest.raises(InvalidInput) as refused:
        study.create_series(db, w.manager, _form(w, title=" ", start_time="18:30"))
    assert set(refused.value.fields) == {"title", "start_time"}
    db.rollback()
    series = study.create_series(db, w.manager, _form(w))
    db.commit()
    assert series.department_ids == [w.nozei.id, w.plat.id, w.kaigo.id]
    assert study.rhythm_label(series) == "四半期ごと（3か月）・第2水曜日 14:00〜"
    # The outsider's department is not a member: the series does not exist for it.
    with pytest.raises(NotFound):
        study.get_series(db, w.kokuho_staff, series.id, "study.view")
    assert [s.id for s in study.visible_series(db, w.plat_staff)] == [series.id]
    assert study.visible_series(db, w.kokuho_staff) == []


def test_the_job_proposes_each_session_ahead_with_the_host_in_turn(db, series_world, job, clock):
    w = series_world
    series = study.create_series(db, w.manager, _form(w, interval_months=1))
    db.commit()
    # 2026-12-07: January 13 is 37 days away, within the 42 days of lead time.
    assert _run(db, job) >= 1
    first = _sessions(db, series.id)
    assert len(first) == 1
    session = first[0]
    assert session.kind == MeetingKind.STUDY and session.case_id is None
    assert session.organiser_department_id == w.nozei.id
    assert session.occurrence == date(2027, 1, 13)
    assert session.purpose == "第1回" and session.title == "勉強会「徴収・福祉 合同勉強会」"
    starts = [s.starts_at.astimezone(TOKYO) for s in session.slots]
    assert starts[0] == datetime(2027, 1, 6, 14, 0, tzinfo=TOKYO)
    assert datetime(2027, 1, 13, 14, 0, tzinfo=TOKYO) in starts and len(starts) == 3
    assert session.answer_deadline < session.slots[0].starts_at
    # Every member department is asked to answer, in the hub.
    told = db.scalars(
        select(User.department_id)
        .join(Notification, Notification.user_id == User.id)
        .where(Notification.link_path.like(f"/meetings/{session.id}%"))
    )
    assert set(told) == set(series.department_ids)
    # Run again: nothing twice.
    _run(db, job)
    assert len(_sessions(db, series.id)) == 1
    # A month on, February's session is proposed, hosted by the next member.
    clock.advance(days=31)
    _run(db, job)
    clock.advance(days=28)
    _run(db, job)
    hosts = [m.organiser_department_id for m in _sessions(db, series.id)]
    assert hosts == [w.nozei.id, w.plat.id, w.kaigo.id]
    assert [m.occurrence for m in _sessions(db, series.id)] == [
        date(2027, 1, 13),
        date(2027, 2, 10),
        date(2027, 3, 10),
    ]


def test_candidate_slots_avoid_the_members_other_meetings_and_the_holidays(db, series_world, met):
    w = series_world
    # A decided conference of ぷらっとホーム on the rhythm's date at the series' time.
    conference = services.propose(
        db,
        w.staff,
        w.case.id,
        w.proposal(deadline_hours=1),
        MONDAY,
    )
    services.choose(db, w.staff, conference.id, conference.slots[0].id, MONDAY)
    conference.starts_at = datetime(2027, 1, 13, 14, 30, tzinfo=TOKYO)
    conference.ends_at = conference.starts_at + timedelta(hours=1)
    series = study.create_series(db, w.manager, _form(w))
    found = study.candidates(db, series, date(2027, 1, 13), MONDAY)
    days = [s.astimezone(TOKYO).date() for s, _e in found]
    assert date(2027, 1, 13) not in days  # taken by the conference
    assert len(found) == 3
    # 2027-01-11 is 成人の日: a Monday rhythm date moves to other days.
    monday = study.create_series(db, w.manager, _form(w, weekday=0))
    days = [
        s.astimezone(TOKYO).date()
        for s, _e in study.candidates(db, monday, date(2027, 1, 11), MONDAY)
    ]
    assert date(2027, 1, 11) not in days and len(days) == 3


def test_the_session_is_invited_like_a_conference_without_a_case(
    db, series_world, job, clock, smtp
):
    w = series_world
    _controller, inbox = smtp
    series = study.create_series(db, w.manager, _form(w))
    db.commit()
    _run(db, job)
    session = _sessions(db, series.id)[0]
    ids = [s.id for s in session.slots]
    for user in (w.staff, w.plat_staff, w.kaigo_staff):
        services.answer(
            db, user, session.id, dict.fromkeys(ids, Answer.NO) | {ids[1]: Answer.YES}, MONDAY
        )
    db.commit()
    _run(db, job)
    session = db.get(Meeting, session.id)
    assert session.status == MeetingStatus.SCHEDULED
    assert session.starts_at == session.slots[1].starts_at
    assert _run(db, job, "outbox") == 3
    calendars = [
        Calendar.from_ical(part.get_content())
        for mail in inbox.mails
        for part in mail.iter_attachments()
        if part.get_content_type() == "text/calendar"
    ]
    assert len(calendars) == 3
    event = next(iter(calendars[0].walk("VEVENT")))
    assert str(event["SUMMARY"]).startswith("勉強会「徴収・福祉 合同勉強会」")
    assert str(calendars[0]["METHOD"]) == "REQUEST"


def _held_session(db, w, clock):
    series = study.create_series(db, w.manager, _form(w))
    session = study.propose_next(db, series, MONDAY, w.manager)
    services.choose(db, w.staff, session.id, session.slots[0].id, MONDAY)
    db.commit()
    return series, session


def test_the_host_records_attendance_by_person_after_the_start(db, series_world, clock):
    w = series_world
    _series, session = _held_session(db, w, clock)
    with pytest.raises(Conflict) as early:
        study.record_attendance(db, w.staff, session.id, [w.staff.id], MONDAY)
    assert early.value.code == "not_held_yet"
    after = session.starts_at + timedelta(hours=2)
    with pytest.raises(Forbidden):
        study.record_attendance(db, w.plat_staff, session.id, [w.plat_staff.id], after)
    db.rollback()
    with pytest.raises(InvalidInput):  # not a member department's person
        study.record_attendance(db, w.staff, session.id, [w.kokuho_staff.id], after)
    db.rollback()
    people = [w.staff.id, w.plat_staff.id, w.plat_manager.id]
    study.record_attendance(db, w.staff, session.id, people, after)
    db.commit()
    by_dept = {(a.department_id, a.user_id) for a in db.get(Meeting, session.id).attendance}
    assert by_dept == {
        (w.nozei.id, w.staff.id),
        (w.plat.id, w.plat_staff.id),
        (w.plat.id, w.plat_manager.id),
    }
    # The outsider's department is not at the table.
    with pytest.raises(NotFound):
        study.record_attendance(db, w.kokuho_staff, session.id, [], after)


def test_a_material_naming_a_resident_is_held_back_until_confirmed(db, series_world, clock, config):
    w = series_world
    bind(db, Storage.from_config(config))
    _series, session = _held_session(db, w, clock)
    clean = samples.docx("滞納整理と生活再建支援の連携について")
    named = samples.docx("事例：世田谷 花子さん（ｾﾀｶﾞﾔ ﾊﾅｺ）の分納")
    kept = materials.add(db, w.plat_staff, session.id, clean, "連携.docx", "連携の手引き")
    db.commit()
    with pytest.raises(materials.ResidentNameFound) as warned:
        materials.add(db, w.plat_staff, session.id, named, "事例.docx", "事例")
    finish(db, ok=False)  # as a refused request ends: the refusal's audit event stays
    assert warned.value.count == 1 and "花子" not in warned.value.message
    refusal = db.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "study.material_add", AuditEvent.outcome == audit.DENIED
        )
    ).one()
    assert "花子" not in refusal.reason and "1 resident" in refusal.reason
    confirmed = materials.add(
        db, w.plat_staff, session.id, named, "事例.docx", "事例", confirmed=True
    )
    db.commit()
    assert confirmed.name_warning_confirmed and not kept.name_warning_confirmed
    material, data = materials.open_material(db, w.kaigo_staff, session.id, kept.id)
    assert data == clean and material.title == "連携の手引き"
    with pytest.raises(NotFound):
        materials.open_material(db, w.kokuho_staff, session.id, kept.id)


def test_the_session_report_counts_the_members_since_the_last_session(db, series_world, clock):
    w = series_world
    _series, session = _held_session(db, w, clock)
    report = study.report(db, w.plat_staff, session.id, "study.report")
    assert report.scope.department_ids == frozenset(session.department_ids)
    day = session.starts_at.astimezone(TOKYO).date()
    # Up to the day before the session, or today for a session still to come.
    assert report.period.end == min(day - timedelta(days=1), jp.today())
    assert report.period.start == day - timedelta(days=365)
    cases = next(t for t in report.tables if t.key == "cases")
    assert dict(cases.rows)["開始したケース"] == (1,)  # 納税課's, not 国保年金課's
    with pytest.raises(NotFound):
        study.report(db, w.kokuho_staff, session.id, "study.report")
