"""Administration over the API: users and departments, for administrators only."""

from __future__ import annotations

from flask import Response, jsonify

from hub.admin import services
from hub.api import bp, serialize
from hub.api.auth import api_user
from hub.api.inputs import BOOLEAN, ID, json_object, require_types
from hub.models import User
from hub.web import db, hasher

USER_PATCH_FIELDS = ("display_name", "department_id", "role", "is_active")
_USER_TYPES = {"department_id": (ID, "所管課ID"), "is_active": (BOOLEAN, "有効")}
_DEPARTMENT_TYPES = {
    "is_active": (BOOLEAN, "有効"),
    "requires_approval": (BOOLEAN, "共有前の管理職承認"),
}


def _admin() -> User:
    """Return the token's user if an administrator; 403 before reading anything else."""
    user = api_user()
    services.require_admin(user)
    return user


@bp.get("/users")
def list_users() -> Response:
    """List every user with their department and role."""
    _admin()
    return jsonify(items=[serialize.user(u) for u in services.list_users(db())])


@bp.post("/users")
def create_user() -> Response:
    """Create a user with an initial password."""
    actor = _admin()
    data = json_object(services.USER_FIELDS)
    require_types(data, _USER_TYPES)
    user = services.add_user(db(), actor, hasher(), data)
    return serialize.created(serialize.user(user))


@bp.patch("/users/<int:user_id>")
def update_user(user_id: int) -> Response:
    """Change a user's name, department, role or active flag; fields left out keep their value."""
    actor = _admin()
    data = json_object(USER_PATCH_FIELDS)
    require_types(data, _USER_TYPES)
    target = services.get_user(db(), user_id)
    current = {
        "display_name": target.display_name,
        "department_id": target.department_id,
        "role": target.role.value,
        "is_active": target.is_active,
    }
    user = services.update_user(db(), actor, user_id, {**current, **data})
    return jsonify(serialize.user(user))


@bp.post("/departments")
def create_department() -> Response:
    """Create a department."""
    actor = _admin()
    data = json_object(services.DEPARTMENT_FIELDS)
    require_types(data, _DEPARTMENT_TYPES)
    dept = services.save_department(db(), actor, data)
    return serialize.created(serialize.department(dept))


@bp.patch("/departments/<int:department_id>")
def update_department(department_id: int) -> Response:
    """Change a department; fields left out keep their value."""
    actor = _admin()
    data = json_object(services.DEPARTMENT_FIELDS)
    require_types(data, _DEPARTMENT_TYPES)
    dept = services.get_department(db(), department_id)
    current = {
        "code": dept.code,
        "name": dept.name,
        "kind": dept.kind.value,
        "contact_phone": dept.contact_phone,
        "contact_email": dept.contact_email,
        "is_active": dept.is_active,
        "requires_approval": dept.requires_approval,
    }
    dept = services.save_department(db(), actor, {**current, **data}, department_id)
    return jsonify(serialize.department(dept))
