"""Residents over the API: the same services, so the same visibility rules as the screens."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, url_for

from hub.api import bp, serialize
from hub.api.auth import api_user
from hub.api.inputs import json_object, page_number, query_args, query_page, search_terms
from hub.cases import services as cases
from hub.models import Resident
from hub.residents import services
from hub.web import config, db


@bp.get("/residents")
def list_residents() -> Response:
    """List the residents visible to the user's department, a page at a time."""
    args = query_args(["page"])
    result = services.search(db(), api_user(), "", query_page(args), config().page_size)
    return jsonify(serialize.page(result, serialize.resident))


@bp.post("/residents/search")
def search_residents() -> Response:
    """Search visible residents by 宛名番号, name or kana (the term stays out of the URL)."""
    data = json_object(["q", "page"])
    q, _status = search_terms(data)
    result = services.search(db(), api_user(), q, page_number(data.get("page")), config().page_size)
    return jsonify(serialize.page(result, serialize.resident))


@bp.post("/residents")
def create_resident() -> Response:
    """Register a resident for the user's department."""
    data = json_object(services.RESIDENT_FIELDS)
    resident = services.create(db(), api_user(), data)
    return serialize.created(
        serialize.resident(resident), url_for(".show_resident", resident_id=resident.id)
    )


@bp.get("/residents/<int:resident_id>")
def show_resident(resident_id: int) -> Response:
    """Show a visible resident with the cases the department works."""
    user = api_user()
    resident = services.get_visible(db(), user, resident_id)
    body = serialize.resident(resident)
    body["cases"] = [serialize.case_ref(c) for c in cases.cases_of_resident(db(), user, resident)]
    return jsonify(body)


def _current_values(resident: Resident) -> dict[str, Any]:
    return {
        "atena_no": resident.atena_no,
        "name": resident.name,
        "kana": resident.kana,
        "birth_date": serialize.day(resident.birth_date),
        "address": resident.address,
        "phone": resident.phone,
    }


@bp.patch("/residents/<int:resident_id>")
def update_resident(resident_id: int) -> Response:
    """Correct a visible resident's details; fields left out keep their value."""
    data = json_object(services.RESIDENT_FIELDS)
    user = api_user()
    # Read the current values through the same visibility rule; the service checks it again,
    # audits the update and answers 404 (or 403) when the resident is not the user's to edit.
    current = db().scalar(services.visible_residents(user).where(Resident.id == resident_id))
    values = {**_current_values(current), **data} if current is not None else data
    resident = services.update(db(), user, resident_id, values)
    return jsonify(serialize.resident(resident))
