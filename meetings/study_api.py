"""勉強会 over the API: series (list, define, show, start the next poll), a session's
attendance, its materials and its collaboration report. Answers, choosing and moving a
session go through the meetings API, as for a conference.

The same services as the screens, so the same checks and the same audits.
"""

from __future__ import annotations

from flask import Response, url_for

from hub.api.auth import api_user
from hub.api.blueprint import api_blueprint, errors
from hub.api.models import Query, respond
from hub.clock import from_config
from hub.meetings import invitations, study
from hub.meetings.schemas import (
    AttendanceIn,
    AttendanceOut,
    MaterialList,
    MeetingOut,
    MeetingPath,
    SeriesIn,
    SeriesList,
    SeriesOut,
    SeriesPath,
)
from hub.meetings.services import owes_answer
from hub.reports.schemas import CollaborationReport
from hub.web import config, db

bp = api_blueprint(
    "study_api",
    __name__,
    "勉強会",
    "勉強会（シリーズ、当番の輪番、出席、資料、前回からの連携状況等確認）",
)

#: Error codes of the study API, for the document's list.
ERROR_CODES: dict[str, str] = {
    "not_planner": "勉強会の設定は管理職または管理者だけ",
    "series_stopped": "終了した勉強会",
    "no_slots": "候補日時が3件見つからない",
    "not_study": "勉強会ではない（ケース会議）",
    "resident_name_found": "資料に住民の氏名と一致する文字列がある（確認のうえ登録）",
    "not_conference": "勉強会に議事録はない（出席と資料で記録する）",
}


def _now():
    return from_config(config().fixed_now).now()


@bp.get("/study-series", responses={200: SeriesList, **errors(403)})
def list_study_series(query: Query) -> Response:
    """The series of the department (every series for the administrator)."""
    found = study.visible_series(db(), api_user())
    return respond(SeriesList(items=[SeriesOut.of(s) for s in found]))


@bp.post("/study-series", responses={201: SeriesOut, **errors(403)})
def create_study_series(body: SeriesIn) -> Response:
    """Define a series (a manager of a member department, or the administrator)."""
    series = study.create_series(db(), api_user(), body.form())
    location = url_for(".show_study_series", series_id=series.id)
    return respond(SeriesOut.of(series), 201, location)


@bp.get("/study-series/<int:series_id>", responses={200: SeriesOut, **errors(403, 404)})
def show_study_series(path: SeriesPath, query: Query) -> Response:
    """A series with its sessions, for a member department (any, for the administrator)."""
    return respond(SeriesOut.of(study.get_series(db(), api_user(), path.series_id, "study.view")))


@bp.post(
    "/study-series/<int:series_id>/sessions", responses={201: MeetingOut, **errors(403, 404, 409)}
)
def propose_study_session(path: SeriesPath, query: Query) -> Response:
    """Start the next session's poll now (the job does it ``lead_days`` ahead by itself)."""
    user = api_user()
    meeting = study.propose_now(db(), user, path.series_id, _now())
    invitations.ask_for_answers(db(), meeting)
    out = MeetingOut.of(meeting, True, owes_answer(meeting, user.department_id))
    return respond(out, 201, url_for("meetings_api.show_meeting", meeting_id=meeting.id))


@bp.put(
    "/meetings/<int:meeting_id>/attendance",
    responses={200: AttendanceOut, **errors(403, 404, 409)},
)
def record_study_attendance(path: MeetingPath, body: AttendanceIn) -> Response:
    """The host records who attended (after the start; replaces the earlier record)."""
    user = api_user()
    meeting = study.record_attendance(db(), user, path.meeting_id, list(body.user_ids), _now())
    return respond(AttendanceOut.of(meeting))


@bp.get(
    "/meetings/<int:meeting_id>/materials", responses={200: MaterialList, **errors(403, 404, 409)}
)
def list_study_materials(path: MeetingPath, query: Query) -> Response:
    """A session's materials (download them from the session's page)."""
    meeting = study.require_study(db(), api_user(), path.meeting_id, "study.material_list")
    return respond(MaterialList.of(meeting))


@bp.get(
    "/meetings/<int:meeting_id>/report",
    responses={200: CollaborationReport, **errors(403, 404, 409)},
)
def study_session_report(path: MeetingPath, query: Query) -> Response:
    """連携状況等確認 of the session's departments since the previous session (counts only)."""
    report = study.report(db(), api_user(), path.meeting_id, "study.report_api")
    return respond(CollaborationReport.of(report))
