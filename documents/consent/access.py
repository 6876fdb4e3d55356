"""Who may see and act on a resident's consents.

A consent belongs to the department that obtained it: that department sees all of it and is
the only one that changes it (scope, form, scan, activation, withdrawal). A department named
in its scope (as 提供元 or 提供先) sees that it exists — number, status, validity, the obtaining
department — and the grants to and from itself, never the grants between others, the purposes,
the printed statement or the files (those reach it only as a mailbox share of the form).
A department not named sees nothing of it: 404, as if it did not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import Session

from hub import audit
from hub.documents.consent.models import Consent, ConsentGrant
from hub.errors import Forbidden, NotFound
from hub.models import Resident, User
from hub.residents.services import ADMIN_REFUSED, require_case_worker, visible_residents

OBTAINING, NAMED = "obtaining", "named"


def visible_consents(user: User) -> Select:
    """The consents the user's department obtained or is named in (either direction)."""
    dept = user.department_id
    named = exists().where(
        ConsentGrant.consent_id == Consent.id,
        or_(ConsentGrant.from_department_id == dept, ConsentGrant.to_department_id == dept),
    )
    return select(Consent).where(or_(Consent.obtaining_department_id == dept, named))


def role(consent: Consent, user: User) -> str | None:
    """``obtaining``, ``named`` or None: what the user's department is to this consent."""
    if consent.obtaining_department_id == user.department_id:
        return OBTAINING
    for grant in consent.grants:
        if user.department_id in (grant.from_department_id, grant.to_department_id):
            return NAMED
    return None


@dataclass(frozen=True)
class ConsentView:
    """A consent as one department may see it."""

    consent: Consent
    role: str
    #: The grants shown: all of them to the obtaining department, else those to and from it.
    grants: list[Any]

    @property
    def is_obtaining(self) -> bool:
        return self.role == OBTAINING

    @property
    def purposes(self) -> list[str]:
        """利用の目的: the obtaining department's (a named one sees them on a shared form)."""
        return list(self.consent.purposes) if self.is_obtaining else []

    @property
    def statement_text(self) -> str:
        """The printed statement names every grant: the obtaining department's only."""
        return self.consent.statement_text if self.is_obtaining else ""


def view(consent: Consent, user: User) -> ConsentView:
    """Cut a consent the user may see down to what the user's department may know of it."""
    kind = role(consent, user)
    if kind is None:
        raise ValueError("view() of a consent the department may not see")
    dept = user.department_id
    grants = [
        g
        for g in consent.grants
        if kind == OBTAINING or dept in (g.from_department_id, g.to_department_id)
    ]
    return ConsentView(consent, kind, grants)


def resident(
    session: Session, user: User, resident_id: int, action: str, *, record: bool = True
) -> Resident:
    """Load a resident the user may see, auditing the action; else 403 (admins) or 404.

    ``record=False`` leaves the allowed event to the caller (the gate audits its own answer);
    refusals are always audited.
    """
    require_case_worker(session, user, action, object_type="resident", object_id=resident_id)
    found = session.scalar(visible_residents(user).where(Resident.id == resident_id))
    if found is None:
        raise audit.refuse(
            session,
            user,
            action,
            NotFound(),
            object_type="resident",
            object_id=resident_id,
            reason="not found or not visible",
        )
    if record:
        audit.record(session, user, action, found)
    return found


def consent(
    session: Session,
    user: User,
    resident_id: int,
    consent_id: int,
    action: str,
    *,
    obtaining_only: bool = False,
) -> Consent:
    """Load a consent the user's department obtained or is named in, audited; else 404.

    With ``obtaining_only``, only the department that obtained it may act (403 for a named
    department): it changes the scope, makes the form, registers the scan, activates and
    keeps the files. (A named department may record a withdrawal: see services.withdraw.)
    """
    require_case_worker(session, user, action, object_type="consent", object_id=consent_id)
    found = session.scalar(
        visible_consents(user).where(
            Consent.id == consent_id,
            Consent.resident_id == resident_id,
            Consent.resident_id.in_(visible_residents(user).with_only_columns(Resident.id)),
        )
    )
    if found is None:
        raise audit.refuse(
            session,
            user,
            action,
            NotFound(),
            object_type="consent",
            object_id=consent_id,
            reason="not found, or the department is neither obtaining nor named",
        )
    if obtaining_only and found.obtaining_department_id != user.department_id:
        message = (
            f"この同意は{found.obtaining_department.name}が取得し、管理しています。"
            "範囲の変更・同意書の作成・署名済み同意書の登録・有効化・同意書のファイルは、"
            "同意を取得した所管課が扱います。"
        )
        raise audit.refuse(
            session,
            user,
            action,
            Forbidden(message, code="not_owner"),
            found,
            reason="not the obtaining department",
        )
    audit.record(session, user, action, found)
    return found


def require_party(
    session: Session, user: User, resident_id: int, sender_id: int, recipient_id: int
) -> None:
    """Refuse (403, audited) a question about what two other departments may exchange: the
    answer would tell the grants between others. A department asks about its own pairs."""
    if user.department_id not in (sender_id, recipient_id):
        raise audit.refuse(
            session,
            user,
            "consent.check",
            Forbidden(
                "確認できるのは、自所管課が提供元または提供先になる組み合わせだけです。",
                code="not_a_party",
            ),
            object_type="resident",
            object_id=resident_id,
            reason=f"asked about {sender_id}->{recipient_id}",
        )


__all__ = [
    "ADMIN_REFUSED",
    "NAMED",
    "OBTAINING",
    "ConsentView",
    "consent",
    "require_party",
    "resident",
    "view",
]
