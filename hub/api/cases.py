"""Cases over the API: open, search, view, update and involve departments."""

from __future__ import annotations

from flask import Response, jsonify, url_for

from hub.api import bp, serialize
from hub.api.auth import api_user, case_worker
from hub.api.inputs import (
    ID,
    IDS,
    TEXT,
    json_object,
    page_number,
    query_args,
    query_page,
    require_types,
    search_terms,
)
from hub.cases import services
from hub.documents.consent import membership
from hub.web import config, db

_CASE_TYPES = {
    "resident_id": (ID, "対象者ID"),
    "department_ids": (IDS, "関係所管"),
}


@bp.get("/cases")
def list_cases() -> Response:
    """List the cases the user's department is involved in, optionally by status."""
    args = query_args(["page", "status"])
    result = services.search(
        db(),
        api_user(),
        "",
        args.get("status", ""),
        query_page(args),
        config().page_size,
    )
    return jsonify(serialize.page(result, lambda c: serialize.case(c, api_user())))


@bp.post("/cases/search")
def search_cases() -> Response:
    """Search the department's cases by the resident's 宛名番号, name or kana, and status."""
    data = json_object(["q", "status", "page"])
    q, status = search_terms(data, with_status=True)
    result = services.search(
        db(), api_user(), q, status, page_number(data.get("page")), config().page_size
    )
    return jsonify(serialize.page(result, lambda c: serialize.case(c, api_user())))


@bp.post("/cases")
def create_case() -> Response:
    """Open a case led by the user's department, for a resident by id or by 宛名番号."""
    data = json_object(services.CASE_FIELDS)
    require_types(data, _CASE_TYPES)
    case = services.open_case(db(), api_user(), data)
    return serialize.created(
        serialize.case(case, api_user()), url_for(".show_case", case_id=case.id)
    )


@bp.get("/cases/<int:case_id>")
def show_case(case_id: int) -> Response:
    """Show a case the user's department is involved in."""
    user = case_worker("case.view", case_id)
    return jsonify(serialize.case(services.get_visible(db(), user, case_id), user))


@bp.patch("/cases/<int:case_id>")
def update_case(case_id: int) -> Response:
    """Change a case's status or summary."""
    data = json_object(services.UPDATE_FIELDS)
    require_types(data, {"status": (TEXT, "状態")})
    user = case_worker("case.update", case_id)
    return jsonify(serialize.case(services.update(db(), user, case_id, data), user))


@bp.post("/cases/<int:case_id>/departments")
def add_case_departments(case_id: int) -> Response:
    """Add departments to a case (its lead only), each within the resident's consent (409)."""
    data = json_object(["department_ids"])
    require_types(data, {"department_ids": _CASE_TYPES["department_ids"]})
    user = case_worker("case.add_department", case_id)
    case = membership.join(db(), user, case_id, data.get("department_ids"))
    return jsonify(serialize.case(case, user))
