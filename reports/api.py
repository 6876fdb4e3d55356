"""The collaboration-status report over the API (as 連携状況 on the screens)."""

from __future__ import annotations

from flask import Response

from hub import jp
from hub.api.auth import api_user
from hub.api.blueprint import api_blueprint, errors
from hub.api.models import respond
from hub.reports import figures
from hub.reports.schemas import CollaborationReport, ReportQuery
from hub.web import db

bp = api_blueprint(
    "reports_api",
    __name__,
    "連携状況",
    "連携状況等確認の集計（件数のみ、少数は伏せる）: 管理職は所属、管理者は市全体",
)


@bp.get("/reports/collaboration", responses={200: CollaborationReport, **errors(403)})
def collaboration_report(query: ReportQuery) -> Response:
    """The report for a period (this 年度 so far by default; ``to`` before ``from`` is a 400)."""
    user = api_user()
    figures.scope_for(db(), user)
    chosen = figures.period(query.period_from, query.period_to, jp.today())
    report = figures.collaboration(db(), user, chosen, action="report.api")
    return respond(CollaborationReport.of(report))
