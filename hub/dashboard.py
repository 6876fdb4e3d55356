"""The department dashboard."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from hub.cases import services as cases
from hub.models import Case, CaseStatus
from hub.web import db

bp = Blueprint("dashboard", __name__)


@bp.get("/")
def index() -> str:
    """Show the department's tiles (open cases, and those the packages add) and recent cases."""
    counts: dict[CaseStatus, int] = {}
    recent: list[Case] = []
    if current_user.can_read_cases:
        counts = cases.status_counts(db(), current_user)
        recent = cases.recent(db(), current_user)
    return render_template(
        "dashboard/index.html",
        counts=counts,
        recent=recent,
        CaseStatus=CaseStatus,
    )
