"""Cases: open, search, view and update, isolated by department."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from hub import audit
from hub.db import utcnow
from hub.errors import Forbidden, InvalidInput, NotFound
from hub.models import Case, CaseDepartment, CaseStatus, Department, Resident, User
from hub.pagination import Page, paginate
from hub.residents import services as residents
from hub.residents.services import require_case_worker
from hub.validation import Fields, atena_no, parse_id

UNKNOWN_ATENA = "この宛名番号の対象者は登録されていません。先に対象者を登録してください。"
CASE_FIELDS = ("resident_id", "atena_no", "summary", "department_ids")
UPDATE_FIELDS = ("status", "summary")


def visible_cases(user: User) -> Select:
    """Cases in which the user's department is involved."""
    involved = select(CaseDepartment.case_id).where(
        CaseDepartment.department_id == user.department_id
    )
    return select(Case).where(Case.id.in_(involved))


def search(
    session: Session, user: User, q: str = "", status: str = "", page: int = 1, per_page: int = 20
) -> Page:
    """Search the user's visible cases by the resident's 宛名番号, name or kana, and status."""
    require_case_worker(user)
    query = visible_cases(user).join(Case.resident)
    query = residents.search_filter(query, q)
    if status:
        if status not in {s.value for s in CaseStatus}:
            raise InvalidInput(fields={"status": "状態の値が正しくありません。"})
        query = query.where(Case.status == CaseStatus(status))
    query = query.order_by(Case.updated_at.desc(), Case.id.desc())
    result = paginate(session, query, page, per_page)
    audit.record(session, user, "case.search", object_type="case", reason=f"{result.total} results")
    return result


def get_visible(session: Session, user: User, case_id: int, *, action: str = "case.view") -> Case:
    """Load a case the user's department is involved in; otherwise NotFound, audited."""
    require_case_worker(user)
    case = session.get(Case, case_id)
    if case is None or not case.is_visible_to(user):
        audit.record(
            session,
            user,
            action,
            object_type="case",
            object_id=case_id,
            outcome=audit.DENIED,
            reason="not found or department not involved",
        )
        raise NotFound()
    audit.record(session, user, action, case)
    return case


def cases_of_resident(session: Session, user: User, resident: Resident) -> list[Case]:
    return list(
        session.scalars(
            visible_cases(user)
            .where(Case.resident_id == resident.id)
            .order_by(Case.opened_at.desc())
        )
    )


def _departments(session: Session, ids: Any, fields: Fields) -> list[Department]:
    if ids in (None, ""):
        return []
    if isinstance(ids, (str, int)):
        ids = [ids]
    if not isinstance(ids, list) or len(ids) > 50:
        fields.error("department_ids", "関係所管の指定が正しくありません。")
        return []
    wanted = {parse_id(i) for i in ids}
    if None in wanted:
        fields.error("department_ids", "関係所管の指定が正しくありません。")
        return []
    found = list(
        session.scalars(select(Department).where(Department.id.in_(wanted), Department.is_active))
    )
    if len(found) != len(wanted):
        fields.error("department_ids", "存在しない所管課が指定されています。")
    return found


def open_case(session: Session, user: User, data: Mapping[str, Any]) -> Case:
    """Open a case led by the user's department for a resident (by id, or by 宛名番号)."""
    if not user.can_read_cases:
        raise Forbidden("システム管理者はケースを作成できません。")
    fields = Fields(data)
    summary = fields.text("summary", "相談の概要", max_length=2000)
    departments = _departments(session, data.get("department_ids"), fields)
    resident: Resident | None = None
    if data.get("resident_id") not in (None, ""):
        resident_id = parse_id(data["resident_id"])
        if resident_id is None:
            fields.error("resident_id", "対象者の指定が正しくありません。")
        else:
            fields.check()
            resident = residents.get_visible(session, user, resident_id, action="case.create")
    else:
        # The department knows the 宛名番号 from its own records: that is what lets it open a
        # case for a resident another department registered.
        number = atena_no(fields)
        fields.check()
        resident = residents.find_by_atena(session, number)
        if resident is None:
            raise InvalidInput(fields={"atena_no": UNKNOWN_ATENA})
    fields.check()
    case = Case(
        resident=resident,
        lead_department_id=user.department_id,
        summary=summary,
        created_by_id=user.id,
    )
    session.add(case)
    for dept_id in {user.department_id, *(d.id for d in departments)}:
        case.involvements.append(CaseDepartment(department_id=dept_id, added_by_id=user.id))
    session.flush()
    audit.record(session, user, "case.create", case)
    return case


def update(session: Session, user: User, case_id: int, data: Mapping[str, Any]) -> Case:
    """Change a case's status or summary (any involved department)."""
    case = get_visible(session, user, case_id, action="case.update")
    fields = Fields(data)
    status = fields.choice("status", "状態", [s.value for s in CaseStatus], required=False)
    summary = fields.text("summary", "相談の概要", max_length=2000) if "summary" in data else None
    fields.check()
    if status and CaseStatus(status) != case.status:
        case.status = CaseStatus(status)
        case.closed_at = utcnow() if case.status == CaseStatus.CLOSED else None
    if summary is not None:
        case.summary = summary
    case.updated_at = utcnow()
    session.flush()
    return case


def add_department(session: Session, user: User, case_id: int, department_id: Any) -> Case:
    """Involve another department in a case (it can then see the case)."""
    case = get_visible(session, user, case_id, action="case.add_department")
    fields = Fields({"department_ids": department_id})
    found = _departments(session, department_id, fields)
    if not found and "department_ids" not in fields.errors:
        fields.error("department_ids", "追加する所管課を選んでください。")
    fields.check()
    for dept in found:
        if dept.id not in case.department_ids:
            case.involvements.append(CaseDepartment(department_id=dept.id, added_by_id=user.id))
            audit.record(
                session, user, "case.department_added", case, reason=f"department {dept.id}"
            )
    case.updated_at = utcnow()
    session.flush()
    return case
