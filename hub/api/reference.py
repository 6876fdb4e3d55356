"""The token's own user, and the reference data every user needs: departments, claim types."""

from __future__ import annotations

from flask import Response

from hub.admin import services
from hub.api.auth import api_user
from hub.api.blueprint import api_blueprint
from hub.api.models import ClaimTypeOut, DepartmentOut, Items, UserOut, respond
from hub.web import db

bp = api_blueprint("reference_api", __name__, "利用者・参照データ")


class DepartmentList(Items[DepartmentOut]):
    """Every department."""


class ClaimTypeList(Items[ClaimTypeOut]):
    """Every claim type."""


@bp.get("/me", responses={200: UserOut})
def me() -> Response:
    """Describe the user the token belongs to."""
    return respond(UserOut.of(api_user()))


@bp.get("/departments", responses={200: DepartmentList})
def list_departments() -> Response:
    """List every department (their ids are what cases refer to)."""
    departments = services.list_departments(db())
    return respond(DepartmentList(items=[DepartmentOut.of(d) for d in departments]))


@bp.get("/claim-types", responses={200: ClaimTypeList})
def list_claim_types() -> Response:
    """List the claim types (債権) and the departments that collect them."""
    claims = services.list_claim_types(db())
    return respond(ClaimTypeList(items=[ClaimTypeOut.model_validate(c) for c in claims]))
