"""Case screens: list and search, open, view, update status, involve departments."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import select

from hub.cases import services
from hub.errors import HubError
from hub.models import CaseStatus, Department
from hub.web import config, db, page_arg

bp = Blueprint("cases", __name__, url_prefix="/cases")
SEARCH_KEY = "case_search"


def _departments() -> list[Department]:
    return list(db().scalars(select(Department).where(Department.is_active).order_by(Department.id)))


@bp.get("/")
def index():
    """List the department's cases, filtered by the remembered search."""
    search = session.get(SEARCH_KEY, {})
    page = services.search(db(), current_user, search.get("q", ""), search.get("status", ""),
                           page_arg(), config().page_size)
    return render_template("cases/index.html", page=page, search=search, statuses=list(CaseStatus))


@bp.post("/search")
def search():
    """Remember the search term and status filter."""
    status = request.form.get("status", "")
    session[SEARCH_KEY] = {
        "q": request.form.get("q", "")[:100],
        "status": status if status in {s.value for s in CaseStatus} else "",
    }
    return redirect(url_for(".index"))


@bp.post("/search/clear")
def clear_search():
    """Forget the search."""
    session.pop(SEARCH_KEY, None)
    return redirect(url_for(".index"))


@bp.route("/new", methods=["GET", "POST"])
def create():
    """Open a case for a resident (chosen, or by 宛名番号)."""
    departments = [d for d in _departments() if d.id != current_user.department_id]
    if request.method == "GET":
        form = {"resident_id": request.args.get("resident_id", "")}
        if not current_user.can_read_cases:
            raise HubError("システム管理者はケースを作成できません。", code="forbidden")
        return render_template("cases/new.html", form=form, errors={}, departments=departments)
    data = dict(request.form)
    data["department_ids"] = request.form.getlist("department_ids")
    try:
        case = services.open_case(db(), current_user, data)
    except HubError as exc:
        if exc.status == 404:
            raise
        return render_template("cases/new.html", form=request.form, errors=exc.fields,
                               error=exc.message, departments=departments), exc.status
    flash("ケースを作成しました。", "success")
    return redirect(url_for(".show", case_id=case.id))


@bp.get("/<int:case_id>")
def show(case_id: int):
    """Show a case the department is involved in."""
    case = services.get_visible(db(), current_user, case_id)
    others = [d for d in _departments() if d.id not in case.department_ids]
    return render_template("cases/show.html", case=case, statuses=list(CaseStatus), others=others,
                           errors={})


@bp.post("/<int:case_id>/update")
def update(case_id: int):
    """Change the status or summary of a case."""
    services.update(db(), current_user, case_id, request.form)
    flash("ケースを更新しました。", "success")
    return redirect(url_for(".show", case_id=case_id))


@bp.post("/<int:case_id>/departments")
def add_department(case_id: int):
    """Involve another department in the case."""
    services.add_department(db(), current_user, case_id, request.form.getlist("department_id"))
    flash("関係所管を追加しました。", "success")
    return redirect(url_for(".show", case_id=case_id))
