"""covers() decides exactly by the rule: never an allow outside the scope or the validity,
always an allow inside it (pure, in memory, against a naive oracle)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.documents.categories import InformationCategory
from hub.documents.consent.gate import Terms, decide, not_in_force
from hub.documents.consent.models import ConsentStatus

from .scopes import DEPARTMENTS, FakeConsent, covered, in_force, questions, worlds

PROPERTY = settings(max_examples=200, deadline=None)


def _candidates(world: list[FakeConsent], sender: int, recipient: int):
    """What the database query returns: the grants of this sender → recipient pair."""
    return [
        (category, Terms(c.consent_id, c.status, c.obtained_on, c.valid_until, c.withdrawn_on))
        for c in world
        for (s, r, category) in c.grants
        if (s, r) == (sender, recipient)
    ]


@PROPERTY
@given(world=worlds(), question=questions)
def test_decision_matches_the_rule_for_any_scope_date_and_withdrawal(world, question):
    sender, recipient, categories, day = question
    decision = decide(_candidates(world, sender, recipient), categories, day, ("甲課", "乙課"))

    expected_missing = {c for c in categories if not covered(world, sender, recipient, c, day)}
    assert decision.allowed == (not expected_missing)
    assert {m.category for m in decision.missing} == expected_missing
    by_id = {c.consent_id: c for c in world}
    for consent_id in decision.consent_ids:
        used = by_id[consent_id]
        assert in_force(used, day)
        assert any((sender, recipient, c) in used.grants for c in categories)
    for missing in decision.missing:
        label = InformationCategory(missing.category).label
        assert missing.reason.startswith(f"甲課→乙課の『{label}』を認める有効な同意がありません")


@PROPERTY
@given(
    world=worlds(max_consents=4),
    question=questions,
    status=st.sampled_from([ConsentStatus.ACTIVE, ConsentStatus.WITHDRAWN, ConsentStatus.EXPIRED]),
    before=st.integers(0, 300),
    after=st.integers(0, 300),
    withdrawn_after=st.integers(1, 300),
)
def test_a_consent_in_force_that_grants_everything_asked_allows(
    world, question, status, before, after, withdrawn_after
):
    sender, recipient, categories, day = question
    if sender == recipient:
        recipient = (sender + 1) % len(DEPARTMENTS)
    withdrawn = day + timedelta(days=withdrawn_after) if status == ConsentStatus.WITHDRAWN else None
    granting = FakeConsent(
        99,
        status,
        day - timedelta(days=before),
        day + timedelta(days=after),
        withdrawn,
        frozenset((sender, recipient, c) for c in categories),
    )
    decision = decide(_candidates([*world, granting], sender, recipient), categories, day)
    assert decision.allowed
    assert decision.missing == []
    assert decision.consent_ids


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@pytest.mark.parametrize(
    ("status", "obtained", "until", "withdrawn", "day", "why"),
    [
        ("draft", None, "2027-03-31", None, "2026-05-01", "作成中で、まだ有効になっていません"),
        ("active", "2026-04-01", "2027-03-31", None, "2026-03-31", "の同意日は令和8年4月1日です"),
        (
            "active",
            "2026-04-01",
            "2027-03-31",
            None,
            "2027-04-01",
            "は令和9年3月31日で有効期限切れ",
        ),
        (
            "expired",
            "2026-04-01",
            "2027-03-31",
            None,
            "2027-04-01",
            "は令和9年3月31日で有効期限切れ",
        ),
        (
            "withdrawn",
            "2026-04-01",
            "2027-03-31",
            "2026-06-01",
            "2026-06-01",
            "は令和8年6月1日に撤回済み",
        ),
        ("withdrawn", "2026-04-01", "2027-03-31", "2026-06-01", "2026-05-31", None),
        ("active", "2026-04-01", "2027-03-31", None, "2027-03-31", None),
    ],
)
def test_the_reason_says_why_a_consent_does_not_cover_the_day(
    status, obtained, until, withdrawn, day, why
):
    terms = Terms(12, ConsentStatus(status), _day(obtained), _day(until), _day(withdrawn))
    reason = not_in_force(terms, _day(day))
    if why is None:
        assert reason is None
    else:
        expected = f"同意書番号12{why}" if why.startswith(("は", "の")) else f"同意書番号12は{why}"
        assert reason == expected


def test_no_category_is_a_callers_mistake():
    with pytest.raises(ValueError):
        decide([], [], date(2026, 4, 1))
    with pytest.raises(ValueError):
        decide([], ["bank_balance"], date(2026, 4, 1))
