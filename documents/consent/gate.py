"""The consent gate's one question: does a consent let ``sender`` give ``recipient`` this?

:func:`covers` is pure (no writes) and fast: one indexed query for the grants, and one more
for the department names only when something is missing. :func:`check` asks the same question
on behalf of a user and records the answer as an audit event, allowed or denied.

A consent is *in force* on a day when it was activated (a draft never is), was signed on or
before that day, the day is within its validity, and it was not withdrawn on or before that
day. Checks of past days therefore answer as they would have on that day; a consent past its
end covers nothing even before the expiry job marks it expired.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import NamedTuple

from sqlalchemy import CompoundSelect, Select, bindparam, null, or_, select, union_all
from sqlalchemy.orm import Session

from hub import audit, jp
from hub.documents.categories import InformationCategory
from hub.documents.consent.models import Consent, ConsentGrant, ConsentStatus
from hub.documents.consent.scope import category_key
from hub.errors import HubError
from hub.models import Department, User


class Missing(NamedTuple):
    category: str
    #: Japanese, for the screen and the API: what is missing and, if known, why.
    reason: str
    #: Why the nearest consent does not cover it (「同意書番号12は…に撤回済み」), or "".
    detail: str = ""


@dataclass(frozen=True)
class Decision:
    allowed: bool
    missing: list[Missing] = field(default_factory=list)
    #: The consents that cover the categories that are covered (one per category, the one
    #: valid the longest), whether or not the whole request is allowed.
    consent_ids: list[int] = field(default_factory=list)

    @property
    def reasons(self) -> list[str]:
        return [m.reason for m in self.missing]


class Terms(NamedTuple):
    """What the gate needs to know of one consent that grants a category."""

    consent_id: int
    status: ConsentStatus
    obtained_on: date | None
    valid_until: date
    withdrawn_on: date | None


class ConsentMissing(HubError):
    """Something asked for is not covered by an active consent; ``reasons`` says what."""

    status = 409
    code = "consent_missing"
    message = "本人の同意の範囲外です。"

    def __init__(self, reasons: list[str], message: str | None = None) -> None:
        self.reasons = reasons
        super().__init__("\n".join([message or self.message, *reasons]))


def not_in_force(terms: Terms, day: date) -> str | None:
    """Return why the consent does not cover ``day`` (None when it does)."""
    number = f"同意書番号{terms.consent_id}"
    if terms.status == ConsentStatus.DRAFT or terms.obtained_on is None:
        return f"{number}は作成中で、まだ有効になっていません"
    if terms.withdrawn_on is not None and terms.withdrawn_on <= day:
        return f"{number}は{jp.wareki(terms.withdrawn_on)}に撤回済み"
    if day > terms.valid_until:
        return f"{number}は{jp.wareki(terms.valid_until)}で有効期限切れ"
    if day < terms.obtained_on:
        return f"{number}の同意日は{jp.wareki(terms.obtained_on)}です"
    return None


def wanted_categories(categories: Iterable[str]) -> list[str]:
    """Return the distinct categories in display order; unknown or none is a caller's bug."""
    wanted = sorted({InformationCategory(c).value for c in categories}, key=category_key)
    if not wanted:
        raise ValueError("covers() needs at least one category")
    return wanted


def decide(
    candidates: Iterable[tuple[str, Terms]],
    categories: Iterable[str],
    on_date: date,
    names: tuple[str, str] | None = None,
) -> Decision:
    """Decide from the (category, consent terms) pairs that grant the sender → recipient pair.

    ``names`` (sender, recipient) words the reasons; without them only categories are named.
    """
    wanted = wanted_categories(categories)
    by_category: dict[str, list[Terms]] = {c: [] for c in wanted}
    for category, terms in candidates:
        if category in by_category:
            by_category[category].append(terms)
    used, missing = set(), []
    for category, found in by_category.items():
        covering = [t for t in found if not_in_force(t, on_date) is None]
        if covering:
            used.add(max(covering, key=lambda t: (t.valid_until, t.consent_id)).consent_id)
            continue
        detail = _detail(found, on_date)
        missing.append(Missing(category, _reason(category, detail, names), detail))
    return Decision(not missing, missing, sorted(used))


def _detail(found: list[Terms], day: date) -> str:
    if not found:
        return ""
    latest = max(found, key=lambda t: (t.obtained_on or date.min, t.consent_id))
    return not_in_force(latest, day) or ""


def _reason(category: str, detail: str, names: tuple[str, str] | None) -> str:
    pair = f"{names[0]}→{names[1]}の" if names else ""
    text = f"{pair}『{InformationCategory(category).label}』を認める有効な同意がありません"
    return f"{text}（{detail}）" if detail else text


