"""The token's own user, and the reference data every user needs: departments, claim types."""

from __future__ import annotations

from flask import Response, jsonify

from hub.admin import services
from hub.api import bp, serialize
from hub.api.auth import api_user
from hub.web import db


@bp.get("/me")
def me() -> Response:
    """Describe the user the token belongs to."""
    return jsonify(serialize.user(api_user()))


@bp.get("/departments")
def list_departments() -> Response:
    """List every department (their ids are what cases refer to)."""
    return jsonify(items=[serialize.department(d) for d in services.list_departments(db())])


@bp.get("/claim-types")
def list_claim_types() -> Response:
    """List the claim types (債権) and the departments that collect them."""
    return jsonify(items=[serialize.claim_type(c) for c in services.list_claim_types(db())])
