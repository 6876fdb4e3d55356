"""管理 → 相談先: the administrator's directory of counselling windows (list, add, change)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from hub import audit
from hub.admin.services import require_admin
from hub.documents.hearing.criteria import CRITERIA
from hub.documents.printing import windows
from hub.documents.printing.facts import FACTS
from hub.documents.printing.models import CounsellingWindow
from hub.errors import HubError
from hub.web import actor, db

bp = Blueprint("windows", __name__, url_prefix="/admin/windows")


@bp.before_request
def admins_only():
    """Refuse (and audit) anyone but an administrator before a route runs."""
    user = actor()
    if not user.is_admin:
        audit.record(
            db(), user, "admin.access", object_type="admin", outcome=audit.DENIED,
            reason=f"role {user.role.value}",
        )  # fmt: skip
    require_admin(user)


def _data(form: MultiDict) -> dict:
    data = {name: form.get(name, "") for name in windows.FIELDS}
    data["criteria"] = form.getlist("criteria")
    data["facts"] = form.getlist("facts")
    return data


def _form_of(window: CounsellingWindow) -> dict:
    values = {name: getattr(window, name) for name in windows.FIELDS}
    values["criteria"] = [str(n) for n in window.criteria]
    values["is_active"] = "1" if window.is_active else ""
    return values


def _render(window: CounsellingWindow | None, form: dict, status: int = 200, exc=None):
    return render_template(
        "documents/printing/window_form.html",
        window=window,
        form=form,
        criteria=CRITERIA,
        facts=FACTS.values(),
        errors=exc.fields if exc else {},
        error=exc.message if exc and not exc.fields else None,
    ), status


@bp.get("/")
def index():
    """Every counselling window, those in use first."""
    found = windows.all_windows(db(), actor())
    return render_template(
        "documents/printing/windows.html",
        windows=found,
        criteria={c.number: c for c in CRITERIA},
        facts=FACTS,
    )


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Add a counselling window."""
    if request.method == "GET":
        return _render(None, {"is_active": "1", "sort_order": "0"})
    form = _data(request.form)
    try:
        window = windows.create(db(), actor(), form)
    except HubError as exc:
        if exc.status in (403, 404):
            raise
        db().rollback()
        return _render(None, form, exc.status, exc)
    flash(f"相談先「{window.name}」を登録しました。", "success")
    return redirect(url_for(".index"))


@bp.route("/<int:window_id>", methods=["GET", "POST"])
def edit(window_id: int):
    """Change a counselling window, or take it out of use."""
    window = windows.get(db(), actor(), window_id)
    if request.method == "GET":
        return _render(window, _form_of(window))
    form = _data(request.form)
    try:
        windows.update(db(), actor(), window_id, form)
    except HubError as exc:
        if exc.status in (403, 404):
            raise
        db().rollback()
        return _render(db().get(CounsellingWindow, window_id), form, exc.status, exc)
    flash("相談先を更新しました。", "success")
    return redirect(url_for(".index"))
