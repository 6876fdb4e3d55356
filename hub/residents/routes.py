"""Resident screens: list and search, register, view, edit.

Search terms are personal data, so they never travel in URLs: the search form posts, the
term is kept in the session, and the list pages through it with ``?page=N`` only.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from hub.cases import services as cases
from hub.errors import HubError
from hub.residents import services
from hub.web import config, db, get_private, page_arg, put_private

bp = Blueprint("residents", __name__, url_prefix="/residents")
SEARCH_KEY = "resident_q"


@bp.get("/")
def index():
    """List the department's residents, filtered by the remembered search."""
    q = get_private(SEARCH_KEY, "")
    page = services.search(db(), current_user, q, page_arg(), config().page_size)
    return render_template("residents/index.html", page=page, q=q)


@bp.post("/search")
def search():
    """Remember a search term and show the first page of results."""
    put_private(SEARCH_KEY, request.form.get("q", "")[:100])
    return redirect(url_for(".index"))


@bp.post("/search/clear")
def clear_search():
    """Forget the search term."""
    session.pop(SEARCH_KEY, None)
    return redirect(url_for(".index"))


@bp.route("/new", methods=["GET", "POST"])
def create():
    """Register a resident."""
    if request.method == "GET":
        services.require_case_worker(db(), current_user, "resident.new_form")
        return render_template("residents/form.html", form={}, errors={}, resident=None)
    try:
        resident = services.create(db(), current_user, request.form)
    except HubError as exc:
        if exc.status in (403, 404):
            raise
        return render_template(
            "residents/form.html",
            form=request.form,
            errors=exc.fields,
            error=exc.message,
            resident=None,
        ), exc.status
    flash("対象者を登録しました。", "success")
    return redirect(url_for(".show", resident_id=resident.id))


@bp.get("/<int:resident_id>")
def show(resident_id: int):
    """Show a resident and their cases visible to the department."""
    resident = services.get_visible(db(), current_user, resident_id)
    return render_template(
        "residents/show.html",
        resident=resident,
        cases=cases.cases_of_resident(db(), current_user, resident),
    )


@bp.route("/<int:resident_id>/edit", methods=["GET", "POST"])
def edit(resident_id: int):
    """Correct a resident's details."""
    if request.method == "GET":
        resident = services.get_visible(
            db(), current_user, resident_id, action="resident.edit_form"
        )
        form = {
            "atena_no": resident.atena_no,
            "name": resident.name,
            "kana": resident.kana,
            "birth_date": resident.birth_date.isoformat() if resident.birth_date else "",
            "address": resident.address,
            "phone": resident.phone,
        }
        return render_template("residents/form.html", form=form, errors={}, resident=resident)
    try:
        resident = services.update(db(), current_user, resident_id, request.form)
    except HubError as exc:
        if exc.status in (403, 404):
            raise
        return render_template(
            "residents/form.html",
            form=request.form,
            errors=exc.fields,
            error=exc.message,
            resident={"id": resident_id},
        ), exc.status
    flash("対象者の情報を更新しました。", "success")
    return redirect(url_for(".show", resident_id=resident.id))
