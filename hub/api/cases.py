"""Cases over the API: open, search, view and update; a case belongs to its lead department."""

from __future__ import annotations

from flask import Response, url_for
from pydantic import Field

from hub.api.auth import api_user, case_worker
from hub.api.blueprint import api_blueprint, case_workers_only, errors
from hub.api.models import (
    Body,
    CasePath,
    DepartmentRef,
    Id,
    Ids,
    Maybe,
    Out,
    Page,
    PageNumber,
    Query,
    QueryPage,
    ResidentRef,
    SearchText,
    Text,
    Timestamp,
    respond,
)
from hub.cases import services
from hub.models import Case, CaseStatus, User
from hub.web import config, db

bp = api_blueprint("cases_api", __name__, "ケース")
case_workers_only(bp, "case")
STATUS = "open: 対応中 / monitoring: 見守り / closed: 終了"


class CaseOut(Out):
    id: int
    resident: ResidentRef
    status: CaseStatus = Field(description=STATUS)
    summary: str | None = Field(description="相談の概要（主管課の記録: 他の所管課には null）")
    is_lead: bool = Field(
        description="利用者の所管課が主管課か（主管課だけがケースの記録を変更できる）"
    )
    lead_department: DepartmentRef
    departments: list[DepartmentRef] = Field(description="関係所管（主管課を含む）")
    opened_at: Timestamp
    closed_at: Timestamp | None
    updated_at: Timestamp

    @classmethod
    def of(cls, case: Case, viewer: User) -> CaseOut:
        """A case as ``viewer`` may see it: the summary is the lead department's record."""
        involved = sorted((inv.department for inv in case.involvements), key=lambda d: d.id)
        return cls(
            id=case.id,
            resident=ResidentRef.of(case.resident),
            status=case.status,
            summary=services.summary_for(case, viewer),
            is_lead=case.is_led_by(viewer),
            lead_department=DepartmentRef.of(case.lead_department),
            departments=[DepartmentRef.of(d) for d in involved],
            opened_at=case.opened_at,
            closed_at=case.closed_at,
            updated_at=case.updated_at,
        )


class CasePage(Page[CaseOut]):
    """A page of cases."""


class CaseInput(Body):
    """A case to open, for a resident by id or by 宛名番号 (one of the two)."""

    resident_id: Id | Maybe = Field(None, title="対象者ID")
    atena_no: Text | Maybe = Field(
        None, max_length=40, title="宛名番号", description="resident_id の代わりに宛名番号で指定"
    )
    summary: Text | Maybe = Field(None, max_length=2000, title="相談の概要")
    department_ids: Ids | Maybe = Field(
        None,
        title="関係所管",
        description="自所管課のみ（他の所管課は作成後に、本人の同意の範囲で関係所管の追加から）",
    )


class CasePatch(Body):
    """The status or the summary to change (the lead department only)."""

    status: CaseStatus | Maybe = Field(None, title="状態", description=STATUS)
    summary: Text | Maybe = Field(None, max_length=2000, title="相談の概要")


class CaseSearch(Body):
    q: SearchText | Maybe = None
    status: CaseStatus | Maybe = Field(None, title="状態", description=STATUS)
    page: PageNumber | Maybe = None


class CaseQuery(Query):
    page: QueryPage = 1
    status: CaseStatus | None = Field(None, description=STATUS)


@bp.get("/cases", responses={200: CasePage, **errors(403)})
def list_cases(query: CaseQuery) -> Response:
    """List the cases the user's department is involved in, optionally by status."""
    user = api_user()
    status = query.status.value if query.status else ""
    result = services.search(db(), user, "", status, query.page, config().page_size)
    return respond(CasePage.of(result, lambda c: CaseOut.of(c, user)))


@bp.post("/cases/search", responses={200: CasePage, **errors(403)})
def search_cases(body: CaseSearch) -> Response:
    """Search the department's cases by the resident's 宛名番号, name or kana, and status."""
    user = api_user()
    status = body.status.value if body.status else ""
    result = services.search(db(), user, body.q or "", status, body.page or 1, config().page_size)
    return respond(CasePage.of(result, lambda c: CaseOut.of(c, user)))


@bp.post("/cases", responses={201: CaseOut, **errors(403, 404)})
def create_case(body: CaseInput) -> Response:
    """Open a case led by the user's department, for a resident by id or by 宛名番号."""
    user = api_user()
    case = services.open_case(db(), user, body.model_dump(exclude_unset=True))
    return respond(CaseOut.of(case, user), 201, url_for(".show_case", case_id=case.id))


@bp.get("/cases/<int:case_id>", responses={200: CaseOut, **errors(403, 404)})
def show_case(path: CasePath) -> Response:
    """Show a case the user's department is involved in."""
    user = case_worker("case.view", path.case_id)
    return respond(CaseOut.of(services.get_visible(db(), user, path.case_id), user))


@bp.patch("/cases/<int:case_id>", responses={200: CaseOut, **errors(403, 404)})
def update_case(path: CasePath, body: CasePatch) -> Response:
    """Change a case's status or summary (the lead department only)."""
    user = case_worker("case.update", path.case_id)
    data = body.model_dump(exclude_unset=True, mode="json")
    return respond(CaseOut.of(services.update(db(), user, path.case_id, data), user))


__all__ = ["CaseOut", "bp"]
