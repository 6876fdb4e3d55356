"""The browser's forms as the services' inputs: a proposal, answers, a slot, a new time."""

from __future__ import annotations

from datetime import date, datetime

from werkzeug.datastructures import MultiDict

from hub.documents.categories import InformationCategory
from hub.errors import InvalidInput
from hub.jp import TOKYO
from hub.meetings.minutes import Action, MinutesInput
from hub.meetings.models import Answer
from hub.meetings.services import Proposal
from hub.meetings.study import SeriesForm
from hub.validation import Fields, parse_id

#: Rows of claims and of action items on the minutes form.
MINUTES_ROWS = 5
BAD_TIME = "日時の形式が正しくありません（例: 2026-12-08T10:00）。"


def local_datetime(raw: str | None) -> datetime | None:
    """A datetime-local input (Japan time) as an aware datetime; None when empty or wrong."""
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    return value.replace(tzinfo=TOKYO) if value.tzinfo is None else value


def proposal(form: MultiDict) -> Proposal:
    """Read the propose form; field errors travel with the proposal to the service's checks."""
    fields = Fields(form)
    purpose = fields.text("purpose", "目的", max_length=2000)
    place = fields.text("place", "場所", max_length=200)
    online_url = fields.text("online_url", "オンライン会議のURL", max_length=500)
    errors = dict(fields.errors)
    departments = [parse_id(v) for v in form.getlist("department_ids")]
    if any(d is None for d in departments):
        errors["department_ids"] = "所管課の指定が正しくありません。"
    known = {c.value for c in InformationCategory}
    agenda = form.getlist("agenda")
    if any(c not in known for c in agenda):
        errors["agenda"] = "議題の区分が正しくありません。"
    starts = []
    for raw in form.getlist("slot"):
        if raw.strip():
            start = local_datetime(raw)
            if start is None:
                errors["slots"] = BAD_TIME
            else:
                starts.append(start)
    deadline = local_datetime(form.get("answer_deadline"))
    if deadline is None:
        errors["answer_deadline"] = "回答期限を入力してください（例: 2026-12-08T17:00）。"
    duration = parse_id(form.get("duration_minutes") or "60") or 0
    return Proposal(
        department_ids=[d for d in departments if d is not None],
        agenda=[c for c in agenda if c in known],
        starts=starts,
        answer_deadline=deadline or datetime(2000, 1, 1, tzinfo=TOKYO),
        purpose=purpose,
        duration_minutes=duration,
        place=place,
        online_url=online_url,
        errors=errors,
    )


def answers(form: MultiDict, slot_ids: list[int]) -> dict[int, Answer]:
    """``answer-<slot id>`` radio buttons: one answer per slot."""
    found: dict[int, Answer] = {}
    for slot_id in slot_ids:
        raw = form.get(f"answer-{slot_id}", "")
        if raw in {a.value for a in Answer}:
            found[slot_id] = Answer(raw)
    if len(found) != len(slot_ids):
        raise InvalidInput(fields={"answers": "すべての候補日時に ○・△・× で回答してください。"})
    return found


def required_id(form: MultiDict, field: str, message: str) -> int:
    value = parse_id(form.get(field))
    if value is None:
        raise InvalidInput(fields={field: message})
    return value


def required_time(form: MultiDict, field: str) -> datetime:
    value = local_datetime(form.get(field))
    if value is None:
        raise InvalidInput(fields={field: BAD_TIME})
    return value


def minutes(form: MultiDict) -> MinutesInput:
    """The minutes form: attendees one per line, up to 3 claims and 5 action items."""
    fields = Fields(form)
    shared = fields.text("shared", "共有した内容", max_length=10_000)
    attendees = fields.text("attendees", "出席者", max_length=2000)
    fields.check()
    pattern = form.get("policy_pattern", "")
    claims = [
        (form.get(f"claim-{n}", "").strip(), form.get(f"decision-{n}", ""))
        for n in range(MINUTES_ROWS)
        if form.get(f"claim-{n}", "").strip() or form.get(f"decision-{n}", "")
    ]
    actions = []
    for n in range(MINUTES_ROWS):
        what = form.get(f"action-{n}", "").strip()
        if not what:
            continue
        owner = parse_id(form.get(f"owner-{n}"))
        due = _date(form.get(f"due-{n}"))
        if owner is None or due is None:
            raise InvalidInput(fields={"actions": "対応ごとに担当課と期限を入力してください。"})
        actions.append(Action(what[:2000], owner, due))
    return MinutesInput(
        attendees=attendees.splitlines(),
        shared=shared,
        policy_pattern=int(pattern) if pattern in {"1", "2", "3"} else None,
        claims=claims,
        actions=actions,
    )


def _date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _number(form: MultiDict, field: str, default: int) -> int:
    raw = (form.get(field) or "").strip()
    if not raw:
        return default
    return int(raw) if raw.isdigit() and len(raw) <= 4 else -1


def series(form: MultiDict, today: date) -> SeriesForm:
    """The study series form (a JSON body reads the same fields: the API passes its dict)."""
    fields = Fields(form)
    title = fields.text("title", "名称", max_length=100, required=True)
    place = fields.text("place", "場所", max_length=200)
    online_url = fields.text("online_url", "オンライン会議のURL", max_length=500)
    errors = dict(fields.errors)
    departments = [parse_id(v) for v in form.getlist("department_ids")]
    if any(d is None for d in departments):
        errors["department_ids"] = "所管課の指定が正しくありません。"
    first = _month(form.get("first_month"))
    if first is None:
        errors["first_month"] = "初回の月を「2027-01」の形で入力してください。"
    return SeriesForm(
        title=title,
        department_ids=[d for d in departments if d is not None],
        first_month=first or today.replace(day=1),
        interval_months=_number(form, "interval_months", 3),
        week_of_month=_number(form, "week_of_month", 2),
        weekday=_number(form, "weekday", 2),
        start_time=(form.get("start_time") or "14:00").strip(),
        duration_minutes=_number(form, "duration_minutes", 90),
        place=place,
        online_url=online_url,
        lead_days=_number(form, "lead_days", 42),
        errors=errors,
    )


def _month(raw: str | None) -> date | None:
    """「2027-01」 (a month input) or a whole date."""
    raw = (raw or "").strip()
    try:
        return date.fromisoformat(f"{raw}-01" if len(raw) == 7 else raw).replace(day=1)
    except ValueError:
        return None


def user_ids(form: MultiDict) -> list[int]:
    found = [parse_id(v) for v in form.getlist("user_ids")]
    if any(u is None for u in found):
        raise InvalidInput(fields={"user_ids": "出席者の指定が正しくありません。"})
    return [u for u in found if u is not None]
