"""Candidate slots: suggested inside opening hours on opening days, clear of the departments'
other meetings; and the pick once the answers are in (most ○, then fewest ×; a tie goes to
the organiser, with the earliest of the tied slots first)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import workdays
from hub.jp import TOKYO
from hub.meetings.models import Answer, Meeting, MeetingStatus, Participant, Slot

#: Preferred starting times (a morning and an afternoon one); others are tried after them.
PREFERRED = (time(10, 0), time(14, 0))
STEP = timedelta(minutes=30)


def busy(
    session: Session, department_ids: Sequence[int], start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """The decided meetings of any of the departments between ``start`` and ``end``."""
    at_table = select(Participant.meeting_id).where(Participant.department_id.in_(department_ids))
    rows = session.execute(
        select(Meeting.starts_at, Meeting.ends_at).where(
            Meeting.id.in_(at_table),
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.starts_at < end,
            Meeting.ends_at > start,
        )
    ).all()
    return sorted((s, e) for s, e in rows if s is not None and e is not None)


def _free(start: datetime, end: datetime, taken: list[tuple[datetime, datetime]]) -> bool:
    return all(end <= s or start >= e for s, e in taken)


def suggest(
    session: Session,
    department_ids: Sequence[int],
    duration: timedelta,
    after: datetime,
    count: int = 5,
    days: int = 30,
) -> list[tuple[datetime, datetime]]:
    """Up to ``count`` free slots from the next opening day on, at most two a day."""
    opens, closes = workdays.hours(session)
    first = after.astimezone(TOKYO).date() + timedelta(days=1)
    horizon = first + timedelta(days=days)
    taken = busy(
        session,
        department_ids,
        datetime.combine(first, time(0), TOKYO),
        datetime.combine(horizon, time(0), TOKYO),
    )
    found: list[tuple[datetime, datetime]] = []
    day = first
    while day < horizon and len(found) < count:
        if workdays.is_workday(day):
            found += _day_slots(day, opens, closes, duration, taken)[: count - len(found)]
        day += timedelta(days=1)
    return found


def _day_slots(
    day: date,
    opens: time,
    closes: time,
    duration: timedelta,
    taken: list[tuple[datetime, datetime]],
) -> list[tuple[datetime, datetime]]:
    """The first free start at or after each preferred time, within the day's hours."""
    close_at = datetime.combine(day, closes, TOKYO)
    picked: list[tuple[datetime, datetime]] = []
    for preferred in PREFERRED:
        start = datetime.combine(day, max(preferred, opens), TOKYO)
        while start + duration <= close_at:
            end = start + duration
            if _free(start, end, taken) and _free(start, end, picked):
                picked.append((start, end))
                break
            start += STEP
    return picked


def within_hours(start: datetime, end: datetime, opens: time, closes: time) -> str | None:
    """Why a slot is outside opening hours or days (None when it is inside)."""
    local_start, local_end = start.astimezone(TOKYO), end.astimezone(TOKYO)
    reason = workdays.closed_reason(local_start.date())
    if reason:
        return f"{local_start:%m月%d日}は{reason}です"
    if local_end.date() != local_start.date():
        return "日をまたぐ候補は指定できません"
    if local_start.time() < opens or local_end.time() > closes:
        return f"開庁時間（{opens:%H:%M}〜{closes:%H:%M}）の外です"
    return None


@dataclass(frozen=True)
class Tally:
    slot: Slot
    yes: int
    maybe: int
    no: int

    @property
    def key(self) -> tuple[int, int]:
        return (-self.yes, self.no)


def tally(slots: Sequence[Slot]) -> list[Tally]:
    """Each slot's ○/△/× counts, best first (most ○, fewest ×, then earliest)."""
    rows = []
    for slot in slots:
        answers = [a.answer for a in slot.answers]
        rows.append(
            Tally(
                slot,
                answers.count(Answer.YES),
                answers.count(Answer.MAYBE),
                answers.count(Answer.NO),
            )
        )
    return sorted(rows, key=lambda t: (t.key, t.slot.starts_at, t.slot.id))


def pick(slots: Sequence[Slot]) -> tuple[Slot | None, list[Slot]]:
    """The winning slot, or (None, the tied slots earliest first) when the best ones tie."""
    ranked = tally(slots)
    if not ranked:
        return None, []
    best = [t.slot for t in ranked if t.key == ranked[0].key]
    return (best[0], []) if len(best) == 1 else (None, best)
