"""Seed 000 ④: a case conference meets only for a resident who meets the criteria, and only
with departments the resident's consent lets the organiser tell what the agenda covers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy.orm import Session

from hub.documents.categories import ORDER
from hub.documents.consent import gate
from hub.documents.hearing.judgements import current_judgements
from hub.documents.hearing.models import Outcome
from hub.errors import HubError
from hub.models import Case, Department, User

NOT_MET = (
    "このケースには共通目安に「該当」とした確認済みの判断がないため、ケース会議を開けません。"
    "先に「共通目安」で判断を確定してください。"
)
NOT_COVERED = "本人の同意の範囲外の所管課があるため、ケース会議を開けません。"


class CriteriaNotMet(HubError):
    status = 409
    code = "criteria_not_met"
    message = NOT_MET


def require_criteria(session: Session, case: Case) -> None:
    """Refuse unless a current, staff-confirmed judgement says 該当."""
    current = current_judgements(session, case.id)
    if not any(j.decision == Outcome.MET for j in current.values()):
        raise CriteriaNotMet()


def require_consent(
    session: Session,
    user: User,
    case: Case,
    department_ids: Iterable[int],
    agenda: list[str],
    day: date,
) -> None:
    """Refuse, naming each department and category missing, unless the gate allows them all."""
    reasons: list[str] = []
    for dept_id in department_ids:
        if dept_id == case.lead_department_id:
            continue
        decision = gate.check(
            session,
            user,
            case.resident_id,
            case.lead_department_id,
            dept_id,
            agenda,
            day,
            action="meeting.consent",
        )
        reasons += decision.reasons
    if reasons:
        raise gate.ConsentMissing(reasons, NOT_COVERED)


def grantable(
    session: Session, case: Case, departments: Iterable[Department], day: date
) -> dict[int, list[str]]:
    """For the propose form, before the user tries: the categories the consent lets the lead
    give each department today (the lead's own pairs: it may know them)."""
    every = [c.value for c in ORDER]
    found: dict[int, list[str]] = {}
    for dept in departments:
        decision = gate.covers(
            session, case.resident_id, case.lead_department_id, dept.id, every, day
        )
        missing = {m.category for m in decision.missing}
        found[dept.id] = [c.label for c in ORDER if c.value not in missing]
    return found
