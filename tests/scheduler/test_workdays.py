"""The working-day calendar: Golden Week, 年末年始, a 振替休日 and a 国民の休日."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import settings as examples
from hypothesis import strategies as st

from hub import workdays
from hub.jp import TOKYO
from hub.models import Role


def test_closed_days_say_why():
    assert workdays.closed_reason(date(2026, 5, 6)) == "憲法記念日 振替休日"  # 振替休日
    assert workdays.closed_reason(date(2026, 9, 22)) == "国民の休日"  # between two holidays
    assert workdays.closed_reason(date(2026, 12, 29)) == "年末年始"
    assert workdays.closed_reason(date(2027, 1, 3)) == "年末年始"
    assert workdays.closed_reason(date(2026, 12, 5)) == "土曜日"
    assert workdays.is_workday(date(2026, 12, 28)) and workdays.is_workday(date(2027, 1, 4))


def test_golden_week_is_skipped():
    # Thu 30 April 2026 → Fri 1 May, then 2–6 May are closed (土日, 祝日, 振替休日) → Thu 7 May.
    assert workdays.add(date(2026, 4, 30), 1) == date(2026, 5, 1)
    assert workdays.add(date(2026, 5, 1), 1) == date(2026, 5, 7)
    assert workdays.add(date(2026, 5, 7), -1) == date(2026, 5, 1)
    assert workdays.between(date(2026, 4, 30), date(2026, 5, 7)) == 2


def test_new_year_holidays_and_a_due_date_on_a_closed_day():
    assert workdays.add(date(2026, 12, 28), 1) == date(2027, 1, 4)
    # Due on 31 December: falls due on the next opening day, 4 January.
    assert workdays.effective_due(date(2026, 12, 31)) == date(2027, 1, 4)
    assert workdays.days_left(date(2026, 12, 31), date(2026, 12, 28)) == 1
    assert workdays.days_left(date(2026, 12, 31), date(2027, 1, 4)) == 0
    assert workdays.days_left(date(2026, 12, 31), date(2027, 1, 5)) == -1
    # Overdue from 5 January, not from 1 January.
    assert workdays.overdue_before(date(2027, 1, 4)) == date(2026, 12, 29)


@examples(max_examples=300, deadline=None)
@given(
    start=st.dates(date(2024, 1, 1), date(2028, 12, 31)),
    span=st.integers(-800, 800),
)
def test_opening_days_between_two_days_are_counted_as_day_by_day(start, span):
    """The running totals give what counting each day gives, across years and backwards."""
    end = start + timedelta(days=span)
    lo, hi = sorted((start, end))
    by_day = sum(workdays.is_workday(lo + timedelta(days=k)) for k in range(1, (hi - lo).days + 1))
    assert workdays.between(start, end) == (by_day if end >= start else -by_day)


def test_silver_week_national_holiday():
    # 19–23 September 2026: 土, 日, 敬老の日, 国民の休日, 秋分の日 → Fri 18 → Thu 24.
    assert workdays.add(date(2026, 9, 18), 1) == date(2026, 9, 24)


@pytest.mark.parametrize("offset", [-5, -2, 0, 1, 3])
def test_the_query_bound_agrees_with_the_rule_on_every_day_of_a_year(offset):
    """``last_due_on_or_before`` is the largest due date whose stage day has come."""
    start = date(2026, 1, 1)
    for k in range(0, 400, 3):
        today = start + timedelta(days=k)
        bound = workdays.last_due_on_or_before(today, offset=offset)
        for due in (bound - timedelta(days=1), bound, bound + timedelta(days=1)):
            came = workdays.add(workdays.effective_due(due), offset) <= today
            assert came == (due <= bound), (today, offset, due, bound)


def test_opening_hours_are_settings(db, make_user):
    from hub import settings

    monday = datetime(2026, 12, 7, 8, 29, tzinfo=TOKYO)
    assert not workdays.is_open(db, monday)
    assert workdays.is_open(db, monday.replace(minute=30))
    assert not workdays.is_open(db, monday.replace(hour=17, minute=15))
    assert not workdays.is_open(db, datetime(2026, 12, 5, 10, 0, tzinfo=TOKYO))  # Saturday
    admin = make_user(role=Role.ADMIN)
    assert settings.update(db, admin, workdays.CLOSES.key, "１８：００") == "18:00"
    assert workdays.is_open(db, monday.replace(hour=17, minute=30))
    with pytest.raises(Exception) as bad:
        settings.update(db, admin, workdays.OPENS.key, "25:00")
    assert workdays.OPENS.key in bad.value.fields
