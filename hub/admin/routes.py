"""Administration screens: departments, users, claim types and settings (administrators only).

Administrators configure the hub and never see residents or cases. The services check the
role themselves; the blueprint also refuses (and audits) anyone else before a route runs, so
that read-only screens cannot forget the check.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from hub import audit
from hub import settings as hub_settings
from hub.admin import services
from hub.db import utcnow
from hub.errors import HubError, InvalidInput
from hub.models import Department, DepartmentKind, Role, User
from hub.web import db, hasher

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def require_admin():
    """Refuse every administration screen to non-administrators, and audit the refusal."""
    if not current_user.is_admin:
        audit.record(
            db(),
            current_user,
            "admin.access",
            object_type="admin",
            outcome=audit.DENIED,
            reason=f"role {current_user.role.value}",
        )
    services.require_admin(current_user)


def _raise_unless_fixable(exc: HubError) -> None:
    """Let 403/404 reach the error page; other errors re-render the form."""
    if exc.status in (403, 404):
        raise exc


@bp.get("/")
def index():
    """Show how many departments, users and claim types there are, with links."""
    departments = services.list_departments(db())
    users = services.list_users(db())
    now = utcnow()
    return render_template(
        "admin/index.html",
        departments=departments,
        active_departments=sum(d.is_active for d in departments),
        users=users,
        active_users=sum(u.is_active for u in users),
        locked_users=sum(bool(u.locked_until and u.locked_until > now) for u in users),
        claim_types=services.list_claim_types(db()),
        setting_count=len(hub_settings.definitions()),
    )


# ------------------------------------------------------------------ departments


@bp.get("/departments")
def departments():
    """List the departments."""
    return render_template("admin/departments.html", departments=services.list_departments(db()))


def _department_form(
    form: Mapping[str, Any], department: Department | None, exc: HubError | None = None
):
    return render_template(
        "admin/department_form.html",
        form=form,
        department=department,
        kinds=[(k.value, k.label) for k in DepartmentKind],
        errors=exc.fields if exc else {},
        error=exc.message if exc else None,
    ), (exc.status if exc else 200)


def _department_data() -> dict[str, Any]:
    """The department form as the service reads it; an unticked checkbox is sent as off."""
    data: dict[str, Any] = request.form.to_dict()
    data["requires_approval"] = "1" if request.form.get("requires_approval") else "0"
    return data


@bp.route("/departments/new", methods=["GET", "POST"])
def new_department():
    """Register a department."""
    if request.method == "GET":
        return _department_form({"kind": DepartmentKind.COLLECTION.value, "is_active": "1"}, None)
    try:
        dept = services.save_department(db(), current_user, _department_data())
    except HubError as exc:
        _raise_unless_fixable(exc)
        return _department_form(request.form, None, exc)
    flash(f"所管課「{dept.name}」を登録しました。", "success")
    return redirect(url_for(".departments"))


@bp.route("/departments/<int:department_id>/edit", methods=["GET", "POST"])
def edit_department(department_id: int):
    """Change a department's code, name, kind, contact or active flag."""
    dept = services.get_department(db(), department_id)
    if request.method == "GET":
        form = {
            "code": dept.code,
            "name": dept.name,
            "kind": dept.kind.value,
            "contact_phone": dept.contact_phone,
            "contact_email": dept.contact_email,
            "is_active": "1" if dept.is_active else "0",
            "requires_approval": "1" if dept.requires_approval else "",
        }
        return _department_form(form, dept)
    try:
        services.save_department(db(), current_user, _department_data(), department_id=dept.id)
    except HubError as exc:
        _raise_unless_fixable(exc)
        return _department_form(request.form, dept, exc)
    flash(f"所管課「{dept.name}」を更新しました。", "success")
    return redirect(url_for(".departments"))


# ------------------------------------------------------------------------ users


@bp.get("/users")
def users():
    """List the users with their department, role and login state."""
    return _users_page()


def _users_page(exc: HubError | None = None):
    return render_template(
        "admin/users.html",
        users=services.list_users(db()),
        now=utcnow(),
        error=exc.message if exc else None,
    ), (exc.status if exc else 200)


