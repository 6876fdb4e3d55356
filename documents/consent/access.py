"""Who may see and act on a resident's consents: those who may see the resident."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import audit
from hub.documents.consent.models import Consent
from hub.errors import Forbidden, NotFound
from hub.models import Resident, User
from hub.residents.services import visible_residents

ADMIN_REFUSED = "システム管理者は対象者やケースの内容を閲覧できません。"


def _deny(session: Session, user: User, action: str, kind: str, object_id: int, why: str) -> None:
    audit.record(
        session,
        user,
        action,
        object_type=kind,
        object_id=object_id,
        outcome=audit.DENIED,
        reason=why,
    )


def resident(
    session: Session, user: User, resident_id: int, action: str, *, record: bool = True
) -> Resident:
    """Load a resident the user may see, auditing the action; else 403 (admins) or 404.

    ``record=False`` leaves the allowed event to the caller (the gate audits its own answer);
    refusals are always audited.
    """
    if not user.can_read_cases:
        _deny(session, user, action, "resident", resident_id, "administrators read no cases")
        raise Forbidden(ADMIN_REFUSED)
    found = session.scalar(visible_residents(user).where(Resident.id == resident_id))
    if found is None:
        _deny(session, user, action, "resident", resident_id, "not found or not visible")
        raise NotFound()
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
    """Load a consent of a resident the user may see, auditing the action; else 403 or 404.

    With ``obtaining_only``, only the department that takes the consent may act (403):
    it prepares the form, registers the signed scan and activates.
    """
    if not user.can_read_cases:
        _deny(session, user, action, "consent", consent_id, "administrators read no cases")
        raise Forbidden(ADMIN_REFUSED)
    found = session.scalar(
        select(Consent)
        .join(Resident, Resident.id == Consent.resident_id)
        .where(
            Consent.id == consent_id,
            Consent.resident_id == resident_id,
            Resident.id.in_(visible_residents(user).with_only_columns(Resident.id)),
        )
    )
    if found is None:
        _deny(session, user, action, "consent", consent_id, "not found or not visible")
        raise NotFound()
    if obtaining_only and found.obtaining_department_id != user.department_id:
        _deny(session, user, action, "consent", consent_id, "not the obtaining department")
        raise Forbidden(
            f"この同意は{found.obtaining_department.name}が取得するものです。"
            "同意書の作成・署名済み同意書の登録・有効化は、同意を取得する所管課が行います。"
        )
    audit.record(session, user, action, found)
    return found
