"""Turn models into the API's JSON, field by field (never a password or token hash)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from flask import Response, jsonify

from hub.cases.services import summary_for
from hub.models import Case, ClaimType, Department, Resident, User
from hub.pagination import Page


def timestamp(value: datetime | None) -> str | None:
    """Format an aware datetime as ISO 8601 in UTC: 2026-04-01T00:30:00Z."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def department_ref(dept: Department) -> dict[str, Any]:
    return {"id": dept.id, "code": dept.code, "name": dept.name}


def department(dept: Department) -> dict[str, Any]:
    return {
        **department_ref(dept),
        "kind": dept.kind.value,
        "contact_phone": dept.contact_phone,
        "contact_email": dept.contact_email,
        "is_active": dept.is_active,
        "requires_approval": dept.requires_approval,
    }


def claim_type(claim: ClaimType) -> dict[str, Any]:
    return {
        "id": claim.id,
        "code": claim.code,
        "name": claim.name,
        "department_id": claim.department_id,
        "limitation_years": claim.limitation_years,
        "is_enforced": claim.is_enforced,
    }


def user(person: User) -> dict[str, Any]:
    return {
        "id": person.id,
        "login_id": person.login_id,
        "display_name": person.display_name,
        "role": person.role.value,
        "department": department_ref(person.department),
        "is_active": person.is_active,
        "last_login_at": timestamp(person.last_login_at),
        "created_at": timestamp(person.created_at),
    }


def resident_ref(resident: Resident) -> dict[str, Any]:
    return {
        "id": resident.id,
        "atena_no": resident.atena_no,
        "name": resident.name,
        "kana": resident.kana,
    }


def resident(resident: Resident) -> dict[str, Any]:
    return {
        **resident_ref(resident),
        "birth_date": day(resident.birth_date),
        "address": resident.address,
        "phone": resident.phone,
        "created_by_department_id": resident.created_by_department_id,
        "created_at": timestamp(resident.created_at),
        "updated_at": timestamp(resident.updated_at),
    }


def case_ref(case: Case) -> dict[str, Any]:
    return {
        "id": case.id,
        "status": case.status.value,
        "lead_department": department_ref(case.lead_department),
        "opened_at": timestamp(case.opened_at),
    }


def case(case: Case, viewer: User) -> dict[str, Any]:
    """A case as ``viewer`` may see it: the summary is the lead department's record."""
    involved = sorted((inv.department for inv in case.involvements), key=lambda d: d.id)
    is_lead = case.is_led_by(viewer)
    return {
        "id": case.id,
        "resident": resident_ref(case.resident),
        "status": case.status.value,
        "summary": summary_for(case, viewer),
        "is_lead": is_lead,
        "lead_department": department_ref(case.lead_department),
        "departments": [department_ref(d) for d in involved],
        "opened_at": timestamp(case.opened_at),
        "closed_at": timestamp(case.closed_at),
        "updated_at": timestamp(case.updated_at),
    }


def page(result: Page, item: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    return {
        "items": [item(row) for row in result.items],
        "page": result.page,
        "pages": result.pages,
        "per_page": result.per_page,
        "total": result.total,
    }


def created(body: dict[str, Any], location: str | None = None) -> Response:
    """Answer 201 with the new object (and where to read it, if it has its own URL)."""
    response = jsonify(body)
    response.status_code = 201
    if location:
        response.headers["Location"] = location
    return response
