"""Administration over the API: users and departments, for administrators only."""

from __future__ import annotations

from flask import Response
from pydantic import Field

from hub.admin import services
from hub.api.auth import api_user
from hub.api.blueprint import api_blueprint, errors
from hub.api.models import (
    Body,
    DepartmentOut,
    DepartmentPath,
    Flag,
    Id,
    Items,
    Maybe,
    Text,
    UserOut,
    UserPath,
    respond,
)
from hub.models import DepartmentKind, Role, User
from hub.web import db, hasher

bp = api_blueprint("admin_api", __name__, "管理")
ROLE = "staff: 担当者 / manager: 管理職 / admin: システム管理者"
KIND = "collection: 公債権所管 / support: 支援所管 / other: その他"


class UserList(Items[UserOut]):
    """Every user."""


class UserPatch(Body):
    """The fields to change; those left out keep their value."""

    display_name: Text | Maybe = Field(None, max_length=100, title="氏名")
    department_id: Id | Maybe = Field(None, title="所管課ID")
    role: Role | Maybe = Field(None, title="権限", description=ROLE)
    is_active: Flag | Maybe = Field(None, title="有効")


class UserInput(UserPatch):
    """A user to create, with an initial password."""

    login_id: Text = Field(max_length=64, title="ログインID", pattern=r"^[A-Za-z0-9._-]{3,64}$")
    display_name: Text = Field(max_length=100, title="氏名")
    department_id: Id = Field(title="所管課ID")
    role: Role = Field(title="権限", description=ROLE)
    password: Text = Field(min_length=12, max_length=128, title="初期パスワード")


class DepartmentPatch(Body):
    """The fields to change; those left out keep their value."""

    code: Text | Maybe = Field(
        None,
        max_length=32,
        pattern=r"^[a-z][a-z0-9_-]{1,31}$",
        title="コード",
        description="英小文字で始まる英数字・ハイフン・下線（2〜32文字）",
    )
    name: Text | Maybe = Field(None, max_length=100, title="所管課名")
    kind: DepartmentKind | Maybe = Field(None, title="種別", description=KIND)
    contact_phone: Text | Maybe = Field(None, max_length=30, title="電話番号")
    contact_email: Text | Maybe = Field(None, max_length=254, title="メールアドレス")
    is_active: Flag | Maybe = Field(None, title="有効")
    requires_approval: Flag | Maybe = Field(
        None, title="共有前の管理職承認", description="共有の送信前に管理職の承認を要する"
    )


class DepartmentInput(DepartmentPatch):
    """A department to create."""

    code: Text = Field(
        max_length=32,
        pattern=r"^[a-z][a-z0-9_-]{1,31}$",
        title="コード",
        description="英小文字で始まる英数字・ハイフン・下線（2〜32文字）",
    )
    name: Text = Field(max_length=100, title="所管課名")
    kind: DepartmentKind = Field(title="種別", description=KIND)


def _admin() -> User:
    """Return the token's user if an administrator; 403 before reading anything else."""
    user = api_user()
    services.require_admin(user)
    return user


@bp.before_request
def _administrators_only() -> None:
    """Refuse everyone but administrators before a body is read."""
    _admin()


@bp.get("/users", responses={200: UserList, **errors(403)})
def list_users() -> Response:
    """List every user with their department and role."""
    _admin()
    return respond(UserList(items=[UserOut.of(u) for u in services.list_users(db())]))


@bp.post("/users", responses={201: UserOut, **errors(403, 409)})
def create_user(body: UserInput) -> Response:
    """Create a user with an initial password."""
    actor = _admin()
    user = services.add_user(
        db(), actor, hasher(), body.model_dump(exclude_unset=True, mode="json")
    )
    return respond(UserOut.of(user), 201)


@bp.patch("/users/<int:user_id>", responses={200: UserOut, **errors(403, 404, 409)})
def update_user(path: UserPath, body: UserPatch) -> Response:
    """Change a user's name, department, role or active flag; fields left out keep their value."""
    actor = _admin()
    target = services.get_user(db(), path.user_id)
    current = {
        "display_name": target.display_name,
        "department_id": target.department_id,
        "role": target.role.value,
        "is_active": target.is_active,
    }
    changes = body.model_dump(exclude_unset=True, mode="json")
    user = services.update_user(db(), actor, path.user_id, {**current, **changes})
    return respond(UserOut.of(user))


@bp.post("/departments", responses={201: DepartmentOut, **errors(403, 409)})
def create_department(body: DepartmentInput) -> Response:
    """Create a department."""
    actor = _admin()
    dept = services.save_department(db(), actor, body.model_dump(exclude_unset=True, mode="json"))
    return respond(DepartmentOut.of(dept), 201)


@bp.patch(
    "/departments/<int:department_id>", responses={200: DepartmentOut, **errors(403, 404, 409)}
)
def update_department(path: DepartmentPath, body: DepartmentPatch) -> Response:
    """Change a department; fields left out keep their value."""
    actor = _admin()
    dept = services.get_department(db(), path.department_id)
    current = {
        "code": dept.code,
        "name": dept.name,
        "kind": dept.kind.value,
        "contact_phone": dept.contact_phone,
        "contact_email": dept.contact_email,
        "is_active": dept.is_active,
        "requires_approval": dept.requires_approval,
    }
    changes = body.model_dump(exclude_unset=True, mode="json")
    dept = services.save_department(db(), actor, {**current, **changes}, path.department_id)
    return respond(DepartmentOut.of(dept))
