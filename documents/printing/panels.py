"""Printing on the case and resident pages, and the directory's tile on the admin page."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.db import count_rows
from hub.documents.hearing import services as hearing
from hub.documents.printing.models import CounsellingWindow, PacketJob
from hub.models import Case, Resident, User
from hub.panels import Panel, Tile


def case_panel(session: Session, user: User, case: Case) -> Panel | None:
    """The sheet's printouts for anyone on the case; the packets for its lead."""
    if not user.can_read_cases or not case.is_visible_to(user):
        return None
    latest = hearing.latest(session, case.id)
    recent = []
    if case.is_led_by(user):
        recent = list(
            session.scalars(
                select(PacketJob)
                .where(PacketJob.case_id == case.id, PacketJob.department_id == user.department_id)
                .order_by(PacketJob.id.desc())
                .limit(5)
            )
        )
    return Panel(
        "documents/printing/_case_panel.html",
        {
            "case": case,
            "has_sheet": latest is not None,
            "is_lead": case.is_led_by(user),
            "recent": recent,
        },
    )


def resident_panel(session: Session, user: User, resident: Resident) -> Panel | None:
    """相談先のご案内: a link to choose the windows and print the handout."""
    if not user.can_read_cases:
        return None
    count = count_rows(
        session,
        select(func.count()).select_from(CounsellingWindow).where(CounsellingWindow.is_active),
    )
    return Panel("documents/printing/_resident_panel.html", {"resident": resident, "count": count})


def admin_tiles(session: Session, user: User) -> list[Tile]:
    """The directory of counselling windows (相談先)."""
    if not user.is_admin:
        return []
    total = count_rows(session, select(func.count()).select_from(CounsellingWindow))
    active = count_rows(
        session,
        select(func.count()).select_from(CounsellingWindow).where(CounsellingWindow.is_active),
    )
    return [
        Tile(
            "相談先",
            active or 0,
            "件",
            f"相談先のご案内に載せる窓口（無効 {total - (active or 0)}件）",
            url_for("windows.index"),
        )
    ]
