"""The meetings job: propose the study sessions whose date comes near; close the polls that
are due (deadline reached, or everyone answered), pick the slot and invite, or hand a tie to
the organiser; send the reminders that are due; chase the minutes a day after a meeting.

A poller over database state: a poll closed or a reminder sent is marked, so a second run (or
a second scheduler) does nothing twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.errors import Conflict
from hub.meetings import invitations, minutes, services, study
from hub.meetings.models import (
    Meeting,
    MeetingKind,
    MeetingStatus,
    Minutes,
    Reminder,
    StudySeries,
)
from hub.scheduler.context import JobContext

#: The minutes are chased a day after the meeting ended.
CHASE_AFTER = timedelta(days=1)


def _polls(session: Session, now: datetime) -> list[Meeting]:
    polling = session.scalars(
        select(Meeting).where(Meeting.status == MeetingStatus.POLLING).order_by(Meeting.id)
    )
    return [m for m in polling if services.is_due(m, now)]


def _reminders(session: Session, now: datetime):
    return (
        select(Reminder)
        .join(Meeting, Meeting.id == Reminder.meeting_id)
        .where(
            Reminder.sent_at.is_(None),
            Reminder.due_at <= now,
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.starts_at > now,
        )
        .order_by(Reminder.id)
    )


def _unrecorded(now: datetime):
    """Decided meetings a day past their end without minutes, not chased yet."""
    return (
        select(Meeting)
        .outerjoin(Minutes, Minutes.meeting_id == Meeting.id)
        .where(
            # A study session is recorded by its attendance and materials, not minutes.
            Meeting.kind == MeetingKind.CONFERENCE,
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.ends_at <= now - CHASE_AFTER,
            Meeting.minutes_chased_at.is_(None),
            Minutes.meeting_id.is_(None),
        )
        .order_by(Meeting.id)
    )


def run(ctx: JobContext) -> int:
    """Close due polls and send due reminders; return how many were handled."""
    done = _propose_study_sessions(ctx)
    with ctx.transaction() as session:
        ids = [m.id for m in _polls(session, ctx.now())]
    for meeting_id in ids:
        with ctx.transaction() as session:
            # FOR UPDATE OF meetings: PostgreSQL refuses to lock the organiser, outer-joined.
            meeting = session.get(Meeting, meeting_id, with_for_update={"of": Meeting})
            if meeting is None or not services.is_due(meeting, ctx.now()):
                continue  # another run took it
            if ctx.dry_run:
                ctx.note(f"会議{meeting_id}: 日程調整を締め切ります。")
            else:
                services.close_poll(session, meeting, ctx.now())
            done += 1
    with ctx.transaction() as session:
        for reminder in session.scalars(_reminders(session, ctx.now())):
            if ctx.dry_run:
                ctx.note(f"会議{reminder.meeting_id}: リマインダーを送ります。")
            else:
                invitations.send(session, reminder.meeting, "remind", ctx.now())
                reminder.sent_at = ctx.now()
            done += 1
    with ctx.transaction() as session:
        for meeting in session.scalars(_unrecorded(ctx.now())):
            if ctx.dry_run:
                ctx.note(f"会議{meeting.id}: 議事録の記録を主催課に促します。")
            else:
                minutes.chase(session, meeting, ctx.now())
            done += 1
    ctx.advance(done)
    return done


def _propose_study_sessions(ctx: JobContext) -> int:
    """Each series whose next date is within its lead time gets its session proposed (the
    series row locked: a second scheduler finds it no longer due)."""
    done = 0
    with ctx.transaction() as session:
        ids = [s.id for s in study.due_series(session, ctx.now())]
    for series_id in ids:
        with ctx.transaction() as session:
            series = session.get(StudySeries, series_id, with_for_update=True)
            if series is None or not study.is_due(session, series, ctx.now()):
                continue
            if ctx.dry_run:
                ctx.note(f"勉強会{series_id}: 次回の日程調整を始めます。")
                done += 1
                continue
            try:
                meeting = study.propose_next(session, series, ctx.now())
            except Conflict as exc:
                ctx.note(f"勉強会{series_id}: {exc.message}")
                continue
            invitations.ask_for_answers(session, meeting)
            done += 1
    return done


def pending(session: Session, now: datetime) -> int:
    reminders = session.scalar(
        select(func.count()).select_from(_reminders(session, now).subquery())
    )
    unrecorded = session.scalar(select(func.count()).select_from(_unrecorded(now).subquery()))
    proposals = len(study.due_series(session, now))
    return len(_polls(session, now)) + (reminders or 0) + (unrecorded or 0) + proposals
