"""Administration: departments and users (administrators only)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import audit
from hub.auth import passwords
from hub.errors import Conflict, Forbidden, InvalidInput, NotFound
from hub.models import ClaimType, Department, DepartmentKind, Role, User
from hub.validation import Fields, parse_id

DEPARTMENT_FIELDS = (
    "code",
    "name",
    "kind",
    "contact_phone",
    "contact_email",
    "is_active",
    "requires_approval",
)
USER_FIELDS = ("login_id", "display_name", "department_id", "role", "password", "is_active")
_CODE = re.compile(r"^[a-z][a-z0-9_-]{1,31}$")
_LOGIN = re.compile(r"^[A-Za-z0-9._-]{3,64}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def require_admin(user: User | None) -> None:
    if user is None or not user.is_admin:
        raise Forbidden("この画面はシステム管理者のみ利用できます。")


def list_departments(session: Session) -> list[Department]:
    return list(session.scalars(select(Department).order_by(Department.kind, Department.id)))


def list_claim_types(session: Session) -> list[ClaimType]:
    return list(session.scalars(select(ClaimType).order_by(ClaimType.sort_order, ClaimType.id)))


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.department_id, User.login_id)))


def get_department(session: Session, department_id: int) -> Department:
    dept = session.get(Department, department_id)
    if dept is None:
        raise NotFound()
    return dept


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user


def _bool(value: Any, default: bool = True) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    return str(value).lower() in {"1", "true", "on", "yes"}


def save_department(
    session: Session, actor: User, data: Mapping[str, Any], department_id: int | None = None
) -> Department:
    """Create or update a department."""
    require_admin(actor)
    fields = Fields(data)
    code = fields.text("code", "コード", max_length=32, required=True)
    if code and not _CODE.match(code):
        fields.error("code", "コードは英小文字で始まる英数字・ハイフン・下線（2〜32文字）です。")
    name = fields.text("name", "所管課名", max_length=100, required=True)
    kind = fields.choice("kind", "種別", [k.value for k in DepartmentKind])
    phone = fields.text("contact_phone", "連絡先電話", max_length=30)
    email = fields.text("contact_email", "連絡先メール", max_length=254)
    if email and not _EMAIL.match(email):
        fields.error("contact_email", "メールアドレスの形式が正しくありません。")
    fields.check()
    dept = get_department(session, department_id) if department_id else Department()
    for column, value, label in (("code", code, "コード"), ("name", name, "所管課名")):
        clash = session.scalar(select(Department.id).where(getattr(Department, column) == value))
        if clash is not None and clash != dept.id:
            raise Conflict(
                f"この{label}は既に使われています。",
                code=f"duplicate_department_{column}",
                fields={column: f"この{label}は既に使われています。"},
            )
    dept.code, dept.name, dept.kind = code, name, DepartmentKind(kind)
    dept.contact_phone, dept.contact_email = phone, email
    dept.is_active = _bool(data.get("is_active"), True)
    # Left out (an API update that does not name it) keeps the department's current setting.
    dept.requires_approval = _bool(data.get("requires_approval"), bool(dept.requires_approval))
    session.add(dept)
    session.flush()
    audit.record(
        session, actor, "department.update" if department_id else "department.create", dept
    )
    return dept


def _department_choice(session: Session, fields: Fields, value: Any) -> Department | None:
    dept_id = parse_id(value)
    dept = session.get(Department, dept_id) if dept_id else None
    if dept is None:
        fields.error("department_id", "所属する所管課を選んでください。")
    return dept


def add_user(
    session: Session, actor: User | None, hasher: PasswordHasher, data: Mapping[str, Any]
) -> User:
    """Create a user; ``actor`` None means the command line (an operator on the server)."""
    if actor is not None:
        require_admin(actor)
    fields = Fields(data)
    login_id = fields.text("login_id", "ログインID", max_length=64, required=True)
    if login_id and not _LOGIN.match(login_id):
        fields.error("login_id", "ログインIDは半角英数字と . _ - の3〜64文字です。")
    display_name = fields.text("display_name", "氏名", max_length=100, required=True)
    role = fields.choice("role", "権限", [r.value for r in Role])
    dept = _department_choice(session, fields, data.get("department_id"))
    password = data.get("password") or ""
    if not isinstance(password, str):
        fields.error("password", "パスワードは文字列で入力してください。")
        password = ""
    fields.check()
    if session.scalar(select(User.id).where(User.login_id == login_id)) is not None:
        raise Conflict(
            "このログインIDは既に使われています。",
            code="duplicate_login_id",
            fields={"login_id": "このログインIDは既に使われています。"},
        )
    passwords.check_strength(password)
    # A password an administrator typed is known to them: the user replaces it at first login.
    user = User(
        login_id=login_id,
        display_name=display_name,
        role=Role(role),
        department=dept,
        password_hash=hasher.hash(password),
        is_active=_bool(data.get("is_active"), True),
        must_change_password=actor is not None,
    )
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.create", user, login_id="cli" if actor is None else "")
    return user


def update_user(session: Session, actor: User, user_id: int, data: Mapping[str, Any]) -> User:
    """Change a user's name, department, role or active flag (history stays in the audit log)."""
    require_admin(actor)
    user = get_user(session, user_id)
    fields = Fields(data)
    display_name = fields.text("display_name", "氏名", max_length=100, required=True)
    role = fields.choice("role", "権限", [r.value for r in Role])
    dept = _department_choice(session, fields, data.get("department_id"))
    is_active = _bool(data.get("is_active"), True)
    if user.id == actor.id and (role != Role.ADMIN.value or not is_active):
        fields.error("role", "自分自身の管理者権限を外したり、無効にしたりすることはできません。")
    fields.check()
    moved = dept is not None and dept.id != user.department_id
    user.display_name, user.role, user.is_active = display_name, Role(role), is_active
    if dept is not None:
        user.department = dept
    session.flush()
    audit.record(session, actor, "user.update", user, reason="department changed" if moved else "")
    return user


def set_active(session: Session, actor: User | None, user: User, active: bool) -> User:
    """Enable or disable a login."""
    if actor is not None:
        require_admin(actor)
        if actor.id == user.id and not active:
            raise InvalidInput("自分自身を無効にすることはできません。", code="cannot_disable_self")
    user.is_active = active
    session.flush()
    audit.record(
        session,
        actor,
        "user.enable" if active else "user.disable",
        user,
        login_id="cli" if actor is None else "",
    )
    return user


def reset_password(
    session: Session,
    actor: User | None,
    hasher: PasswordHasher,
    user: User,
    new_password: str | None = None,
) -> str:
    """Set a temporary password the user must change at next login; unlock the account."""
    if actor is not None:
        require_admin(actor)
    password = new_password or secrets.token_urlsafe(12)
    passwords.check_strength(password)
    user.password_hash = hasher.hash(password)
    user.must_change_password = True
    user.failed_login_count = 0
    user.locked_until = None
    session.flush()
    audit.record(
        session, actor, "user.reset_password", user, login_id="cli" if actor is None else ""
    )
    return password


def find_user(session: Session, login_id: str) -> User:
    user = session.scalar(select(User).where(User.login_id == login_id))
    if user is None:
        raise NotFound(f"ログインID {login_id} のユーザーはいません。")
    return user
