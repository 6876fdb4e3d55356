"""The consent's part of the case page: adding a department within the resident's consent."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for

from hub.cases.routes import redisplay
from hub.documents.consent import membership
from hub.errors import HubError
from hub.web import actor, db

bp = Blueprint("membership", __name__, url_prefix="/cases/<int:case_id>")


@bp.post("/departments")
def join(case_id: int):
    """Add a department to the case if the resident's consent lets the lead give it anything."""
    try:
        membership.join(db(), actor(), case_id, request.form.getlist("department_id"))
    except HubError as exc:
        return redisplay(case_id, exc)
    flash("関係所管を追加しました。本人の同意の範囲の情報だけが表示されます。", "success")
    return redirect(url_for("cases.show", case_id=case_id))
