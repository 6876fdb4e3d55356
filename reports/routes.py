"""連携状況 (the collaboration-status report): the page with tables and charts, CSV and PDF."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from hub import jp
from hub.errors import InvalidInput
from hub.reports import figures, outputs
from hub.storage import content_disposition
from hub.web import actor, db

bp = Blueprint("reports", __name__, url_prefix="/reports")

CSV_ENCODINGS = {"utf-8": "utf-8", "cp932": "cp932"}
ENCODING_ERROR = "文字コードは utf-8 または cp932 を指定してください。"


def _report(action: str) -> figures.Report:
    user = actor()
    figures.scope_for(db(), user)  # staff: 403 before the period is read
    chosen = figures.parse_period(request.args.get("from"), request.args.get("to"), jp.today())
    return figures.collaboration(db(), user, chosen, action=action)


def _filename(report: figures.Report, suffix: str) -> str:
    period = f"{report.period.start:%Y%m%d}-{report.period.end:%Y%m%d}"
    return f"連携状況等確認_{period}.{suffix}"


@bp.get("/collaboration")
def collaboration():
    """The report for the chosen period (this 年度 so far by default)."""
    try:
        report = _report("report.view")
    except InvalidInput as exc:
        default = figures.Period.fiscal_year_to_date(jp.today())
        return render_template(
            "reports/collaboration.html",
            report=None,
            error=exc,
            form={"from": request.args.get("from", ""), "to": request.args.get("to", "")},
            default=default,
        ), 400
    charts = {t.key: outputs.bar_chart(report, t) for t in report.tables if t.rows}
    form = {"from": report.period.start.isoformat(), "to": report.period.end.isoformat()}
    return render_template(
        "reports/collaboration.html", report=report, charts=charts, form=form, error=None
    )


@bp.get("/collaboration.csv")
def collaboration_csv() -> Response:
    """The report as CSV: UTF-8 with BOM (Excel reads it), or ``?encoding=cp932``."""
    encoding = request.args.get("encoding", "utf-8")
    if encoding not in CSV_ENCODINGS:
        raise InvalidInput(ENCODING_ERROR, fields={"encoding": ENCODING_ERROR})
    report = _report("report.csv")
    mimetype = f"text/csv; charset={'shift_jis' if encoding == 'cp932' else 'utf-8'}"
    answer = Response(outputs.csv_bytes(report, encoding), mimetype=mimetype)
    answer.headers["Content-Disposition"] = content_disposition(_filename(report, "csv"))
    return answer


@bp.get("/collaboration.pdf")
def collaboration_pdf() -> Response:
    """The report printed on A4 (和暦 period, the suppressed cells as on the screen)."""
    report = _report("report.pdf")
    made_by = actor().department.name
    answer = Response(outputs.pdf_bytes(report, made_by), mimetype="application/pdf")
    answer.headers["Content-Disposition"] = content_disposition(_filename(report, "pdf"))
    return answer
