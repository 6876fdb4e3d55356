"""Cases: open, search, view and update, isolated by department.

A case belongs to its lead department (主管課): only the lead changes its status and summary
and writes its records. Other departments join a case only within the resident's consent
(the consent package's membership service checks it, then calls :func:`involve`); being on a case
shows them the case and the resident's base data, never the lead's records as such.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from hub import audit
from hub.db import row_limit, utcnow
from hub.errors import Forbidden, InvalidInput, NotFound
from hub.models import Case, CaseDepartment, CaseStatus, Department, Resident, User
from hub.pagination import Page, paginate
from hub.residents import services as residents
from hub.residents.services import require_case_worker
from hub.validation import Fields, atena_no, parse_id

UNKNOWN_ATENA = "この宛名番号の対象者は登録されていません。先に対象者を登録してください。"
JOIN_LATER = (
    "ケースの作成時には他の所管課を加えられません。作成後、本人の同意の範囲で"
    "「関係所管の追加」から加えてください。"
)
CASE_FIELDS = ("resident_id", "atena_no", "summary", "department_ids")
UPDATE_FIELDS = ("status", "summary")


def visible_cases(user: User) -> Select:
    """Cases in which the user's department is involved."""
    involved = select(CaseDepartment.case_id).where(
        CaseDepartment.department_id == user.department_id
    )
    return select(Case).where(Case.id.in_(involved))


#: How many cases the dashboard lists, last changed first.
RECENT = 5
#: The lists' order, last change first: a backwards range of ``ix_cases_updated_at``.
LAST_CHANGED_FIRST = (Case.updated_at.desc(), Case.id.desc())


def recent_query(user: User, limit: int = RECENT) -> Select:
    """The department's cases, last changed first: read backwards along
    ``ix_cases_updated_at`` until ``limit`` of them are found, at any number of cases."""
    return visible_cases(user).order_by(*LAST_CHANGED_FIRST).limit(row_limit(limit))


def recent(session: Session, user: User, limit: int = RECENT) -> list[Case]:
    """The department's cases last changed (the dashboard's list), audited: it names residents."""
    require_case_worker(session, user, "case.list", object_type="case")
    found = list(session.scalars(recent_query(user, limit)))
    audit.record(session, user, "case.list", object_type="case", reason=f"{len(found)} shown")
    return found


def status_counts(session: Session, user: User) -> dict[CaseStatus, int]:
    """How many of the department's cases are in each state (numbers only)."""
    require_case_worker(session, user, "case.count", object_type="case")
    sub = visible_cases(user).subquery()
    rows = session.execute(select(sub.c.status, func.count()).group_by(sub.c.status)).all()
    return {CaseStatus(status): n for status, n in rows}


def search(
    session: Session, user: User, q: str = "", status: str = "", page: int = 1, per_page: int = 20
) -> Page:
    """Search the user's visible cases by the resident's 宛名番号, name or kana, and status."""
    require_case_worker(session, user, "case.search", object_type="case")
    query = visible_cases(user).join(Case.resident)
    query = residents.search_filter(query, q)
    if status:
        if status not in {s.value for s in CaseStatus}:
            raise InvalidInput(fields={"status": "状態の値が正しくありません。"})
        query = query.where(Case.status == CaseStatus(status))
    query = query.order_by(*LAST_CHANGED_FIRST)
    result = paginate(session, query, page, per_page)
    audit.record(session, user, "case.search", object_type="case", reason=f"{result.total} results")
    return result


def get_visible(session: Session, user: User, case_id: int, *, action: str = "case.view") -> Case:
    """Load a case the user's department is involved in; otherwise NotFound, audited."""
    require_case_worker(session, user, action, object_type="case", object_id=case_id)
    case = session.get(Case, case_id)
    if case is None or not case.is_visible_to(user):
        raise audit.refuse(
            session,
            user,
            action,
            NotFound(),
            object_type="case",
            object_id=case_id,
            reason="not found or department not involved",
        )
    audit.record(session, user, action, case)
    return case


def summary_for(case: Case, user: User) -> str | None:
    """The case's summary (相談の概要) for the user: the lead department's record, shown to no
    other department (None), whatever the consent says — it is not a shared document."""
    return case.summary if case.is_led_by(user) else None


def lead_only_message(case: Case, what: str) -> str:
    """Say who keeps a case's records, for a department that may only read them."""
    return (
        f"{what}は、このケースの主管課（{case.lead_department.name}）が管理する記録です。"
        "他の所管課は変更できません。自所管課の記録は、自所管課のケースで作成してください。"
    )


def require_lead(session: Session, user: User, case: Case, action: str, what: str) -> None:
    """Refuse (403, audited) a change to a case's records by a department other than its lead."""
    if not case.is_led_by(user):
        raise audit.refuse(
            session,
            user,
            action,
            Forbidden(lead_only_message(case, what), code="not_owner"),
            case,
            reason=f"lead department is {case.lead_department_id}",
        )


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
    require_case_worker(session, user, "case.create", object_type="case")
    fields = Fields(data)
    summary = fields.text("summary", "相談の概要", max_length=2000)
    departments = _departments(session, data.get("department_ids"), fields)
    if any(d.id != user.department_id for d in departments):
        fields.error("department_ids", JOIN_LATER)
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
    case.involvements.append(CaseDepartment(department_id=user.department_id, added_by_id=user.id))
    session.flush()
    audit.record(session, user, "case.create", case)
    return case


def update(session: Session, user: User, case_id: int, data: Mapping[str, Any]) -> Case:
    """Change a case's status or summary (its lead department only)."""
    case = get_visible(session, user, case_id, action="case.update")
    require_lead(session, user, case, "case.update", "ケースの状態と相談の概要")
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


def involve(session: Session, user: User, case: Case, departments: list[Department]) -> None:
    """Add departments to a case; the caller has checked that the resident's consent lets
    the lead department give each of them something (the consent package's membership)."""
    for dept in departments:
        case.involvements.append(CaseDepartment(department_id=dept.id, added_by_id=user.id))
        audit.record(session, user, "case.department_added", case, reason=f"department {dept.id}")
    case.updated_at = utcnow()
    session.flush()
