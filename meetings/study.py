"""Joint study sessions (勉強会, seed 000 ⑤): a series on a rhythm, its sessions, attendance.

A manager (for a series their department takes part in) or the administrator defines a
series: title, member departments, a rhythm ("every 3 months, the second Wednesday"), a start
time, a length and a room. The host rotates among the members in their order. Ahead of each
date of the rhythm the meetings job proposes the session: 3 candidate slots around that date,
clear of the members' other meetings and the holidays, polled with the conferences' ○/△/×
flow, then invited, reminded and recorded like a conference. A session carries no resident
data: no case, no agenda categories, no consent gate; its report is counts only.
"""

from __future__ import annotations

import calendar
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub import audit, jp, workdays
from hub.errors import Conflict, Forbidden, InvalidInput, NotFound
from hub.jp import TOKYO
from hub.meetings import slots
from hub.meetings.models import (
    Attendance,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Participant,
    SeriesMember,
    Slot,
    StudySeries,
)
from hub.models import Department, Role, User
from hub.reports import figures

WEEKDAYS = ("月", "火", "水", "木", "金")
INTERVALS = {1: "毎月", 2: "2か月ごと", 3: "四半期ごと（3か月）", 6: "半年ごと", 12: "毎年"}
#: A session is proposed at least this long before its date (time to answer the poll).
MIN_NOTICE = timedelta(days=10)
#: Candidate dates tried around the rhythm's date, in order of preference.
AROUND = (0, 7, -7, 14, 1, -1, 2)
CANDIDATES = 3
PLANNERS_ONLY = "勉強会の設定は所属課の管理職または管理者が行います。"
HOST_ONLY = "出席の記録は当番課（{dept}）が行います。"


@dataclass
class SeriesForm:
    title: str
    department_ids: list[int]
    first_month: date
    interval_months: int = 3
    week_of_month: int = 2
    weekday: int = 2
    start_time: str = "14:00"
    duration_minutes: int = 90
    place: str = ""
    online_url: str = ""
    lead_days: int = 42
    errors: dict[str, str] = field(default_factory=dict)


def rhythm_label(series: StudySeries) -> str:
    week = "最終" if series.week_of_month == 5 else f"第{series.week_of_month}"
    every = INTERVALS.get(series.interval_months, f"{series.interval_months}か月ごと")
    return f"{every}・{week}{WEEKDAYS[series.weekday]}曜日 {series.start_time}〜"


def date_in_month(series: StudySeries, month: date) -> date:
    """The rhythm's date in the month of ``month``: the n-th (5: last) weekday."""
    days = calendar.monthrange(month.year, month.month)[1]
    matching = [
        d
        for d in (date(month.year, month.month, n) for n in range(1, days + 1))
        if d.weekday() == series.weekday
    ]
    return matching[-1] if series.week_of_month == 5 else matching[series.week_of_month - 1]


def _add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def next_date(series: StudySeries, on_or_after: date) -> date:
    """The first date of the rhythm on or after ``on_or_after``."""
    month = series.first_month.replace(day=1)
    while True:
        day = date_in_month(series, month)
        if day >= on_or_after:
            return day
        month = _add_months(month, series.interval_months)


def host_of(series: StudySeries, number: int) -> int:
    """The host of the ``number``-th session (0-based): the members take turns in order."""
    return series.members[number % len(series.members)].department_id


# ------------------------------------------------------------------ the series


def _is_planner(user: User) -> bool:
    return user.role in (Role.MANAGER, Role.ADMIN)


def require_planner(session: Session, user: User, action: str) -> None:
    if not _is_planner(user):
        raise audit.refuse(
            session,
            user,
            action,
            Forbidden(PLANNERS_ONLY, code="not_planner"),
            object_type="study_series",
            reason="staff",
        )


