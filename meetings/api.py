"""Case conferences over the API: list, show, propose, answer, choose a slot, move, cancel.

The same services as the screens, so the same guard, the same consent cut of the case content
and the same audits.
"""

from __future__ import annotations

from flask import Response, url_for

from hub import jp
from hub.api.auth import api_user
from hub.api.blueprint import api_blueprint, case_workers_only, errors
from hub.api.models import CasePath, DepartmentRef, Query, respond
from hub.clock import from_config
from hub.meetings import access, minutes, queries, services
from hub.meetings.models import Meeting
from hub.meetings.schemas import (
    AnswersIn,
    ChoiceIn,
    DepartmentIn,
    MeetingDepartmentPath,
    MeetingList,
    MeetingOut,
    MeetingPath,
    MeetingSummary,
    MinutesIn,
    MoveIn,
    PeopleIn,
    ProposalIn,
    answers_of,
)
from hub.web import config, db

bp = api_blueprint(
    "meetings_api",
    __name__,
    "ケース会議",
    "ケース会議の提案（共通目安と同意を確認）、日程調整（○△×）、日程の決定・変更・中止",
)
case_workers_only(bp, "meeting")

#: Error codes of the meetings API, for the document's list.
ERROR_CODES: dict[str, str] = {
    "criteria_not_met": "共通目安に該当とした確認済みの判断がない（ケース会議は開けない）",
    "not_organiser": "ケース会議の変更は主催課だけ",
    "meeting_cancelled": "中止されたケース会議",
    "poll_closed": "日程調整は終了している",
    "not_scheduled": "日程が決まる前は日時を変更できない",
    "already_participating": "既に参加している所管課",
    "not_held_yet": "議事録は会議の開始後に記録できる",
    "minutes_recorded": "議事録は既に記録されている",
    "last_participant": "主催課以外の参加課がいなくなる（中止する）",
}


def _now():
    return from_config(config().fixed_now).now()


def _out(meeting: Meeting) -> Response:
    user = api_user()
    sees = access.sees_content(db(), user, meeting, jp.today())
    return respond(MeetingOut.of(meeting, sees, services.owes_answer(meeting, user.department_id)))


def _summary(meeting: Meeting, department_id: int | None) -> MeetingSummary:
    return MeetingSummary(
        id=meeting.id,
        title=meeting.title,
        status=meeting.status,
        organiser=DepartmentRef.of(meeting.organiser),
        answer_deadline=meeting.answer_deadline,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        answer_owed=services.owes_answer(meeting, department_id),
    )


@bp.get("/meetings", responses={200: MeetingList, **errors(403)})
def list_meetings(query: Query) -> Response:
    """The department's meetings that are not cancelled, newest first."""
    user = api_user()
    found = queries.of_department(db(), user)
    return respond(MeetingList(items=[_summary(m, user.department_id) for m in found]))


@bp.get("/cases/<int:case_id>/meetings", responses={200: MeetingList, **errors(403, 404)})
def list_case_meetings(path: CasePath, query: Query) -> Response:
    """The case's meetings the department sits at."""
    user = api_user()
    found = queries.of_case(db(), user, path.case_id)
    return respond(MeetingList(items=[_summary(m, user.department_id) for m in found]))


@bp.post("/cases/<int:case_id>/meetings", responses={201: MeetingOut, **errors(403, 404, 409)})
def propose_meeting(path: CasePath, body: ProposalIn) -> Response:
    """Propose a conference (the case's lead): refused with the reason (409
    ``criteria_not_met`` / ``consent_missing``) unless the resident meets the criteria and the
    consent lets the lead give every participant the agenda."""
    meeting = services.propose(db(), api_user(), path.case_id, body.proposal(), _now())
    response = _out(meeting)
    response.status_code = 201
    response.headers["Location"] = url_for(".show_meeting", meeting_id=meeting.id)
    return response


@bp.get("/meetings/<int:meeting_id>", responses={200: MeetingOut, **errors(403, 404)})
def show_meeting(path: MeetingPath, query: Query) -> Response:
    """A meeting with every department's answers; its case content only within the consent."""
    return _out(access.get_meeting(db(), api_user(), path.meeting_id, "meeting.view"))


@bp.put("/meetings/<int:meeting_id>/answers", responses={200: MeetingOut, **errors(403, 404, 409)})
def answer_meeting(path: MeetingPath, body: AnswersIn) -> Response:
    """The department's ○/△/× for every candidate slot (replaces its earlier answers)."""
    meeting = services.answer(db(), api_user(), path.meeting_id, answers_of(body), _now())
    return _out(meeting)


@bp.post("/meetings/<int:meeting_id>/choice", responses={200: MeetingOut, **errors(403, 404, 409)})
def choose_meeting_slot(path: MeetingPath, body: ChoiceIn) -> Response:
    """The organiser decides the slot (after a tie, or early); the invitations go out."""
    meeting = services.choose(db(), api_user(), path.meeting_id, body.slot_id, _now())
    return _out(meeting)


@bp.post("/meetings/<int:meeting_id>/move", responses={200: MeetingOut, **errors(403, 404, 409)})
def move_meeting(path: MeetingPath, body: MoveIn) -> Response:
    """The organiser moves a decided conference: updated invitations (SEQUENCE+1)."""
    meeting = services.move(db(), api_user(), path.meeting_id, body.starts_at, _now())
    return _out(meeting)


@bp.post(
    "/meetings/<int:meeting_id>/departments", responses={200: MeetingOut, **errors(403, 404, 409)}
)
def add_meeting_department(path: MeetingPath, body: DepartmentIn) -> Response:
    """The organiser adds a department, checked against the consent like the first ones."""
    meeting = services.add_department(db(), api_user(), path.meeting_id, body.department_id, _now())
    return _out(meeting)


@bp.put("/meetings/<int:meeting_id>/people", responses={200: MeetingOut, **errors(403, 404, 409)})
def set_meeting_people(path: MeetingPath, body: PeopleIn) -> Response:
    """The department names who will come from it (its staff; replaces its earlier names)."""
    meeting = services.set_people(db(), api_user(), path.meeting_id, list(body.user_ids))
    return _out(meeting)


@bp.delete(
    "/meetings/<int:meeting_id>/departments/<int:department_id>",
    responses={200: MeetingOut, **errors(403, 404, 409)},
)
def remove_meeting_department(path: MeetingDepartmentPath, query: Query) -> Response:
    """The organiser takes a department off the table (its answers go; a decided meeting sends
    it a CANCEL and the others the update)."""
    meeting = services.remove_department(
        db(), api_user(), path.meeting_id, path.department_id, _now()
    )
    return _out(meeting)


@bp.post("/meetings/<int:meeting_id>/minutes", responses={200: MeetingOut, **errors(403, 404, 409)})
def record_meeting_minutes(path: MeetingPath, body: MinutesIn) -> Response:
    """The organiser records the minutes after the start; each action item of another
    department is sent as a feedback request (409 ``consent_missing`` outside the consent)."""
    minutes.record(db(), api_user(), path.meeting_id, body.minutes(), _now())
    return _out(access.get_meeting(db(), api_user(), path.meeting_id, "meeting.view"))


@bp.post("/meetings/<int:meeting_id>/cancel", responses={200: MeetingOut, **errors(403, 404, 409)})
def cancel_meeting(path: MeetingPath, query: Query) -> Response:
    """The organiser cancels; a decided conference sends METHOD:CANCEL to everyone."""
    meeting = services.cancel(db(), api_user(), path.meeting_id, _now())
    return _out(meeting)
