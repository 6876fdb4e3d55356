"""The consent sections of the resident page and the case page (see hub.panels)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import jp
from hub.documents.consent import scope, services, sharing
from hub.documents.consent.models import Consent, ConsentStatus
from hub.models import Case, Department, Resident, User
from hub.panels import Panel


@dataclass(frozen=True)
class ConsentLine:
    consent: Consent
    status: ConsentStatus
    summary: list[str]


def _lines(session: Session, consents: list[Consent]) -> list[ConsentLine]:
    ids = {g.from_department_id for c in consents for g in c.grants} | {
        g.to_department_id for c in consents for g in c.grants
    }
    names = {d.id: d for d in session.scalars(select(Department).where(Department.id.in_(ids)))}
    today = jp.today()
    return [ConsentLine(c, c.status_on(today), scope.summary(c.grants, names)) for c in consents]


def resident_panel(session: Session, user: User, resident: Resident) -> Panel | None:
    """The resident's consents with status, validity and scope; the user's sharing requests."""
    if not user.can_read_cases:
        return None
    return Panel(
        "documents/consent/_resident_panel.html",
        {
            "resident": resident,
            "lines": _lines(session, services.consents_of(session, resident.id)),
            "requests": sharing.requests_of(session, user, resident.id),
        },
    )


def case_panel(session: Session, user: User, case: Case) -> Panel | None:
    """A short consent status for the case's resident."""
    if not case.is_visible_to(user):
        return None
    lines = _lines(session, services.consents_of(session, case.resident_id))
    return Panel(
        "documents/consent/_case_panel.html",
        {
            "resident": case.resident,
            "active": [line for line in lines if line.status == ConsentStatus.ACTIVE],
            "drafts": [line for line in lines if line.status == ConsentStatus.DRAFT],
            "ended": [
                line
                for line in lines
                if line.status not in (ConsentStatus.ACTIVE, ConsentStatus.DRAFT)
            ],
        },
    )