def _check(session: Session, user: User, form: SeriesForm) -> list[int]:
    errors = dict(form.errors)
    members = list(dict.fromkeys(form.department_ids))
    if not form.title.strip():
        errors.setdefault("title", "名称を入力してください。")
    elif len(form.title) > 100:
        errors.setdefault("title", "名称は100文字以内で入力してください。")
    found = session.scalar(
        select(func.count()).select_from(Department).where(Department.id.in_(members))
    )
    if len(members) < 2:
        errors.setdefault("department_ids", "参加する所管課を2つ以上選んでください。")
    elif found != len(members):
        errors.setdefault("department_ids", "存在しない所管課が含まれています。")
    elif user.role != Role.ADMIN and user.department_id not in members:
        errors.setdefault("department_ids", "自所管課が参加する勉強会だけを設定できます。")
    if form.interval_months not in INTERVALS:
        errors.setdefault("interval_months", "開催の間隔を選んでください。")
    if not 1 <= form.week_of_month <= 5:
        errors.setdefault("week_of_month", "第1〜第4週、または最終週を選んでください。")
    if not 0 <= form.weekday <= 4:
        errors.setdefault("weekday", "曜日は月〜金から選んでください。")
    if not 30 <= form.duration_minutes <= 240:
        errors.setdefault("duration_minutes", "所要時間は30〜240分で指定してください。")
    if not 14 <= form.lead_days <= 120:
        errors.setdefault("lead_days", "日程調整の開始は14〜120日前で指定してください。")
    try:
        start = time.fromisoformat(form.start_time)
    except ValueError:
        errors.setdefault("start_time", "開始時刻は「14:00」の形で入力してください。")
    else:
        opens, closes = workdays.hours(session)
        end = datetime.combine(date(2000, 1, 3), start) + timedelta(minutes=form.duration_minutes)
        if start < opens or end.time() > closes or end.date() != date(2000, 1, 3):
            errors.setdefault(
                "start_time",
                f"開始時刻と所要時間は開庁時間（{opens:%H:%M}〜{closes:%H:%M}）内にしてください。",
            )
    if errors:
        raise InvalidInput(fields=errors)
    return members


def create_series(session: Session, user: User, form: SeriesForm) -> StudySeries:
    """Define a series (a manager of a member department, or the administrator)."""
    require_planner(session, user, "study.create")
    members = _check(session, user, form)
    series = StudySeries(
        title=form.title.strip(),
        owner_department_id=None if user.role == Role.ADMIN else user.department_id,
        created_by_id=user.id,
        interval_months=form.interval_months,
        week_of_month=form.week_of_month,
        weekday=form.weekday,
        first_month=form.first_month.replace(day=1),
        start_time=form.start_time,
        duration_minutes=form.duration_minutes,
        place=form.place.strip(),
        online_url=form.online_url.strip(),
        lead_days=form.lead_days,
        members=[SeriesMember(department_id=d, position=n) for n, d in enumerate(members)],
    )
    session.add(series)
    session.flush()
    audit.record(session, user, "study.create", series)
    return series


def visible_series(session: Session, user: User) -> list[StudySeries]:
    """The series of the user's department (every series for the administrator)."""
    query = select(StudySeries).order_by(StudySeries.is_active.desc(), StudySeries.id)
    if user.role != Role.ADMIN:
        mine = select(SeriesMember.series_id).where(
            SeriesMember.department_id == user.department_id
        )
        query = query.where(StudySeries.id.in_(mine))
    found = list(session.scalars(query))
    audit.record(session, user, "study.list", object_type="study_series", reason=f"{len(found)}")
    return found


def get_series(session: Session, user: User, series_id: int, action: str) -> StudySeries:
    """A series of the user's department (any for the administrator), audited; else 404."""
    series = session.get(StudySeries, series_id)
    if series is None or (
        user.role != Role.ADMIN and user.department_id not in series.department_ids
    ):
        raise audit.refuse(
            session,
            user,
            action,
            NotFound(),
            object_type="study_series",
            object_id=series_id,
            reason="not found or department not a member",
        )
    audit.record(session, user, action, series)
    return series


def stop_series(session: Session, user: User, series_id: int) -> StudySeries:
    """Stop proposing sessions (sessions already proposed stay as they are)."""
    series = get_series(session, user, series_id, "study.stop")
    require_planner(session, user, "study.stop")
    if not series.is_active:
        raise Conflict("この勉強会は既に終了しています。", code="series_stopped")
    series.is_active = False
    session.flush()
    audit.record(session, user, "study.stop", series)
    return series


