"""What one department may see of another department's records about a resident, on a day.

Every record about a resident has an owning department (a case's lead for its sheets and
judgements, the obtaining department for a consent). Another department sees its content
only as a document shared to it through the mailbox, or through a view cut by the consent
gate: the categories the resident's consent lets the owner give that department on that day
(:func:`cut`). Being on the case grants nothing by itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from hub import audit, jp
from hub.documents.categories import ORDER, InformationCategory
from hub.documents.consent import gate
from hub.documents.consent.scope import category_key
from hub.models import User

ALL = frozenset(c.value for c in ORDER)
WITHHELD = "同意の範囲外のため表示していません"


@dataclass(frozen=True)
class Cut:
    """The categories of an owner's record that a viewer's department may see on ``day``."""

    owner_id: int
    viewer_id: int
    day: date
    allowed: frozenset[str]
    #: category → why it is withheld (the gate's Japanese reason).
    reasons: dict[str, str] = field(default_factory=dict)

    @property
    def is_owner(self) -> bool:
        return self.owner_id == self.viewer_id

    def shows(self, category: str) -> bool:
        return category in self.allowed

    def shows_all(self, categories: Iterable[str]) -> bool:
        return all(c in self.allowed for c in categories)

    def withheld(self, present: Iterable[str]) -> list[str]:
        """The categories of ``present`` the viewer may not see, in display order."""
        return sorted({c for c in present if c not in self.allowed}, key=category_key)

    def notice(self, present: Iterable[str]) -> str | None:
        """「同意の範囲外のため表示していません：民間債務の状況、財産の状況」, or None."""
        hidden = self.withheld(present)
        if not hidden:
            return None
        return f"{WITHHELD}：{'、'.join(InformationCategory(c).label for c in hidden)}"


def owner_cut(user: User, day: date | None = None) -> Cut:
    """The view of a department's own record: everything."""
    return Cut(user.department_id, user.department_id, day or jp.today(), ALL)


def cut(
    session: Session,
    user: User,
    resident_id: int,
    owner_department_id: int,
    *,
    action: str,
    obj: object | None = None,
    day: date | None = None,
) -> Cut:
    """Ask the gate what ``owner`` may give the user's department of this resident on ``day``.

    The owner's own view is everything and is not a disclosure. Anyone else's is audited: the
    categories shown and those withheld (denied when nothing at all may be shown).
    """
    return cut_between(
        session,
        user,
        resident_id,
        owner_department_id,
        user.department_id,
        action=action,
        obj=obj,
        day=day,
    )


def cut_between(
    session: Session,
    actor: User | None,
    resident_id: int,
    owner_department_id: int,
    viewer_department_id: int,
    *,
    action: str,
    obj: object | None = None,
    day: date | None = None,
) -> Cut:
    """What ``owner`` may give ``viewer`` of this resident on ``day``, asked by ``actor``.

    The owner making a document for another department (a case packet) asks this question on
    the recipient's behalf; :func:`cut` is the same question for the actor's own department.
    """
    day = day or jp.today()
    if owner_department_id == viewer_department_id:
        return Cut(owner_department_id, viewer_department_id, day, ALL)
    decision = gate.covers(
        session, resident_id, owner_department_id, viewer_department_id, ORDER, day
    )
    reasons = {m.category: m.reason for m in decision.missing}
    allowed = frozenset(ALL - set(reasons))
    shown = ",".join(sorted(allowed, key=category_key)) or "nothing"
    audit.record(
        session,
        actor,
        action,
        obj,
        object_type="" if obj is not None else "resident",
        object_id="" if obj is not None else resident_id,
        outcome=audit.ALLOWED if allowed else audit.DENIED,
        reason=(
            f"owner {owner_department_id} to {viewer_department_id} cut on "
            f"{day.isoformat()}: {shown}"
        ),
        login_id="" if actor else "scheduler",
    )
    return Cut(owner_department_id, viewer_department_id, day, allowed, reasons)
