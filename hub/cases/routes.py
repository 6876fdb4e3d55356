"""Case screens: list and search, open, view, update status and summary (the lead only)."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from hub.cases import services
from hub.errors import Forbidden, HubError, NotFound
from hub.models import Case, CaseStatus, Resident
from hub.residents import services as residents
from hub.validation import parse_id
from hub.web import config, db, get_private, page_arg, put_private

bp = Blueprint("cases", __name__, url_prefix="/cases")
SEARCH_KEY = "case_search"


def _chosen_resident(raw: str | None) -> Resident | None:
    """Load the resident a new case is for, when one was chosen (404 if not visible)."""
    if raw in (None, ""):
        return None
    resident_id = parse_id(raw)
    if resident_id is None:
        raise NotFound()
    return residents.get_visible(db(), current_user, resident_id, action="case.create_form")


@bp.get("/")
def index():
    """List the department's cases, filtered by the remembered search."""
    search = get_private(SEARCH_KEY, {})
    page = services.search(
        db(),
        current_user,
        search.get("q", ""),
        search.get("status", ""),
        page_arg(),
        config().page_size,
    )
    return render_template("cases/index.html", page=page, search=search, statuses=list(CaseStatus))


@bp.post("/search")
def search():
    """Remember the search term and status filter."""
    status = request.form.get("status", "")
    put_private(
        SEARCH_KEY,
        {
            "q": request.form.get("q", "")[:100],
            "status": status if status in {s.value for s in CaseStatus} else "",
        },
    )
    return redirect(url_for(".index"))


@bp.post("/search/clear")
def clear_search():
    """Forget the search."""
    session.pop(SEARCH_KEY, None)
    return redirect(url_for(".index"))


def _render_new(
    form: Mapping,
    resident: Resident | None,
    status: int = 200,
    errors: Mapping | None = None,
    error: str | None = None,
):
    return render_template(
        "cases/new.html", form=form, errors=errors or {}, error=error, resident=resident
    ), status


@bp.route("/new", methods=["GET", "POST"])
def create():
    """Open a case for a resident (chosen, or by 宛名番号)."""
    if not current_user.can_read_cases:
        raise Forbidden("システム管理者はケースを作成できません。")
    if request.method == "GET":
        return _render_new({}, _chosen_resident(request.args.get("resident_id")))
    data = dict(request.form)
    try:
        case = services.open_case(db(), current_user, data)
    except HubError as exc:
        if exc.status in (403, 404):
            raise
        db().rollback()
        resident = _chosen_resident(request.form.get("resident_id"))
        return _render_new(request.form, resident, exc.status, exc.fields, exc.message)
    flash("ケースを作成しました。", "success")
    return redirect(url_for(".show", case_id=case.id))


def _render_show(
    case: Case,
    status: int = 200,
    form: Mapping | None = None,
    errors: Mapping | None = None,
    error: str | None = None,
):
    return render_template(
        "cases/show.html",
        case=case,
        is_lead=case.is_led_by(current_user),
        summary=services.summary_for(case, current_user),
        statuses=list(CaseStatus),
        form=form or {},
        errors=errors or {},
        error=error,
    ), status


@bp.get("/<int:case_id>")
def show(case_id: int):
    """Show a case the department is involved in."""
    return _render_show(services.get_visible(db(), current_user, case_id))


def redisplay(case_id: int, exc: HubError, form: Mapping | None = None):
    """Show the case page again with the message of a refused change (nothing is saved).

    Packages whose forms sit on the case page (adding a department) answer the same way.
    """
    if exc.status in (403, 404):
        raise exc
    db().rollback()
    case = services.get_visible(db(), current_user, case_id)
    return _render_show(case, exc.status, form, exc.fields, exc.message)


@bp.post("/<int:case_id>/update")
def update(case_id: int):
    """Change the status or summary of a case."""
    try:
        services.update(db(), current_user, case_id, request.form)
    except HubError as exc:
        return redisplay(case_id, exc, request.form)
    flash("ケースを更新しました。", "success")
    return redirect(url_for(".show", case_id=case_id))
