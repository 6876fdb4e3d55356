"""The consent sections of the resident page and the case page (see hub.panels)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import jp
from hub.documents.consent import membership, scope, services, sharing
from hub.documents.consent.access import ConsentView
from hub.documents.consent.models import Consent, ConsentStatus
from hub.models import Case, Department, Resident, User
from hub.panels import Panel


@dataclass(frozen=True)
class ConsentLine:
    consent: Consent
    status: ConsentStatus
    #: The scope as the department may see it (all of it only for the obtaining department).
    summary: list[str]
    is_obtaining: bool


def _lines(session: Session, views: list[ConsentView]) -> list[ConsentLine]:
    ids = {g.from_department_id for v in views for g in v.grants} | {
        g.to_department_id for v in views for g in v.grants
    }
    names = {d.id: d for d in session.scalars(select(Department).where(Department.id.in_(ids)))}
    today = jp.today()
    return [
        ConsentLine(
            v.consent, v.consent.status_on(today), scope.summary(v.grants, names), v.is_obtaining
        )
        for v in views
    ]


def resident_panel(session: Session, user: User, resident: Resident) -> Panel | None:
    """The resident's consents with status, validity and scope; the user's sharing requests."""
    if not user.can_read_cases:
        return None
    return Panel(
        "documents/consent/_resident_panel.html",
        {
            "resident": resident,
            "lines": _lines(session, services.consents_of(session, user, resident.id)),
            "requests": sharing.requests_of(session, user, resident.id),
        },
    )


def case_panel(session: Session, user: User, case: Case) -> Panel | None:
    """The consents that concern the user's department, and for the lead the departments the
    consent lets it add to the case."""
    if not case.is_visible_to(user):
        return None
    lines = _lines(session, services.consents_of(session, user, case.resident_id))
    return Panel(
        "documents/consent/_case_panel.html",
        {
            "case": case,
            "resident": case.resident,
            "is_lead": case.is_led_by(user),
            "join_options": membership.options(session, user, case) if case.is_led_by(user) else [],
            "active": [line for line in lines if line.status == ConsentStatus.ACTIVE],
            "drafts": [line for line in lines if line.status == ConsentStatus.DRAFT],
            "ended": [
                line
                for line in lines
                if line.status not in (ConsentStatus.ACTIVE, ConsentStatus.DRAFT)
            ],
        },
    )