@cache
def _query() -> CompoundSelect:
    """The gate's one statement, built once: the pair's grants, and the two departments' names.

    Both halves are index lookups (consents by resident, grants by consent + pair + category;
    departments by primary key), answered in one round trip.
    """
    c, g, d = Consent.__table__.c, ConsentGrant.__table__.c, Department.__table__.c
    grants = (
        select(
            g.category, c.id, c.status, c.obtained_on, c.valid_until, c.withdrawn_on,
            null().label("name"),
        )
        .select_from(ConsentGrant.__table__.join(Consent.__table__, c.id == g.consent_id))
        .where(
            c.resident_id == bindparam("resident"),
            g.from_department_id == bindparam("sender"),
            g.to_department_id == bindparam("recipient"),
            g.category.in_(bindparam("categories", expanding=True)),
        )
    )  # fmt: skip
    names = select(null(), d.id, null(), null(), null(), null(), d.name).where(
        or_(d.id == bindparam("sender"), d.id == bindparam("recipient"))
    )
    return union_all(grants, names)


def covers(
    session: Session,
    resident_id: int,
    sender_department_id: int,
    recipient_department_id: int,
    categories: Iterable[str],
    on_date: date,
) -> Decision:
    """Allow only if every category is granted sender → recipient by a consent in force."""
    wanted = wanted_categories(categories)
    rows = session.execute(
        _query(),
        {
            "resident": resident_id,
            "sender": sender_department_id,
            "recipient": recipient_department_id,
            "categories": wanted,
        },
    ).all()
    names = {row[1]: row[6] for row in rows if row[6] is not None}
    candidates = [
        (row[0], Terms(row[1], ConsentStatus(row[2]), *row[3:6])) for row in rows if row[6] is None
    ]
    pair = (
        names.get(sender_department_id, f"所管課{sender_department_id}"),
        names.get(recipient_department_id, f"所管課{recipient_department_id}"),
    )
    return decide(candidates, wanted, on_date, pair)


@cache
def _grants_to_each() -> Select:
    """The grants of one resident's consents from one sender to any of many recipients."""
    c, g = Consent.__table__.c, ConsentGrant.__table__.c
    return (
        select(
            g.to_department_id, g.category, c.id, c.status, c.obtained_on, c.valid_until,
            c.withdrawn_on,
        )
        .select_from(ConsentGrant.__table__.join(Consent.__table__, c.id == g.consent_id))
        .where(
            c.resident_id == bindparam("resident"),
            g.from_department_id == bindparam("sender"),
            g.to_department_id.in_(bindparam("recipients", expanding=True)),
            g.category.in_(bindparam("categories", expanding=True)),
        )
    )  # fmt: skip


def covers_each(
    session: Session,
    resident_id: int,
    sender: Department,
    recipients: Sequence[Department],
    categories: Iterable[str],
    on_date: date,
) -> dict[int, Decision]:
    """:func:`covers` for one sender and many recipients, in one statement: each recipient's
    decision by its id (the case page weighs every department that could join)."""
    wanted = wanted_categories(categories)
    if not recipients:
        return {}
    rows = session.execute(
        _grants_to_each(),
        {
            "resident": resident_id,
            "sender": sender.id,
            "recipients": [r.id for r in recipients],
            "categories": wanted,
        },
    ).all()
    found: dict[int, list[tuple[str, Terms]]] = {r.id: [] for r in recipients}
    for to_id, category, consent_id, status, *dates in rows:
        found[to_id].append((category, Terms(consent_id, ConsentStatus(status), *dates)))
    return {r.id: decide(found[r.id], wanted, on_date, (sender.name, r.name)) for r in recipients}


def check(
    session: Session,
    actor: User | None,
    resident_id: int,
    sender_department_id: int,
    recipient_department_id: int,
    categories: Iterable[str],
    on_date: date,
    *,
    action: str = "consent.check",
) -> Decision:
    """Ask :func:`covers` for a user and audit the answer (a denial survives a rollback)."""
    wanted = wanted_categories(categories)
    decision = covers(
        session, resident_id, sender_department_id, recipient_department_id, wanted, on_date
    )
    pair = f"{sender_department_id}->{recipient_department_id} on {on_date.isoformat()}"
    if decision.allowed:
        reason = f"{pair} {','.join(wanted)} consents {decision.consent_ids}"
    else:
        reason = f"{pair} missing {','.join(m.category for m in decision.missing)}"
    audit.record(
        session,
        actor,
        action,
        object_type="resident",
        object_id=resident_id,
        outcome=audit.ALLOWED if decision.allowed else audit.DENIED,
        reason=reason,
    )
    return decision
