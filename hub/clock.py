"""The clock every job and service asks for the time, so tests control time and never sleep.

A :class:`Clock` answers ``now()`` with an aware UTC datetime; ``today()`` is the date in
Japan (the date that counts for deadlines). Production uses :class:`SystemClock`; tests and
the scheduler's test subprocesses use :class:`FixedClock` (``TSUNAGU_FIXED_NOW``, refused in
production).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from hub.jp import TOKYO


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock that stands still until a test moves it."""

    at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")

    def now(self) -> datetime:
        return self.at.astimezone(UTC)

    def advance(self, **delta: float) -> None:
        self.at = self.at + timedelta(**delta)

    def set(self, at: datetime) -> None:
        self.at = at


def today(clock: Clock) -> date:
    """The clock's date in Japan."""
    return clock.now().astimezone(TOKYO).date()


def parse_fixed(text: str) -> FixedClock:
    """A fixed clock from ISO text; a time without zone is Japan time (2026-12-07T10:00)."""
    at = datetime.fromisoformat(text.strip())
    if at.tzinfo is None:
        at = at.replace(tzinfo=TOKYO)
    return FixedClock(at)


def from_config(fixed_now: str) -> Clock:
    return parse_fixed(fixed_now) if fixed_now else SystemClock()
