"""The conference screens: propose, the conference page with the answer grid, the organiser's
decisions, the calendar (week and month) and each event's .ics.

Each route loads, checks access (the services do: 404 outside the table, 403 for a
department that may not act), calls a service and renders or redirects.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from hub import audit, jp
from hub.cases.services import get_visible, require_lead
from hub.clock import from_config
from hub.documents.categories import ORDER, InformationCategory
from hub.documents.render import meetings as render
from hub.errors import Conflict, HubError, InvalidInput
from hub.mailbox.policy import PATTERNS
from hub.meetings import (
    access,
    forms,
    guard,
    ics,
    invitations,
    minutes,
    queries,
    services,
    slots,
    study,
)
from hub.meetings.models import Answer, ClaimDecision, Meeting, MeetingKind, MeetingStatus
from hub.models import Department, User
from hub.residents.services import require_case_worker
from hub.web import actor, config, db

bp = Blueprint("meetings", __name__)
WHAT = "ケース会議の提案"


def current_time():
    return from_config(config().fixed_now).now()


def active_departments() -> list[Department]:
    return list(
        db().scalars(select(Department).where(Department.is_active).order_by(Department.id))
    )


def _render_propose(case, form: dict, status: int = 200, exc: HubError | None = None):
    now = current_time()
    suggested = [
        s.strftime("%Y-%m-%dT%H:%M")
        for s, _e in slots.suggest(
            db(), [case.lead_department_id], timedelta(minutes=60), now, count=5
        )
    ]
    departments = [d for d in active_departments() if d.id != case.lead_department_id]
    return render_template(
        "meetings/propose.html",
        case=case,
        departments=departments,
        grantable=guard.grantable(db(), case, departments, jp.today()),
        categories=ORDER,
        suggested=suggested,
        form=form,
        errors=exc.fields if exc else {},
        refusal=exc.message if exc and not exc.fields else None,
        max_slots=services.MAX_SLOTS,
    ), status


@bp.route("/cases/<int:case_id>/meetings/new", methods=["GET", "POST"])
def propose(case_id: int):
    """Propose a case conference (the case's lead), behind the criteria and consent guard."""
    user = actor()
    case = get_visible(db(), user, case_id, action="meeting.form")
    require_lead(db(), user, case, "meeting.form", WHAT)
    if request.method == "GET":
        return _render_propose(case, {})
    try:
        meeting = services.propose(
            db(), user, case_id, forms.proposal(request.form), current_time()
        )
    except HubError as exc:
        if exc.status in (403, 404):
            raise
        db().rollback()
        case = get_visible(db(), user, case_id, action="meeting.form")
        kept = {k: request.form.getlist(k) for k in request.form if k != "csrf_token"}
        return _render_propose(case, kept, exc.status, exc)
    flash("ケース会議を提案しました。各所管課の回答を待っています。", "success")
    return redirect(url_for(".show", meeting_id=meeting.id))


@bp.get("/meetings/<int:meeting_id>")
def show(meeting_id: int):
    """The conference: time and place, the agenda within the consent, everyone's answers."""
    user = actor()
    meeting = access.get_meeting(db(), user, meeting_id, "meeting.view")
    sees = access.sees_content(db(), user, meeting, jp.today())
    others = [d for d in active_departments() if d.id not in meeting.department_ids]
    return render_template(
        "meetings/show.html",
        meeting=meeting,
        sees_content=sees,
        withheld=access.UNCOVERED,
        tally={t.slot.id: t for t in slots.tally(meeting.slots)},
        answered=services.answered_departments(meeting),
        mine={
            a.slot_id: a.answer.value
            for s in meeting.slots
            for a in s.answers
            if a.department_id == user.department_id
        },
        is_organiser=user.department_id == meeting.organiser_department_id,
        owes=services.owes_answer(meeting, user.department_id),
        Answer=Answer,
        Status=MeetingStatus,
        when=invitations.when(meeting),
        others=others,
        agenda_labels=[InformationCategory(c).label for c in meeting.agenda],
        can_record=(
            user.department_id == meeting.organiser_department_id
            and meeting.status == MeetingStatus.SCHEDULED
            and meeting.minutes is None
            and meeting.starts_at is not None
            and meeting.starts_at <= current_time()
        ),
        patterns=PATTERNS,
        claim_decisions=list(ClaimDecision),
        rows=range(forms.MINUTES_ROWS),
        print_data=minutes.data_for_print(meeting) if meeting.minutes and sees else None,
        colleagues=list(
            db().scalars(
                select(User)
                .where(User.is_active, User.department_id == user.department_id)
                .order_by(User.id)
            )
        ),
        people_of={
            d: [p.user.display_name for p in meeting.people if p.department_id == d]
            for d in meeting.department_ids
        },
        mine_people={p.user_id for p in meeting.people if p.department_id == user.department_id},
        **(_study_context(meeting) if meeting.kind == MeetingKind.STUDY else {}),
    )


def _study_context(meeting: Meeting) -> dict:
    """A study session's page adds the attendance form's people and the materials."""
    return {
        "people": study.members_to_record(db(), meeting),
        "attended": {a.user_id for a in meeting.attendance},
        "can_attend": (
            actor().department_id == meeting.organiser_department_id
            and meeting.status == MeetingStatus.SCHEDULED
            and meeting.starts_at is not None
            and meeting.starts_at <= current_time()
        ),
    }


def act_and_show(meeting_id: int, call, done: str):
    """Run an action; a refusal the user can fix shows the page again with why (400/409)."""
    try:
        call()
    except HubError as exc:
        if exc.status in (403, 404):
            raise
        db().rollback()
        flash(_message(exc), "error")
        return show(meeting_id), exc.status
    flash(done, "success")
    return redirect(url_for(".show", meeting_id=meeting_id))


def _message(exc: HubError) -> str:
    return "\n".join([exc.message, *exc.fields.values()]) if exc.fields else exc.message


@bp.post("/meetings/<int:meeting_id>/answer")
def answer(meeting_id: int):
    """Record the department's ○/△/× for every slot."""
    user = actor()
    meeting = access.get_meeting(db(), user, meeting_id, "meeting.answer")
    ids = [s.id for s in meeting.slots]

    def call():
        services.answer(db(), user, meeting_id, forms.answers(request.form, ids), current_time())

    return act_and_show(meeting_id, call, "回答を登録しました。")


@bp.post("/meetings/<int:meeting_id>/choose")
def choose(meeting_id: int):
    """The organiser decides the slot; the invitations go out."""
    user = actor()
    access.get_meeting(db(), user, meeting_id, "meeting.choose")

    def call():
        slot_id = forms.required_id(request.form, "slot_id", "日時を選んでください。")
        services.choose(db(), user, meeting_id, slot_id, current_time())

    return act_and_show(meeting_id, call, "日時を決定し、案内を送りました。")


@bp.post("/meetings/<int:meeting_id>/move")
def move(meeting_id: int):
    """The organiser moves the conference; updated invitations go out."""
    user = actor()
    access.get_meeting(db(), user, meeting_id, "meeting.move")

    def call():
        services.move(
            db(), user, meeting_id, forms.required_time(request.form, "starts_at"), current_time()
        )

    return act_and_show(meeting_id, call, "日時を変更し、変更の案内を送りました。")


@bp.post("/meetings/<int:meeting_id>/cancel")
def cancel(meeting_id: int):
    """The organiser cancels (the form's confirmation box must be ticked)."""
    user = actor()
    access.get_meeting(db(), user, meeting_id, "meeting.cancel")

    def call():
        if request.form.get("confirm") != "1":
            raise InvalidInput(fields={"confirm": "中止する場合は確認欄にチェックしてください。"})
        services.cancel(db(), user, meeting_id, current_time())

    return act_and_show(meeting_id, call, "ケース会議を中止し、各所管課に知らせました。")


@bp.post("/meetings/<int:meeting_id>/departments")
def add_department(meeting_id: int):
    """The organiser adds a department, checked against the consent."""
    user = actor()
    access.get_meeting(db(), user, meeting_id, "meeting.add_department")

    def call():
        dept = forms.required_id(request.form, "department_id", "所管課を選んでください。")
        services.add_department(db(), user, meeting_id, dept, current_time())

    return act_and_show(meeting_id, call, "所管課を追加しました。")


@bp.post("/meetings/<int:meeting_id>/people")
def set_people(meeting_id: int):
    """The department names who will come from it (出席予定者)."""
    user = actor()
    access.get_meeting(db(), user, meeting_id, "meeting.people")

    def call():
        services.set_people(db(), user, meeting_id, forms.user_ids(request.form))

    return act_and_show(meeting_id, call, "出席予定者を登録しました。")


@bp.post("/meetings/<int:meeting_id>/departments/remove")
def remove_department(meeting_id: int):
    """The organiser takes a department off the table; a decided meeting tells everyone."""
    user = actor()
    access.get_meeting(db(), user, meeting_id, "meeting.remove_department")

    def call():
        dept = forms.required_id(request.form, "department_id", "外す所管課を選んでください。")
        services.remove_department(db(), user, meeting_id, dept, current_time())

    return act_and_show(meeting_id, call, "所管課を外し、各所管課に知らせました。")


@bp.post("/meetings/<int:meeting_id>/minutes")
def record_minutes(meeting_id: int):
    """The organiser records the minutes; action items go out as feedback requests."""
    user = actor()
    access.get_meeting(db(), user, meeting_id, "meeting.minutes")

    def call():
        minutes.record(db(), user, meeting_id, forms.minutes(request.form), current_time())

    return act_and_show(
        meeting_id,
        call,
        "議事録を記録し、同意の範囲内の参加課に送付して、対応を各担当課に依頼しました。",
    )


@bp.get("/meetings/<int:meeting_id>/minutes")
def minutes_file(meeting_id: int) -> Response:
    """The minutes as PDF (``?format=docx``: Word), for a department that sees the case
    content today."""
    fmt = "docx" if request.args.get("format") == "docx" else "pdf"
    user = actor()
    meeting = access.get_meeting(db(), user, meeting_id, "meeting.minutes_file")
    sees = access.sees_content(db(), user, meeting, jp.today())
    meeting = minutes.get_for_print(db(), user, meeting_id, sees)
    data = minutes.data_for_print(meeting)
    if fmt == "pdf":
        body, mimetype = render.render_minutes_pdf(data), "application/pdf"
    else:
        body = render.render_minutes_docx(data)
        mimetype = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="minutes-{meeting.id}.{fmt}"'
    return response


@bp.get("/meetings/<int:meeting_id>/calendar.ics")
def ics_file(meeting_id: int) -> Response:
    """The decided conference as an .ics for the department's own calendar."""
    user = actor()
    meeting = access.get_meeting(db(), user, meeting_id, "meeting.ics")
    if meeting.status != MeetingStatus.SCHEDULED:
        raise Conflict("日程が決まると .ics をダウンロードできます。", code="not_scheduled")
    text = ics.calendar(
        meeting,
        [p.department for p in meeting.participants],
        method="PUBLISH",
        stamp=current_time(),
        domain=invitations.DOMAIN,
    )
    response = Response(text, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="meeting-{meeting.id}.ics"'
    return response


def _day(raw: str | None) -> date:
    try:
        return date.fromisoformat(raw) if raw else jp.today()
    except ValueError:
        return jp.today()


@bp.get("/meetings")
def index():
    """The department's calendar (week or month) of decided meetings, and its open polls."""
    user = actor()
    view = "month" if request.args.get("view") == "month" else "week"
    day = _day(request.args.get("day"))
    if view == "week":
        first = day - timedelta(days=day.weekday())
        last = first + timedelta(days=6)
        prev, nxt = first - timedelta(days=7), first + timedelta(days=7)
    else:
        first = day.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        prev, nxt = (first - timedelta(days=1)).replace(day=1), last + timedelta(days=1)
    require_case_worker(db(), user, "meeting.calendar", object_type="meeting")
    audit.record(db(), user, "meeting.calendar", object_type="meeting", reason=f"{first}..{last}")
    found = queries.between(db(), user, first, last)
    by_day: dict[date, list[Meeting]] = {}
    for m in found:
        local = jp.local(m.starts_at)
        assert local is not None
        by_day.setdefault(local.date(), []).append(m)
    grid_start = first - timedelta(days=first.weekday())
    weeks = []
    cursor = grid_start
    while cursor <= last:
        weeks.append([cursor + timedelta(days=i) for i in range(7)])
        cursor += timedelta(days=7)
    return render_template(
        "meetings/index.html",
        view=view,
        first=first,
        last=last,
        prev=prev,
        nxt=nxt,
        weeks=weeks,
        by_day=by_day,
        today=jp.today(),
        polls=queries.open_polls(db(), user),
        owed={m.id for m in queries.owed(db(), user)},
    )
