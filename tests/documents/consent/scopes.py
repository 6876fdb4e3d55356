"""Hypothesis strategies for consents and an oracle that says, naively, what they cover.

The oracle restates the rule from the issue without sharing code with hub.documents.consent:
allowed only if for every category some consent of the resident, activated, with
obtained_on ≤ day ≤ valid_until and not withdrawn on or before the day, grants it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from hypothesis import strategies as st

from hub.documents.categories import ORDER
from hub.documents.consent.models import ConsentStatus

#: Department slots; tests map them to real department ids.
DEPARTMENTS = (0, 1, 2, 3)
CATEGORIES = tuple(c.value for c in ORDER)
START = date(2026, 1, 1)
#: A window of days wide enough for validity ends, withdrawals and checks on either side.
SPAN = 800


@dataclass(frozen=True)
class FakeConsent:
    consent_id: int
    status: ConsentStatus
    obtained_on: date | None
    valid_until: date
    withdrawn_on: date | None
    grants: frozenset[tuple[int, int, str]]


def days_from_start(n: int) -> date:
    return START + timedelta(days=n)


grants = st.frozensets(
    st.tuples(
        st.sampled_from(DEPARTMENTS), st.sampled_from(DEPARTMENTS), st.sampled_from(CATEGORIES)
    ).filter(lambda g: g[0] != g[1]),
    max_size=12,
)


@st.composite
def consents(draw, consent_id: int) -> FakeConsent:
    status = draw(st.sampled_from(list(ConsentStatus)))
    start = draw(st.integers(0, SPAN // 2))
    obtained = None if status == ConsentStatus.DRAFT else days_from_start(start)
    valid_until = days_from_start(start + draw(st.integers(-5, 400)))
    withdrawn = None
    if status == ConsentStatus.WITHDRAWN:
        withdrawn = days_from_start(start + draw(st.integers(0, 420)))
    return FakeConsent(consent_id, status, obtained, valid_until, withdrawn, draw(grants))


@st.composite
def worlds(draw, max_consents: int = 6) -> list[FakeConsent]:
    count = draw(st.integers(0, max_consents))
    return [draw(consents(consent_id=n + 1)) for n in range(count)]


questions = st.tuples(
    st.sampled_from(DEPARTMENTS),
    st.sampled_from(DEPARTMENTS),
    st.frozensets(st.sampled_from(CATEGORIES), min_size=1, max_size=4),
    st.integers(-10, SPAN).map(days_from_start),
)


def in_force(consent: FakeConsent, day: date) -> bool:
    return (
        consent.status != ConsentStatus.DRAFT
        and consent.obtained_on is not None
        and consent.obtained_on <= day <= consent.valid_until
        and (consent.withdrawn_on is None or day < consent.withdrawn_on)
    )


def covered(
    world: list[FakeConsent], sender: int, recipient: int, category: str, day: date
) -> bool:
    return any(in_force(c, day) and (sender, recipient, category) in c.grants for c in world)
