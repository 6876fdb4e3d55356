"""The mailbox section of the case page: every exchange of the case, both directions."""

from __future__ import annotations

from sqlalchemy.orm import Session

from hub.mailbox import disclosures, inbox
from hub.models import Case, Resident, User
from hub.panels import Panel


def case_panel(session: Session, user: User, case: Case) -> Panel | None:
    """The case's timeline of messages (recalled ones as tombstones) and links to write one."""
    if not user.can_read_cases or not case.is_visible_to(user):
        return None
    return Panel(
        "mailbox/_case_panel.html",
        {"case": case, "rows": inbox.timeline(session, user, case.id)},
    )


#: The newest provisions the resident page shows (the whole record is one click away).
RECENT = 5


def resident_panel(session: Session, user: User, resident: Resident) -> Panel | None:
    """提供記録: the newest provisions the department made or received, printing, the rest."""
    if not user.can_read_cases:
        return None
    found = disclosures.record(session, user, resident.id)
    rows = list(zip(found.rows, found.messages, strict=True))
    return Panel(
        "mailbox/_resident_panel.html",
        {"resident": resident, "rows": rows[-RECENT:][::-1], "total": len(rows)},
    )
