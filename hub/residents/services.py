"""Residents: register, edit, search and view, each visible only to departments that work them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from hub import audit, jp
from hub.errors import Conflict, Forbidden, NotFound
from hub.models import Case, CaseDepartment, Resident, User
from hub.pagination import Page, paginate
from hub.validation import Fields, atena_no, kana, phone

RESIDENT_FIELDS = ("atena_no", "name", "kana", "birth_date", "address", "phone")


ADMIN_REFUSED = "システム管理者は対象者やケースの内容を閲覧できません。"


def require_case_worker(
    session: Session,
    user: User,
    action: str,
    *,
    object_type: str = "",
    object_id: str | int = "",
) -> None:
    """Refuse administrators (403, audited): they configure the hub and read no cases."""
    if not user.can_read_cases:
        raise audit.refuse(
            session,
            user,
            action,
            Forbidden(ADMIN_REFUSED),
            object_type=object_type,
            object_id=object_id,
            reason="administrators read no cases",
        )


def visible_residents(user: User) -> Select:
    """Residents the user's department registered or works a case of."""
    involved = (
        select(Case.resident_id)
        .join(CaseDepartment, CaseDepartment.case_id == Case.id)
        .where(CaseDepartment.department_id == user.department_id)
    )
    return select(Resident).where(
        or_(Resident.created_by_department_id == user.department_id, Resident.id.in_(involved))
    )


def search_filter(query: Select, q: str) -> Select:
    """Match 宛名番号 (prefix), name or kana, forgiving ｶﾅ/カナ/かな and full-width digits."""
    key = jp.fold(q)
    if not key:
        return query
    like = f"%{_escape_like(key)}%"
    return query.where(
        or_(
            Resident.atena_no.startswith(key, autoescape=True),
            Resident.kana_key.like(like, escape="\\"),
            Resident.name_key.like(like, escape="\\"),
        )
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(session: Session, user: User, q: str = "", page: int = 1, per_page: int = 20) -> Page:
    """Search the residents visible to the user."""
    require_case_worker(session, user, "resident.search", object_type="resident")
    query = search_filter(visible_residents(user), q).order_by(Resident.kana_key, Resident.id)
    result = paginate(session, query, page, per_page)
    audit.record(
        session, user, "resident.search", object_type="resident", reason=f"{result.total} results"
    )
    return result


def get_visible(
    session: Session, user: User, resident_id: int, *, action: str = "resident.view"
) -> Resident:
    """Load a resident the user may see, auditing the view; otherwise NotFound (and audit)."""
    require_case_worker(session, user, action, object_type="resident", object_id=resident_id)
    resident = session.scalar(visible_residents(user).where(Resident.id == resident_id))
    if resident is None:
        raise audit.refuse(
            session,
            user,
            action,
            NotFound(),
            object_type="resident",
            object_id=resident_id,
            reason="not found or not visible to department",
        )
    audit.record(session, user, action, resident)
    return resident


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    fields = Fields(data)
    values = {
        "atena_no": atena_no(fields),
        "name": fields.text("name", "氏名", max_length=100, required=True),
        "kana": kana(fields),
        "birth_date": fields.optional_date("birth_date", "生年月日"),
        "address": fields.text("address", "住所", max_length=200),
        "phone": phone(fields),
    }
    born = values["birth_date"]
    if isinstance(born, date) and born > jp.today():
        fields.error("birth_date", "生年月日が未来の日付になっています。")
    fields.check()
    return values


def _apply(resident: Resident, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(resident, name, value)
    resident.name_key = jp.fold(values["name"])
    resident.kana_key = jp.fold(values["kana"])


def _check_unique(session: Session, atena: str, resident_id: int | None = None) -> None:
    existing = session.scalar(select(Resident.id).where(Resident.atena_no == atena))
    if existing is not None and existing != resident_id:
        raise Conflict(
            "この宛名番号の対象者は既に登録されています。ケースの新規作成から宛名番号で指定してください。",
            code="duplicate_atena_no",
            fields={"atena_no": "この宛名番号は既に登録されています。"},
        )


def create(session: Session, user: User, data: Mapping[str, Any]) -> Resident:
    """Register a resident for the user's department."""
    require_case_worker(session, user, "resident.create", object_type="resident")
    values = _clean(data)
    _check_unique(session, values["atena_no"])
    resident = Resident(created_by_department_id=user.department_id)
    _apply(resident, values)
    session.add(resident)
    session.flush()
    audit.record(session, user, "resident.create", resident)
    return resident


def update(session: Session, user: User, resident_id: int, data: Mapping[str, Any]) -> Resident:
    """Correct a visible resident's details."""
    resident = get_visible(session, user, resident_id, action="resident.update")
    values = _clean(data)
    _check_unique(session, values["atena_no"], resident.id)
    _apply(resident, values)
    session.flush()
    return resident


def find_by_atena(session: Session, atena: str) -> Resident | None:
    return session.scalar(select(Resident).where(Resident.atena_no == atena))
