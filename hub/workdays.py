"""The working-day calendar (開庁日): one module for every job and every due date shown.

Closed: Saturdays, Sundays, 国民の祝日 with 振替休日 and 国民の休日 (from ``jpholiday``, which
follows 国民の祝日に関する法律), and 年末年始 (12/29–1/3, 行政機関の休日に関する法律). Opening
hours are settings (default 8:30–17:15).

A due date that falls on a closed day is due on the next opening day (地方自治法第4条の2第4項
の考え方): :func:`effective_due`. Every reminder, every "あとN開庁日" and every overdue mark
counts from that day.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache

import jpholiday
from sqlalchemy.orm import Session

from hub import settings
from hub.jp import TOKYO
from hub.settings import TIME, SettingDef

GROUP = "開庁日・時間"
OPENS = SettingDef(
    key="calendar.opens",
    label="開庁時刻",
    kind=TIME,
    default="08:30",
    rationale="多くの区役所の開庁時間（8時30分〜17時15分）。督促・お知らせはこの時間内に出す",
    group=GROUP,
)
CLOSES = SettingDef(
    key="calendar.closes",
    label="閉庁時刻",
    kind=TIME,
    default="17:15",
    rationale="勤務時間 7時間45分（8時30分〜17時15分、休憩1時間）",
    group=GROUP,
)
settings.register(OPENS, CLOSES)

#: Searching further than this for an opening day means the calendar is wrong.
_MAX_SCAN = 60


@lru_cache(maxsize=4096)
def closed_reason(day: date) -> str | None:
    """Why the city is closed on ``day`` (土曜日, 日曜日, a holiday's name, 年末年始), or None."""
    if (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3):
        return "年末年始"
    name = jpholiday.is_holiday_name(day)
    if name:
        return name
    if day.weekday() == 5:
        return "土曜日"
    if day.weekday() == 6:
        return "日曜日"
    return None


def is_workday(day: date) -> bool:
    return closed_reason(day) is None


def next_workday(day: date) -> date:
    """``day`` itself if it is an opening day, else the next one."""
    for _ in range(_MAX_SCAN):
        if is_workday(day):
            return day
        day += timedelta(days=1)
    raise RuntimeError("no opening day within 60 days")


def previous_workday(day: date) -> date:
    """``day`` itself if it is an opening day, else the one before."""
    for _ in range(_MAX_SCAN):
        if is_workday(day):
            return day
        day -= timedelta(days=1)
    raise RuntimeError("no opening day within 60 days")


def add(day: date, n: int) -> date:
    """Move ``n`` opening days from ``day`` (negative: back). From a closed day, the first
    step lands on the nearest opening day in that direction."""
    step = timedelta(days=1 if n >= 0 else -1)
    left = abs(n)
    while left:
        day += step
        if is_workday(day):
            left -= 1
    return day


def effective_due(due: date) -> date:
    """The day a due date really falls due: the next opening day when it is closed."""
    return next_workday(due)


@lru_cache(maxsize=64)
def _opening_days_by(year: int) -> tuple[int, ...]:
    """Opening days of ``year`` from 1 January up to and including each of its days (index:
    the day of the year - 1), built once for each year asked of (the calendar never changes)."""
    counts: list[int] = []
    total, day = 0, date(year, 1, 1)
    while day.year == year:
        total += is_workday(day)
        counts.append(total)
        day += timedelta(days=1)
    return tuple(counts)


def _opening_days_to(day: date, year: int) -> int:
    """Opening days from 1 January of ``year`` up to and including ``day`` (not before it)."""
    whole = sum(_opening_days_by(y)[-1] for y in range(year, day.year))
    return whole + _opening_days_by(day.year)[(day - date(day.year, 1, 1)).days]


def between(start: date, end: date) -> int:
    """Opening days after ``start`` up to and including ``end`` (negative when end is before).

    Counted from the years' running totals, not day by day: every list shows 「あとN開庁日」
    or an overdue mark per row, and a page of deliveries overdue for months would otherwise
    count each of those days again on every view."""
    if end == start:
        return 0
    sign, lo, hi = (1, start, end) if end > start else (-1, end, start)
    return sign * (_opening_days_to(hi, lo.year) - _opening_days_to(lo, lo.year))


def days_left(due: date, today: date) -> int:
    """Opening days left until a due date (0 on the day, negative once overdue)."""
    target = effective_due(due)
    if today > target:
        return -max(1, between(target, today))
    return between(today, target)


def overdue_before(today: date) -> date:
    """Due dates before this day are overdue on ``today`` (a range bound for queries).

    A due date d is overdue once its effective day has passed, i.e. d ≤ the last opening day
    before today.
    """
    return previous_workday(today - timedelta(days=1)) + timedelta(days=1)


def last_due_on_or_before(today: date, *, offset: int) -> date:
    """The latest due date d whose day ``add(effective_due(d), offset) <= today``.

    ``offset`` is -N for a reminder N opening days before, 0 for the due day, +M for M days
    overdue. The condition is monotone in d, so queries take ``feedback_due <= result``.
    """
    # The answer lies within (today - offset opening days - a margin, today + N + margin).
    day = today + timedelta(days=max(0, -offset) * 3 + 21)
    while add(effective_due(day), offset) > today:
        day -= timedelta(days=1)
    return day


def hours(session: Session) -> tuple[time, time]:
    values = settings.values(session, [OPENS.key, CLOSES.key])
    return time.fromisoformat(values[OPENS.key]), time.fromisoformat(values[CLOSES.key])


def is_open(session: Session, now: datetime) -> bool:
    """Whether the city is open at ``now`` (an opening day, within the opening hours)."""
    local = now.astimezone(TOKYO)
    if not is_workday(local.date()):
        return False
    opens, closes = hours(session)
    return opens <= local.time().replace(tzinfo=None) < closes