def _user_form(form: Mapping[str, Any], user: User | None, exc: HubError | None = None):
    # The password is never echoed back into the page.
    shown = {k: v for k, v in form.items() if k != "password"}
    return render_template(
        "admin/user_form.html",
        form=shown,
        user=user,
        now=utcnow(),
        roles=[(r.value, r.label) for r in Role],
        departments=_department_choices(),
        errors=exc.fields if exc else {},
        error=exc.message if exc else None,
    ), (exc.status if exc else 200)


def _department_choices() -> list[tuple[str, str]]:
    return [
        (str(d.id), d.name if d.is_active else f"{d.name}（無効）")
        for d in services.list_departments(db())
    ]


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    """Create a user with an initial password."""
    if request.method == "GET":
        return _user_form({"role": Role.STAFF.value}, None)
    try:
        user = services.add_user(db(), current_user, hasher(), request.form)
    except HubError as exc:
        _raise_unless_fixable(exc)
        return _user_form(request.form, None, exc)
    flash(f"利用者「{user.display_name}」（{user.login_id}）を登録しました。", "success")
    return redirect(url_for(".users"))


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
def edit_user(user_id: int):
    """Change a user's name, department, role or active flag."""
    user = services.get_user(db(), user_id)
    if request.method == "GET":
        form = {
            "display_name": user.display_name,
            "department_id": str(user.department_id),
            "role": user.role.value,
            "is_active": "1" if user.is_active else "0",
        }
        return _user_form(form, user)
    try:
        services.update_user(db(), current_user, user.id, request.form)
    except HubError as exc:
        _raise_unless_fixable(exc)
        return _user_form(request.form, user, exc)
    flash(f"利用者「{user.display_name}」を更新しました。", "success")
    return redirect(url_for(".users"))


def _set_active(user_id: int, active: bool):
    user = services.get_user(db(), user_id)
    try:
        services.set_active(db(), current_user, user, active)
    except HubError as exc:
        _raise_unless_fixable(exc)
        return _users_page(exc)
    state = "有効" if active else "無効"
    flash(f"利用者「{user.display_name}」（{user.login_id}）を{state}にしました。", "success")
    return redirect(url_for(".users"))


@bp.post("/users/<int:user_id>/disable")
def disable_user(user_id: int):
    """Disable a login (its API tokens stop working too)."""
    return _set_active(user_id, False)


@bp.post("/users/<int:user_id>/enable")
def enable_user(user_id: int):
    """Enable a disabled login again."""
    return _set_active(user_id, True)


@bp.post("/users/<int:user_id>/reset-password")
def reset_password(user_id: int):
    """Set a temporary password, show it once, and make the user change it at next login."""
    user = services.get_user(db(), user_id)
    temporary = services.reset_password(db(), current_user, hasher(), user)
    return render_template("admin/password_reset.html", user=user, temporary=temporary)


# ------------------------------------------------------------------ claim types


@bp.get("/claim-types")
def claim_types():
    """List the claim types (read-only)."""
    return render_template("admin/claim_types.html", claim_types=services.list_claim_types(db()))


# --------------------------------------------------------------------- settings


def _settings_page(exc: HubError | None = None, key: str = "", value: str = ""):
    definitions = hub_settings.definitions()
    groups: dict[str, list[hub_settings.SettingDef]] = {}
    for definition in definitions:
        groups.setdefault(definition.group, []).append(definition)
    return render_template(
        "admin/settings.html",
        groups=groups,
        values=hub_settings.values(db(), [d.key for d in definitions]),
        failed_key=key,
        failed_value=value,
        errors=exc.fields if exc else {},
        # The row may be far down the page: the message at the top names the setting too.
        error=exc.fields.get(key, exc.message) if exc else None,
    ), (exc.status if exc else 200)


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """List every setting with its value, default and rationale; change one (audited)."""
    if request.method == "GET":
        return _settings_page()
    key, value = request.form.get("key", ""), request.form.get("value", "")
    try:
        if key not in {d.key for d in hub_settings.definitions()}:
            raise InvalidInput(fields={"key": "変更する設定項目を選んでください。"})
        hub_settings.update(db(), current_user, key, value)
    except HubError as exc:
        _raise_unless_fixable(exc)
        return _settings_page(exc, key, value)
    flash(f"設定「{hub_settings.definition(key).label}」を変更しました。", "success")
    return redirect(url_for(".settings", _anchor=f"s-{key}"))
