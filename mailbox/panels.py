"""The mailbox section of the case page: every exchange of the case, both directions."""

from __future__ import annotations

from sqlalchemy.orm import Session

from hub.mailbox import inbox
from hub.models import Case, User
from hub.panels import Panel


def case_panel(session: Session, user: User, case: Case) -> Panel | None:
    """The case's timeline of messages (recalled ones as tombstones) and links to write one."""
    if not user.can_read_cases or not case.is_visible_to(user):
        return None
    return Panel(
        "mailbox/_case_panel.html",
        {"case": case, "rows": inbox.timeline(session, user, case.id)},
    )
