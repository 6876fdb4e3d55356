"""The study session screens (勉強会): the series list, a new series, a series with its
sessions; on a session's page (meetings.show) the attendance, the materials and the
collaboration report since the last session.

The routes are added to the meetings blueprint; the services check every access.
"""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for

from hub import jp
from hub.errors import HubError, InvalidInput
from hub.meetings import forms, invitations, materials, study
from hub.meetings.models import Meeting, MeetingStatus
from hub.meetings.routes import act_and_show, active_departments, bp, current_time
from hub.models import Role
from hub.reports import outputs
from hub.storage import content_disposition
from hub.web import actor, db


def _render_new(form: dict, status: int = 200, exc: HubError | None = None):
    user = actor()
    return render_template(
        "meetings/study_new.html",
        departments=active_departments(),
        own=user.department_id if user.role != Role.ADMIN else None,
        form=form,
        errors=exc.fields if exc else {},
        intervals=study.INTERVALS,
        weekdays=study.WEEKDAYS,
        first_default=jp.today().strftime("%Y-%m"),
    ), status


@bp.get("/meetings/study")
def study_index():
    """The series of the department (all of them for the administrator)."""
    user = actor()
    found = study.visible_series(db(), user)
    upcoming = {
        s.id: next((m for m in reversed(s.sessions) if m.status != MeetingStatus.CANCELLED), None)
        for s in found
    }
    return render_template(
        "meetings/study_index.html",
        series=found,
        latest=upcoming,
        can_plan=user.role in (Role.MANAGER, Role.ADMIN),
        rhythm=study.rhythm_label,
    )


@bp.route("/meetings/study/new", methods=["GET", "POST"])
def study_new():
    """A manager (of a member department) or the administrator defines a series."""
    user = actor()
    study.require_planner(db(), user, "study.form")
    if request.method == "GET":
        own = [str(user.department_id)] if user.role != Role.ADMIN else []
        return _render_new({"department_ids": own})
    try:
        series = study.create_series(db(), user, forms.series(request.form, jp.today()))
    except HubError as exc:
        if exc.status in (403, 404):
            raise
        db().rollback()
        kept = {k: request.form.getlist(k) for k in request.form if k != "csrf_token"}
        return _render_new(kept, exc.status, exc)
    flash("勉強会を設定しました。開催日の前に日程調整が自動で始まります。", "success")
    return redirect(url_for(".study_series", series_id=series.id))


@bp.get("/meetings/study/<int:series_id>")
def study_series(series_id: int):
    """A series: its rhythm, members in host order, sessions; the planners' actions."""
    user = actor()
    series = study.get_series(db(), user, series_id, "study.view")
    today = jp.today()
    next_day = study.upcoming_date(db(), series, today) if series.is_active else None
    return render_template(
        "meetings/study_series.html",
        series=series,
        rhythm=study.rhythm_label(series),
        next_day=next_day,
        next_host=(
            next(
                m.department
                for m in series.members
                if m.department_id == study.host_of(series, series.proposed)
            )
            if series.members
            else None
        ),
        can_plan=user.role in (Role.MANAGER, Role.ADMIN),
        Status=MeetingStatus,
    )


def _series_act(series_id: int, call, done: str):
    try:
        call()
    except HubError as exc:
        if exc.status in (403, 404):
            raise
        db().rollback()
        flash(exc.message, "error")
        return study_series(series_id), exc.status
    flash(done, "success")
    return redirect(url_for(".study_series", series_id=series_id))


@bp.post("/meetings/study/<int:series_id>/propose")
def study_propose(series_id: int):
    """Start the next session's poll now instead of waiting for the job."""
    user = actor()
    study.get_series(db(), user, series_id, "study.propose")

    def call():
        meeting = study.propose_now(db(), user, series_id, current_time())
        invitations.ask_for_answers(db(), meeting)

    return _series_act(series_id, call, "次回の日程調整を始めました。各課の回答を待っています。")


@bp.post("/meetings/study/<int:series_id>/stop")
def study_stop(series_id: int):
    """Stop the series (the confirmation box must be ticked)."""
    user = actor()
    study.get_series(db(), user, series_id, "study.stop")

    def call():
        study.require_planner(db(), user, "study.stop")
        if request.form.get("confirm") != "1":
            raise InvalidInput("終了する場合は確認欄にチェックしてください。")
        study.stop_series(db(), user, series_id)

    return _series_act(series_id, call, "勉強会を終了しました。以後の日程調整は行いません。")


@bp.post("/meetings/<int:meeting_id>/attendance")
def study_attendance(meeting_id: int):
    """The host records who attended."""
    user = actor()
    study.require_study(db(), user, meeting_id, "study.attendance")

    def call():
        study.record_attendance(
            db(), user, meeting_id, forms.user_ids(request.form), current_time()
        )

    return act_and_show(meeting_id, call, "出席を記録しました。")


@bp.post("/meetings/<int:meeting_id>/materials")
def study_material_add(meeting_id: int):
    """A member department adds a material; a resident's name in it asks for confirmation."""
    user = actor()
    study.require_study(db(), user, meeting_id, "study.material_add")
    upload = request.files.get("file")

    def call():
        if upload is None or not upload.filename:
            raise InvalidInput(fields={"file": "ファイルを選んでください。"})
        materials.add(
            db(),
            user,
            meeting_id,
            upload.read(),
            upload.filename,
            request.form.get("title", ""),
            confirmed=request.form.get("confirm_no_resident") == "1",
        )

    return act_and_show(meeting_id, call, "資料を登録しました。")


@bp.get("/meetings/<int:meeting_id>/materials/<int:material_id>")
def study_material(meeting_id: int, material_id: int) -> Response:
    """A material, for the session's departments."""
    material, data = materials.open_material(db(), actor(), meeting_id, material_id)
    response = Response(data, mimetype=material.file.content_type)
    response.headers["Content-Disposition"] = content_disposition(material.file.original_name)
    return response


@bp.get("/meetings/<int:meeting_id>/report")
def study_report(meeting_id: int):
    """連携状況等確認 since the last session, for the session's departments (``?format=pdf`` or
    ``csv``; counts only, small cells shown as 「3未満」)."""
    fmt = request.args.get("format", "html")
    if fmt not in ("html", "pdf", "csv"):
        raise InvalidInput("形式は html・pdf・csv のいずれかを指定してください。")
    user = actor()
    report = study.report(db(), user, meeting_id, f"study.report_{fmt}")
    name = (
        f"連携状況等確認_勉強会{meeting_id}_{report.period.start:%Y%m%d}-{report.period.end:%Y%m%d}"
    )
    if fmt == "pdf":
        answer = Response(
            outputs.pdf_bytes(report, user.department.name), mimetype="application/pdf"
        )
        answer.headers["Content-Disposition"] = content_disposition(f"{name}.pdf")
        return answer
    if fmt == "csv":
        answer = Response(outputs.csv_bytes(report), mimetype="text/csv; charset=utf-8")
        answer.headers["Content-Disposition"] = content_disposition(f"{name}.csv")
        return answer
    meeting = db().get(Meeting, meeting_id)
    charts = {t.key: outputs.bar_chart(report, t) for t in report.tables if t.rows}
    return render_template(
        "meetings/study_report.html", meeting=meeting, report=report, charts=charts
    )
