"""Panels and tiles that other packages add to the core pages.

The core pages do not import hub.documents, hub.mailbox or hub.scheduler (dependencies point
one way); the app factory registers each package's providers here, in a fixed order, and the
templates render what the providers return. A panel provider takes the request's session, the
acting user and the object (a case, a resident) and returns a :class:`Panel` or None; a tile
provider takes the session and the user and returns the :class:`Tile` objects of features
that exist for that user (the dashboard and the admin page show no placeholders).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app
from sqlalchemy.orm import Session

from hub.models import Case, Resident, User


@dataclass(frozen=True)
class Panel:
    #: Template path, e.g. ``documents/hearing/_case_panel.html``.
    template: str
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Tile:
    label: str
    number: int
    unit: str
    #: One line under the number (e.g. 「うち期限超過 2件」).
    note: str
    #: Where the tile leads: the filtered list behind the number.
    href: str
    #: ``warn`` when the number needs attention (something overdue, a mail that failed).
    tone: str = ""


CaseProvider = Callable[[Session, User, Case], "Panel | None"]
TileProvider = Callable[[Session, User], "list[Tile]"]
ResidentProvider = Callable[[Session, User, Resident], "Panel | None"]
_KEY = "tsunagu.panels"


def init_app(app: Flask) -> None:
    app.extensions[_KEY] = {"case": [], "resident": [], "dashboard": [], "admin": []}

    @app.context_processor
    def panel_helpers() -> dict[str, Any]:
        from hub.web import actor, db

        def case_panels(case: Case) -> list[Panel]:
            return _collect("case", db(), actor(), case)

        def resident_panels(resident: Resident) -> list[Panel]:
            return _collect("resident", db(), actor(), resident)

        def tiles(page: str) -> list[Tile]:
            found: list[Tile] = []
            for provider in current_app.extensions[_KEY][page]:
                found.extend(provider(db(), actor()))
            return found

        return {"case_panels": case_panels, "resident_panels": resident_panels, "tiles": tiles}


def add_case_panel(app: Flask, provider: CaseProvider) -> None:
    """Show a package's panel on every case page, after those registered before it."""
    app.extensions[_KEY]["case"].append(provider)


def add_resident_panel(app: Flask, provider: ResidentProvider) -> None:
    """Show a package's panel on every resident page."""
    app.extensions[_KEY]["resident"].append(provider)


def add_dashboard_tiles(app: Flask, provider: TileProvider) -> None:
    """Show a package's tiles on the dashboard, after those registered before it."""
    app.extensions[_KEY]["dashboard"].append(provider)


def add_admin_tiles(app: Flask, provider: TileProvider) -> None:
    """Show a package's tiles on the administration page."""
    app.extensions[_KEY]["admin"].append(provider)


def _collect(kind: str, session: Session, user: User, obj: Any) -> list[Panel]:
    panels = (provider(session, user, obj) for provider in current_app.extensions[_KEY][kind])
    return [panel for panel in panels if panel is not None]