# ------------------------------------------------------------------ sessions


def upcoming_date(session: Session, series: StudySeries, today: date) -> date:
    """The next date of the rhythm without a session: after the last one proposed, and far
    enough ahead for a poll."""
    last = session.scalar(
        select(func.max(Meeting.occurrence)).where(Meeting.series_id == series.id)
    )
    start = today + MIN_NOTICE
    if last is not None and last >= start:
        start = last + timedelta(days=1)
    return next_date(series, start)


def is_due(session: Session, series: StudySeries, now: datetime) -> bool:
    today = now.astimezone(TOKYO).date()
    return (
        series.is_active
        and bool(series.members)
        and (upcoming_date(session, series, today) - today).days <= series.lead_days
    )


def candidates(
    session: Session, series: StudySeries, target: date, now: datetime
) -> list[tuple[datetime, datetime]]:
    """Up to 3 free slots at the series' time on opening days around ``target``; filled from
    the next free slots after it when the weeks around are taken."""
    opens, closes = workdays.hours(session)
    start_time = time.fromisoformat(series.start_time)
    length = timedelta(minutes=series.duration_minutes)
    earliest = now + MIN_NOTICE / 2
    lo = datetime.combine(target - timedelta(days=20), time(0), TOKYO)
    hi = datetime.combine(target + timedelta(days=20), time(0), TOKYO)
    taken = slots.busy(session, series.department_ids, lo, hi)
    found: list[tuple[datetime, datetime]] = []
    for shift in AROUND:
        day = target + timedelta(days=shift)
        start = datetime.combine(day, start_time, TOKYO)
        end = start + length
        if (
            start > earliest
            and workdays.is_workday(day)
            and slots.within_hours(start, end, opens, closes) is None
            and all(end <= s or start >= e for s, e in taken)
        ):
            found.append((start, end))
        if len(found) == CANDIDATES:
            break
    if len(found) < CANDIDATES:
        after = max(earliest, datetime.combine(target, time(0), TOKYO))
        for start, end in slots.suggest(session, series.department_ids, length, after, count=10):
            if (start, end) not in found and start.date() not in {s.date() for s, _e in found}:
                found.append((start, end))
            if len(found) == CANDIDATES:
                break
    return sorted(found)


def propose_next(
    session: Session, series: StudySeries, now: datetime, user: User | None = None
) -> Meeting:
    """Propose the series' next session: the host in turn, 3 candidate slots, a deadline."""
    today = now.astimezone(TOKYO).date()
    target = upcoming_date(session, series, today)
    found = candidates(session, series, target, now)
    if len(found) < CANDIDATES:
        raise Conflict(
            "候補日時が3件見つかりません。日程を手動で調整してください。", code="no_slots"
        )
    closes = workdays.hours(session)[1]
    first_day = found[0][0].astimezone(TOKYO).date()
    deadline = datetime.combine(workdays.add(first_day, -3), closes, TOKYO)
    if deadline <= now:
        deadline = min(now + timedelta(days=1), found[0][0] - timedelta(hours=1))
    number = series.proposed
    host = host_of(series, number)
    series.proposed = number + 1
    meeting = Meeting(
        kind=MeetingKind.STUDY,
        series=series,
        occurrence=target,
        organiser_department_id=host,
        created_by_id=user.id if user is not None else series.created_by_id,
        purpose=f"第{number + 1}回",
        agenda=[],
        place=series.place,
        online_url=series.online_url,
        duration_minutes=series.duration_minutes,
        answer_deadline=deadline,
        uid=f"meeting-{secrets.token_hex(12)}@tsunagu-hub",
    )
    for dept_id in series.department_ids:
        meeting.participants.append(
            Participant(department_id=dept_id, is_organiser=dept_id == host)
        )
    for start, end in found:
        slot = Slot(starts_at=start, ends_at=end)
        meeting.slots.append(slot)
    session.add(meeting)
    session.flush()
    audit.record(
        session, user, "study.propose", meeting, reason=f"series {series.id} {target.isoformat()}"
    )
    return meeting


