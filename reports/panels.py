"""The report's menu entry: for managers (their department) and administrators (the city)."""

from __future__ import annotations

from flask import request, url_for
from sqlalchemy.orm import Session

from hub.models import Role, User
from hub.panels import NavLink


def nav_links(session: Session, user: User) -> list[NavLink]:
    if user.role not in (Role.MANAGER, Role.ADMIN):
        return []
    return [
        NavLink(
            "連携状況",
            url_for("reports.collaboration"),
            0,
            "連携状況等確認（集計）",
            current=request.blueprint == "reports",
        )
    ]
