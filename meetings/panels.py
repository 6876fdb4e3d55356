"""The meetings' contributions to the core pages: the case panel, the dashboard tiles (coming
meetings, answers owed) and the ケース会議 link in the menu."""

from __future__ import annotations

from flask import request, url_for
from sqlalchemy.orm import Session

from hub.clock import from_config
from hub.meetings import queries
from hub.models import Case, Role, User
from hub.panels import NavLink, Panel, Tile
from hub.web import config


def case_panel(session: Session, user: User, case: Case) -> Panel | None:
    """The case's conferences the department sits at; the lead may propose one."""
    if not user.can_read_cases:
        return None
    meetings = queries.of_case(session, user, case.id)
    return Panel(
        "meetings/_case_panel.html",
        {"case": case, "meetings": meetings, "is_lead": case.is_led_by(user)},
    )


def dashboard_tiles(session: Session, user: User) -> list[Tile]:
    if not user.can_read_cases:
        return []
    now = from_config(config().fixed_now).now()
    coming = queries.upcoming(session, user, now)
    owed = queries.owed(session, user)
    first = coming[0] if coming else None
    note = f"次回 {first.title}" if first is not None else "30日以内の予定はありません"
    return [
        Tile("今後の会議・勉強会", len(coming), "件", note, url_for("meetings.index")),
        Tile(
            "未回答の日程調整",
            len(owed),
            "件",
            "自所管課の回答を待っています" if owed else "未回答はありません",
            url_for("meetings.index", _anchor="polls-title"),
            "warn" if owed else "",
        ),
    ]


def nav_links(session: Session, user: User) -> list[NavLink]:
    study = NavLink(
        "勉強会",
        url_for("meetings.study_index"),
        0,
        "勉強会",
        current=request.endpoint is not None and request.endpoint.startswith("meetings.study"),
    )
    if not user.can_read_cases:
        return [study] if user.role == Role.ADMIN else []
    owed = queries.owed_count(session, user)
    return [
        NavLink(
            "ケース会議",
            url_for("meetings.index"),
            owed,
            f"ケース会議（未回答{owed}件）",
            current=request.blueprint == "meetings" and not study.current,
            warn=bool(owed),
        ),
        study,
    ]