def propose_now(session: Session, user: User, series_id: int, now: datetime) -> Meeting:
    """A planner proposes the next session without waiting for the job."""
    series = get_series(session, user, series_id, "study.propose")
    require_planner(session, user, "study.propose")
    if not series.is_active:
        raise Conflict("終了した勉強会の次回は提案できません。", code="series_stopped")
    return propose_next(session, series, now, user)


def due_series(session: Session, now: datetime) -> list[StudySeries]:
    active = session.scalars(
        select(StudySeries).where(StudySeries.is_active).order_by(StudySeries.id)
    )
    return [s for s in active if is_due(session, s, now)]


def require_study(session: Session, user: User, meeting_id: int, action: str) -> Meeting:
    from hub.meetings.access import get_meeting

    meeting = get_meeting(session, user, meeting_id, action)
    if meeting.kind != MeetingKind.STUDY:
        raise Conflict("勉強会ではありません。", code="not_study")
    return meeting


def record_attendance(
    session: Session, user: User, meeting_id: int, user_ids: list[int], now: datetime
) -> Meeting:
    """The host records who attended, each with their department (after the start)."""
    meeting = require_study(session, user, meeting_id, "study.attendance")
    if user.department_id != meeting.organiser_department_id:
        raise audit.refuse(
            session,
            user,
            "study.attendance",
            Forbidden(HOST_ONLY.format(dept=meeting.organiser.name), code="not_organiser"),
            meeting,
        )
    if meeting.status != MeetingStatus.SCHEDULED or meeting.starts_at is None:
        raise Conflict("日程が決まった勉強会の出席を記録できます。", code="not_scheduled")
    if meeting.starts_at > now:
        raise Conflict("出席は勉強会の開始後に記録できます。", code="not_held_yet")
    chosen = list(dict.fromkeys(user_ids))
    people = list(
        session.scalars(
            select(User).where(
                User.id.in_(chosen),
                User.is_active,
                User.department_id.in_(meeting.department_ids),
            )
        )
    )
    if len(people) != len(chosen):
        raise InvalidInput(fields={"user_ids": "参加課の職員から選んでください。"})
    meeting.attendance = [Attendance(user_id=p.id, department_id=p.department_id) for p in people]
    session.flush()
    audit.record(session, user, "study.attendance", meeting, reason=f"{len(people)} people")
    return meeting


def members_to_record(session: Session, meeting: Meeting) -> list[User]:
    """The active staff of the session's departments, by department, for the attendance form."""
    return list(
        session.scalars(
            select(User)
            .where(
                User.is_active,
                User.department_id.in_(meeting.department_ids),
                User.role != Role.ADMIN,
            )
            .order_by(User.department_id, User.id)
        )
    )


# ------------------------------------------------------------------ the report


def report_period(session: Session, meeting: Meeting) -> figures.Period:
    """Since the previous session of the series (its day) up to the day before this one (or
    today, for a session still to come); the first session looks back a year."""
    day = (
        jp.local(meeting.starts_at).date()
        if meeting.starts_at is not None
        else meeting.occurrence or jp.today()
    )
    previous = session.scalar(
        select(func.max(Meeting.starts_at)).where(
            Meeting.series_id == meeting.series_id,
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.starts_at < datetime.combine(day, time(0), TOKYO),
        )
    )
    start = jp.local(previous).date() if previous is not None else day - timedelta(days=365)
    # A session still to come counts up to today.
    end = min(day - timedelta(days=1), jp.today())
    return figures.Period(start, max(start, end))


def report(session: Session, user: User, meeting_id: int, action: str) -> figures.Report:
    """連携状況等確認 for a session: the member departments' counts since the last session."""
    meeting = require_study(session, user, meeting_id, action)
    assert meeting.series is not None
    scope = figures.Scope(
        frozenset(meeting.department_ids), f"勉強会「{meeting.series.title}」参加課"
    )
    return figures.collaboration(
        session, user, report_period(session, meeting), action=action, scope=scope
    )
