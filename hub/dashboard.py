"""The department dashboard."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import func, select

from hub.cases.services import visible_cases
from hub.models import Case, CaseStatus
from hub.web import db

bp = Blueprint("dashboard", __name__)


@bp.get("/")
def index() -> str:
    """Show the department's tiles (open cases, and those the packages add) and recent cases."""
    counts: dict[CaseStatus, int] = {}
    recent: list[Case] = []
    if current_user.can_read_cases:
        sub = visible_cases(current_user).subquery()
        rows = db().execute(select(sub.c.status, func.count()).group_by(sub.c.status)).all()
        counts = {CaseStatus(status): n for status, n in rows}
        query = visible_cases(current_user).order_by(Case.updated_at.desc(), Case.id.desc())
        recent = list(db().scalars(query.limit(5)))
    return render_template(
        "dashboard/index.html",
        counts=counts,
        recent=recent,
        CaseStatus=CaseStatus,
    )
