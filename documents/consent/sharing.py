"""情報共有の依頼: a department asks others to share information with it, within consent.

Each department asked and each category is checked with the gate (``asked → requester``) on
the day of the request; one miss refuses the whole request and writes nothing but the audit.
The mailbox carries the request to the departments asked.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from hub import audit, jp
from hub.documents.categories import ORDER
from hub.documents.consent import access, gate
from hub.documents.consent.models import SharingRequest, SharingRequestItem
from hub.documents.consent.scope import category_key
from hub.models import Department, User
from hub.validation import Fields, parse_id

FIELDS = ("department_ids", "categories", "note")
REFUSED = "本人の同意の範囲外の項目があるため、情報共有を依頼できません。"


def _departments(session: Session, fields: Fields, raw: Any, user: User) -> list[Department]:
    ids = raw if isinstance(raw, list) else []
    wanted = {parse_id(i) for i in ids if not isinstance(i, bool)}
    if not ids or None in wanted or len(wanted) != len(ids) or len(ids) > 50:
        fields.error("department_ids", "依頼先の所管課を1つ以上選んでください。")
        return []
    if user.department_id in wanted:
        fields.error("department_ids", "自所管課には依頼できません。")
        return []
    found = list(
        session.scalars(select(Department).where(Department.id.in_(wanted), Department.is_active))
    )
    if len(found) != len(wanted):
        fields.error("department_ids", "存在しない、または無効な所管課が含まれています。")
    return sorted(found, key=lambda d: d.id)


def _categories(fields: Fields, raw: Any) -> list[str]:
    known = {c.value for c in ORDER}
    if (
        not isinstance(raw, list)
        or not raw
        or not all(isinstance(c, str) and c in known for c in raw)
    ):
        fields.error("categories", "依頼する情報の区分を1つ以上選んでください。")
        return []
    return sorted(set(raw), key=category_key)


def create(
    session: Session,
    user: User,
    resident_id: int,
    data: Mapping[str, Any],
    *,
    today: date | None = None,
) -> SharingRequest:
    """Record a sharing request that lies within an active consent's scope."""
    today = today or jp.today()
    resident = access.resident(session, user, resident_id, "sharing_request.create")
    fields = Fields(data)
    departments = _departments(session, fields, data.get("department_ids"), user)
    categories = _categories(fields, data.get("categories"))
    note = fields.text("note", "依頼の内容", max_length=2000)
    fields.check()
    reasons, consent_ids = [], set()
    for department in departments:
        decision = gate.check(
            session,
            user,
            resident.id,
            department.id,
            user.department_id,
            categories,
            today,
            action="sharing_request.check",
        )
        reasons += decision.reasons
        consent_ids.update(decision.consent_ids)
    if reasons:
        raise gate.ConsentMissing(reasons, REFUSED)
    request = SharingRequest(
        resident_id=resident.id,
        requesting_department_id=user.department_id,
        requested_by_id=user.id,
        note=note,
        consent_ids=sorted(consent_ids),
    )
    request.items = [
        SharingRequestItem(department_id=d.id, category=c) for d in departments for c in categories
    ]
    session.add(request)
    session.flush()
    audit.record(session, user, "sharing_request.create", request)
    return request


def requests_of(session: Session, user: User, resident_id: int) -> list[SharingRequest]:
    """Requests about a resident that the user's department made or was asked (newest first)."""
    asked = select(SharingRequestItem.request_id).where(
        SharingRequestItem.department_id == user.department_id
    )
    return list(
        session.scalars(
            select(SharingRequest)
            .where(
                SharingRequest.resident_id == resident_id,
                or_(
                    SharingRequest.requesting_department_id == user.department_id,
                    SharingRequest.id.in_(asked),
                ),
            )
            .order_by(SharingRequest.id.desc())
        )
    )


def list_for_resident(session: Session, user: User, resident_id: int) -> list[SharingRequest]:
    """List the sharing requests of a visible resident that concern the user's department."""
    resident = access.resident(session, user, resident_id, "sharing_request.list")
    return requests_of(session, user, resident.id)
