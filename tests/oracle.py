"""A naive oracle of the consent rule, over plain Python records (never the gate's code).

Used by the mailbox property test, the hypothesis state machine of the access model and the
information-flow test over every route: each asks "may department X give category K to
department Y on this day?" and compares with what the hub did.

Departments are plain keys (an index or an id): the oracle does not care which.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date

#: Pseudo-categories of markers: a record no other department may ever see (a case's summary),
#: and a consent's own terms (purposes, statement, the signed scan), which reach another
#: department only as a mailbox share of the form — while it still gives that department at
#: least one category.
OWN, CONSENT_TERMS = "own", "consent_terms"


@dataclass
class Record:
    """What the oracle knows of one consent."""

    active: bool
    obtained_on: date | None
    valid_until: date
    #: (from department, to department, category)
    grants: set[tuple[Hashable, Hashable, str]]
    withdrawn_on: date | None = None
    id: int = 0

    def in_force(self, day: date) -> bool:
        return (
            self.active
            and self.obtained_on is not None
            and self.obtained_on <= day <= self.valid_until
            and (self.withdrawn_on is None or day < self.withdrawn_on)
        )


@dataclass
class Oracle:
    records: list[Record] = field(default_factory=list)
    #: (obtaining department, recipient) pairs to which the signed form was shared by mail.
    shared_forms: set[tuple[Hashable, Hashable]] = field(default_factory=set)

    def covers(self, sender: Hashable, recipient: Hashable, categories: Iterable[str], day: date):
        """Every category is granted sender → recipient by a consent in force that day."""
        return all(
            any(r.in_force(day) and (sender, recipient, c) in r.grants for r in self.records)
            for c in categories
        )

    def covers_any(self, sender: Hashable, recipient: Hashable, day: date) -> bool:
        """Some category is granted sender → recipient by a consent in force that day."""
        return any(
            r.in_force(day) and s == sender and t == recipient
            for r in self.records
            for s, t, _c in r.grants
        )

    def may_see(self, owner: Hashable, viewer: Hashable, category: str, day: date) -> bool:
        """May a marker of ``owner``'s record in ``category`` reach ``viewer`` on ``day``?"""
        if owner == viewer:
            return True
        if category == OWN:
            return False
        if category == CONSENT_TERMS:
            shared = (owner, viewer) in self.shared_forms
            return shared and self.covers_any(owner, viewer, day)
        return self.covers(owner, viewer, [category], day)
