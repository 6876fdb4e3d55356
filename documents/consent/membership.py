"""Who joins a case: another department only within the resident's consent.

A case belongs to its lead department (主管課). Another department joins it only when a consent
of the resident, in force that day, lets the lead give that department at least one
category; it then sees the case and the resident's base data, and of the lead's records only
what the gate cuts for it each day (:mod:`hub.documents.consent.disclosure`). A withdrawal or
an expiry leaves it on the case, seeing only what it received and its own records. The lead
adds departments by hand (:func:`join`), and the mailbox brings in the recipients of a share
the same way (:func:`join_on_delivery`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import audit, jp
from hub.cases import services as cases
from hub.documents.categories import ORDER
from hub.documents.consent import gate
from hub.errors import Conflict, InvalidInput
from hub.models import Case, CaseStatus, Department, DepartmentKind, User
from hub.validation import parse_id

FIELD = "department_ids"
REFUSED = "本人の同意の範囲外の所管課があるため、関係所管に追加しませんでした。"


@dataclass(frozen=True)
class JoinOption:
    """A department not yet on the case: whether the consent lets it join today, and why not."""

    department: Department
    allowed: bool
    reason: str = ""


def _reason(lead: Department, department: Department, decision: gate.Decision) -> str:
    """Why the lead may give the department nothing, with the consent that would be needed."""
    details = sorted({m.detail for m in decision.missing if m.detail})
    why = f"（{'、'.join(details)}）" if details else ""
    return (
        f"{lead.name}→{department.name}の情報の提供を認める有効な同意がありません{why}。"
        f"必要な同意: {lead.name}→{department.name}の情報の区分を1つ以上含む、本人の有効な同意"
    )


def covered(session: Session, case: Case, department: Department, day: date) -> gate.Decision:
    """The gate's answer for lead → department over every category (allowed: any granted)."""
    return gate.covers(
        session, case.resident_id, case.lead_department_id, department.id, ORDER, day
    )


def options(
    session: Session, user: User, case: Case, *, today: date | None = None
) -> list[JoinOption]:
    """Every department that could join, marked allowed or not (for the case page's form)."""
    today = today or jp.today()
    query = select(Department).where(
        Department.is_active,
        Department.kind != DepartmentKind.OTHER,
        Department.id.not_in(case.department_ids),
    )
    departments = list(session.scalars(query.order_by(Department.kind, Department.id)))
    lead = case.lead_department
    decisions = gate.covers_each(session, case.resident_id, lead, departments, ORDER, today)
    result = []
    for department in departments:
        decision = decisions[department.id]
        allowed = bool(decision.consent_ids)
        reason = "" if allowed else _reason(lead, department, decision)
        result.append(JoinOption(department, allowed, reason))
    return result


def _departments(session: Session, raw: Any, case: Case) -> list[Department]:
    """Read the departments to add: existing, active, of a working kind, not yet on the case."""
    items = raw if isinstance(raw, list) else [raw] if raw not in (None, "") else []
    ids = {None if isinstance(i, bool) else parse_id(i) for i in items}
    if not items or None in ids or len(items) > 50:
        raise InvalidInput(fields={FIELD: "追加する所管課を選んでください。"})
    found = list(
        session.scalars(select(Department).where(Department.id.in_(ids)).order_by(Department.id))
    )
    if len(found) != len(ids) or not all(d.is_active for d in found):
        raise InvalidInput(fields={FIELD: "存在しない、または無効な所管課が指定されています。"})
    other = [d.name for d in found if d.kind == DepartmentKind.OTHER]
    if other:
        raise InvalidInput(
            fields={FIELD: f"{'、'.join(other)}は公債権所管・支援所管ではないため追加できません。"}
        )
    return found


def join(
    session: Session, user: User, case_id: int, raw: Any, *, today: date | None = None
) -> Case:
    """Add departments to a case (its lead only), each within the resident's consent that day.

    All or nothing: one department the consent does not cover refuses the lot (409, saying
    which consent would be needed); already on the case or a closed case is a 409 too.
    """
    today = today or jp.today()
    action = "case.add_department"
    case = cases.get_visible(session, user, case_id, action=action)
    cases.require_lead(session, user, case, action, "関係所管の追加")
    if case.status == CaseStatus.CLOSED:
        raise audit.refuse(
            session,
            user,
            action,
            Conflict("終了したケースには所管課を追加できません。", code="case_closed"),
            case,
        )
    departments = _departments(session, raw, case)
    already = [d.name for d in departments if d.id in case.department_ids]
    if already:
        message = f"{'、'.join(already)}は既にこのケースの関係所管です。"
        raise audit.refuse(session, user, action, Conflict(message, code="already_involved"), case)
    reasons = []
    for department in departments:
        decision = gate.check(
            session,
            user,
            case.resident_id,
            case.lead_department_id,
            department.id,
            [c.value for c in ORDER],
            today,
            action="case.join_check",
        )
        if not decision.consent_ids:
            reasons.append(_reason(case.lead_department, department, decision))
    if reasons:
        raise gate.ConsentMissing(reasons, REFUSED)
    cases.involve(session, user, case, departments)
    return case


def join_on_delivery(
    session: Session, user: User, case: Case, recipients: Sequence[Department], day: date
) -> list[Department]:
    """Bring the recipients of a share into the case when the consent lets the lead give them
    something; the others receive the message without joining the case. Returns who joined."""
    joining = [
        d
        for d in recipients
        if d.id not in case.department_ids and covered(session, case, d, day).consent_ids
    ]
    if joining:
        cases.involve(session, user, case, joining)
    return joining
