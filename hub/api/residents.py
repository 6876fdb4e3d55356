"""Residents over the API: the same services, so the same visibility rules as the screens."""

from __future__ import annotations

from flask import Response, url_for
from pydantic import Field

from hub.api.auth import api_user
from hub.api.blueprint import api_blueprint, case_workers_only, errors
from hub.api.models import (
    Body,
    CaseRef,
    Maybe,
    Out,
    Page,
    PageNumber,
    Query,
    QueryPage,
    ResidentPath,
    ResidentRef,
    SearchText,
    Text,
    Timestamp,
    respond,
)
from hub.cases import services as cases
from hub.models import Resident
from hub.residents import services
from hub.web import config, db

bp = api_blueprint("residents_api", __name__, "対象者")
case_workers_only(bp, "resident")


class ResidentOut(ResidentRef):
    birth_date: str | None = Field(description="生年月日（YYYY-MM-DD）")
    address: str
    phone: str
    created_by_department_id: int
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, resident: Resident) -> ResidentOut:
        return cls(
            **ResidentRef.of(resident).model_dump(),
            birth_date=resident.birth_date.isoformat() if resident.birth_date else None,
            address=resident.address,
            phone=resident.phone,
            created_by_department_id=resident.created_by_department_id,
            created_at=resident.created_at,
            updated_at=resident.updated_at,
        )


class ResidentDetail(ResidentOut):
    cases: list[CaseRef] = Field(description="利用者の所管課が関係するこの対象者のケース")


class ResidentPage(Page[ResidentOut]):
    """A page of residents."""


class ResidentInput(Body):
    """A resident to register (宛名番号・氏名・カナは必須)."""

    NULLABLE = frozenset({"birth_date"})
    atena_no: Text = Field(max_length=40, title="宛名番号", description="数字15桁以内（全角も可）")
    name: Text = Field(max_length=100, title="氏名")
    kana: Text = Field(
        max_length=100, title="カナ氏名", description="半角カナ・ひらがなも可（全角カタカナで保存）"
    )
    birth_date: Text | None = Field(
        None, max_length=40, title="生年月日", description="1980-04-01、昭和55年4月1日 など"
    )
    address: Text | Maybe = Field(None, max_length=200, title="住所")
    phone: Text | Maybe = Field(None, max_length=20, title="電話番号")


class ResidentPatch(Body):
    """Fields to correct; one left out keeps its value, null clears it (生年月日・住所・電話)."""

    NULLABLE = frozenset({"birth_date", "address", "phone"})
    atena_no: Text | Maybe = Field(None, max_length=40, title="宛名番号")
    name: Text | Maybe = Field(None, max_length=100, title="氏名")
    kana: Text | Maybe = Field(None, max_length=100, title="カナ氏名")
    birth_date: Text | None = Field(None, max_length=40, title="生年月日")
    address: Text | None = Field(None, max_length=200, title="住所")
    phone: Text | None = Field(None, max_length=20, title="電話番号")


class ResidentSearch(Body):
    q: SearchText | Maybe = None
    page: PageNumber | Maybe = None


class PageQuery(Query):
    page: QueryPage = 1


@bp.get("/residents", responses={200: ResidentPage, **errors(403)})
def list_residents(query: PageQuery) -> Response:
    """List the residents visible to the user's department, a page at a time."""
    result = services.search(db(), api_user(), "", query.page, config().page_size)
    return respond(ResidentPage.of(result, ResidentOut.of))


@bp.post("/residents/search", responses={200: ResidentPage, **errors(403)})
def search_residents(body: ResidentSearch) -> Response:
    """Search visible residents by 宛名番号, name or kana (the term stays out of the URL)."""
    result = services.search(db(), api_user(), body.q or "", body.page or 1, config().page_size)
    return respond(ResidentPage.of(result, ResidentOut.of))


@bp.post("/residents", responses={201: ResidentOut, **errors(403, 409)})
def create_resident(body: ResidentInput) -> Response:
    """Register a resident for the user's department."""
    resident = services.create(db(), api_user(), body.model_dump(exclude_unset=True))
    location = url_for(".show_resident", resident_id=resident.id)
    return respond(ResidentOut.of(resident), 201, location)


@bp.get("/residents/<int:resident_id>", responses={200: ResidentDetail, **errors(403, 404)})
def show_resident(path: ResidentPath) -> Response:
    """Show a visible resident with the cases the department works."""
    user = api_user()
    resident = services.get_visible(db(), user, path.resident_id)
    found = cases.cases_of_resident(db(), user, resident)
    detail = ResidentDetail(**ResidentOut.of(resident).model_dump(), cases=[])
    detail.cases = [CaseRef.of(c) for c in found]
    return respond(detail)


@bp.patch("/residents/<int:resident_id>", responses={200: ResidentOut, **errors(403, 404, 409)})
def update_resident(path: ResidentPath, body: ResidentPatch) -> Response:
    """Correct a visible resident's details; fields left out keep their value."""
    user = api_user()
    # Read the current values through the same visibility rule; the service checks it again,
    # audits the update and answers 404 (or 403) when the resident is not the user's to edit.
    current = db().scalar(services.visible_residents(user).where(Resident.id == path.resident_id))
    values = body.model_dump(exclude_unset=True)
    if current is not None:
        values = {**_current_values(current), **values}
    resident = services.update(db(), user, path.resident_id, values)
    return respond(ResidentOut.of(resident))


def _current_values(resident: Resident) -> dict[str, object]:
    return {
        "atena_no": resident.atena_no,
        "name": resident.name,
        "kana": resident.kana,
        "birth_date": resident.birth_date.isoformat() if resident.birth_date else None,
        "address": resident.address,
        "phone": resident.phone,
    }


__all__ = ["Out", "ResidentOut", "bp"]
