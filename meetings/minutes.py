"""議事録: attendees, what was shared, the decisions (policy ①②③, per claim) and the action
items. Each action item owned by another department becomes a feedback request through the
mailbox (consent-checked like any share, chased by the feedback job); the minutes print as
Word/PDF (hub.documents.render.meetings)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session

from hub import audit
from hub.documents.categories import InformationCategory
from hub.documents.render import meetings as render
from hub.errors import Conflict, InvalidInput, NotFound
from hub.jp import TOKYO
from hub.mailbox import notify, send
from hub.mailbox.compose import Upload
from hub.mailbox.models import NotificationKind
from hub.mailbox.policy import PATTERNS
from hub.meetings import invitations
from hub.meetings.access import covered, get_meeting
from hub.meetings.models import (
    ActionItem,
    ClaimDecision,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Minutes,
)
from hub.meetings.services import require_organiser
from hub.models import User

MAX_ACTIONS = 20
CHASE = "{title}の議事録がまだ記録されていません"
BAD_CLAIM = "債権ごとの判断は、債権名と判断（納付計画・徴収猶予など）を入力してください。"


@dataclass
class Action:
    what: str
    owner_department_id: int
    due_on: date


@dataclass
class MinutesInput:
    attendees: list[str]
    shared: str = ""
    policy_pattern: int | None = None
    #: (claim name, ClaimDecision value)
    claims: list[tuple[str, str]] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)


def _check(meeting: Meeting, data: MinutesInput, now: datetime) -> None:
    errors: dict[str, str] = {}
    if meeting.kind == MeetingKind.STUDY:
        raise Conflict(
            "勉強会は出席と資料で記録します（議事録はケース会議のものです）。",
            code="not_conference",
        )
    if meeting.status != MeetingStatus.SCHEDULED or meeting.starts_at is None:
        raise Conflict("日程が決まったケース会議の議事録を記録できます。", code="not_scheduled")
    if meeting.starts_at > now:
        raise Conflict("議事録は会議の開始後に記録できます。", code="not_held_yet")
    if meeting.minutes is not None:
        raise Conflict("議事録は既に記録されています。", code="minutes_recorded")
    if not [a for a in data.attendees if a.strip()]:
        errors["attendees"] = "出席者を1人以上入力してください。"
    if data.policy_pattern is not None and str(data.policy_pattern) not in PATTERNS:
        errors["policy_pattern"] = "今後の方針は①②③から選んでください。"
    if any(d not in {c.value for c in ClaimDecision} or not n.strip() for n, d in data.claims):
        errors["claims"] = BAD_CLAIM
    if len(data.actions) > MAX_ACTIONS:
        errors["actions"] = f"対応は{MAX_ACTIONS}件までです。"
    for a in data.actions:
        if not a.what.strip():
            errors["actions"] = "対応の内容を入力してください。"
        elif a.owner_department_id not in meeting.department_ids:
            errors["actions"] = "対応の担当は会議の参加課から選んでください。"
        elif a.due_on < now.astimezone(TOKYO).date():
            errors["actions"] = "対応の期限が過去の日付です。"
    if errors:
        raise InvalidInput(fields=errors)


def record(
    session: Session, user: User, meeting_id: int, data: MinutesInput, now: datetime
) -> Minutes:
    """Record the minutes (the organiser, after the start); send them to the departments
    within the consent, and each action item as a feedback request."""
    meeting = require_organiser(session, user, meeting_id, "meeting.minutes")
    _check(meeting, data, now)
    minutes = Minutes(
        meeting_id=meeting.id,
        attendees=[a.strip() for a in data.attendees if a.strip()],
        shared=data.shared,
        policy_pattern=data.policy_pattern,
        claim_decisions=[{"claim": n.strip(), "decision": d} for n, d in data.claims],
        recorded_by_id=user.id,
        recorded_at=now,
    )
    meeting.minutes = minutes
    for a in data.actions:
        item = ActionItem(what=a.what, owner_department_id=a.owner_department_id, due_on=a.due_on)
        meeting.actions.append(item)
        if a.owner_department_id != meeting.organiser_department_id:
            item.message_id = _feedback_request(session, user, meeting, a, now)
    session.flush()
    minutes.message_ids = _send_minutes(session, user, meeting, now)
    audit.record(session, user, "meeting.minutes", meeting, reason=f"{len(data.actions)} actions")
    return minutes


def _send_minutes(session: Session, user: User, meeting: Meeting, now: datetime) -> list[int]:
    """The minutes (their PDF) to each other department through the mailbox, as a share of
    the agenda's categories: a department the consent no longer covers gets none (it would
    not see them in the hub either)."""
    day = now.astimezone(TOKYO).date()
    pdf = render.render_minutes_pdf(data_for_print(meeting))
    sent = []
    for participant in meeting.participants:
        dept_id = participant.department_id
        if participant.is_organiser or not covered(session, meeting, dept_id, day).allowed:
            continue
        message = send.send(
            session,
            user,
            {
                "kind": "share",
                "case_id": meeting.case_id,
                "recipient_ids": [dept_id],
                "subject": f"{meeting.title}の議事録",
                "body": f"{meeting.title}の議事録を送ります（{invitations.when(meeting)}）。",
                "body_categories": list(meeting.agenda),
                "attachment_categories": list(meeting.agenda),
            },
            [Upload(f"議事録_会議{meeting.id}.pdf", pdf)],
            today=day,
        ).message
        sent.append(message.id)
    return sent


def _feedback_request(
    session: Session, user: User, meeting: Meeting, action: Action, now: datetime
) -> int:
    """The action as a share asking for feedback by its due date (the consent gate decides)."""
    body = f"{meeting.title}で決まった対応です。\n対応すること：{action.what}"
    sent = send.send(
        session,
        user,
        {
            "kind": "share",
            "case_id": meeting.case_id,
            "recipient_ids": [action.owner_department_id],
            "subject": f"{meeting.title}の対応のお願い",
            "body": body,
            "body_categories": list(meeting.agenda),
            "feedback_due": action.due_on.isoformat(),
        },
        today=now.astimezone(TOKYO).date(),
    )
    return sent.message.id


def get_for_print(session: Session, user: User, meeting_id: int, sees: bool) -> Meeting:
    meeting = get_meeting(session, user, meeting_id, "meeting.minutes_file")
    if meeting.minutes is None or not sees:
        raise NotFound("議事録はまだありません（または同意の範囲外です）。")
    return meeting


def data_for_print(meeting: Meeting) -> render.MinutesData:
    """The minutes as the renderer's contract (hub.documents.render.meetings)."""
    minutes = meeting.minutes
    assert minutes is not None and meeting.starts_at is not None and meeting.ends_at is not None
    start, end = meeting.starts_at.astimezone(TOKYO), meeting.ends_at.astimezone(TOKYO)
    decisions = []
    if minutes.policy_pattern:
        decisions.append(f"今後の方針：{PATTERNS[str(minutes.policy_pattern)]}")
    decisions += [
        f"{c['claim']}：{ClaimDecision(c['decision']).label}" for c in minutes.claim_decisions
    ]
    case = meeting.case
    return render.MinutesData(
        case_reference=f"ケース{meeting.case_id}",
        resident_name=case.resident.name if case else "",
        department=meeting.organiser.name,
        held_on=start.date(),
        time=f"{start:%H:%M}〜{end:%H:%M}",
        place=meeting.place or meeting.online_url or "—",
        attendees=tuple(minutes.attendees),
        agenda=tuple(InformationCategory(c).label for c in meeting.agenda),
        discussion=minutes.shared or "—",
        decisions=tuple(decisions) or ("—",),
        actions=tuple(render.ActionItem(a.what, a.owner.name, a.due_on) for a in meeting.actions),
    )


def chase(session: Session, meeting: Meeting, now: datetime) -> None:
    """Remind the organiser once that the minutes are missing."""
    meeting.minutes_chased_at = now
    notify.departments(
        session,
        [meeting.organiser_department_id],
        NotificationKind.MEETING,
        None,
        text=CHASE.format(title=meeting.title)[:200],
        link_path=f"/meetings/{meeting.id}#minutes",
    )
