"""Panels, tiles, navigation links and stylesheets that other packages add to the core pages.

The core pages do not import the documents, mailbox or scheduler packages (dependencies point
one way); the app factory registers each package's providers here, in a fixed order, and the
templates render what the providers return. A panel provider takes the request's session, the
acting user and the object (a case, a resident) and returns a :class:`Panel` or None; a tile
provider takes the session and the user and returns the :class:`Tile` objects of features
that exist for that user (the dashboard and the admin page show no placeholders). A navigation
provider returns the package's :class:`NavLink` objects for the menu (``main``) or the header
(``user``): the mailbox's 連絡 with its unread count, 承認, 通知; a package may also add its
stylesheet to every page. ``templates/base.html`` names no package.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, g
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


#: A menu number is counted up to this and shown as 「99+」 beyond it: a badge then reads at
#: most this many index entries on every page, however large the inbox grows.
NAV_COUNT_CAP = 99


def nav_count_words(count: int) -> str:
    """「3件」, or 「99件以上」 above the cap, for a link's spoken label."""
    return f"{count}件" if count <= NAV_COUNT_CAP else f"{NAV_COUNT_CAP}件以上"


@dataclass(frozen=True)
class NavLink:
    label: str
    href: str
    #: The number after the label (0: none shown), counted up to NAV_COUNT_CAP + 1.
    count: int = 0
    #: Read out instead of the label (「連絡（未読3件）」).
    aria_label: str = ""
    #: ``main`` (the menu) or ``user`` (beside the user's name in the header).
    place: str = "main"
    #: The page shown is this link's.
    current: bool = False
    #: The number needs attention (a manager's approvals waiting).
    warn: bool = False

    @property
    def shown_count(self) -> str:
        return str(self.count) if self.count <= NAV_COUNT_CAP else f"{NAV_COUNT_CAP}+"


NavProvider = Callable[[Session, User], "list[NavLink]"]
CaseProvider = Callable[[Session, User, Case], "Panel | None"]
TileProvider = Callable[[Session, User], "list[Tile]"]
ResidentProvider = Callable[[Session, User, Resident], "Panel | None"]
_KEY = "tsunagu.panels"


def init_app(app: Flask) -> None:
    app.extensions[_KEY] = {
        "case": [],
        "resident": [],
        "dashboard": [],
        "admin": [],
        "nav": [],
        "stylesheets": [],
    }

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

        def nav_links(place: str) -> list[NavLink]:
            # Asked twice per page (menu, header): the providers run once.
            if "nav_links" not in g:
                user = actor()
                g.nav_links = [
                    link
                    for provider in current_app.extensions[_KEY]["nav"]
                    for link in provider(db(), user)
                ]
            return [link for link in g.nav_links if link.place == place]

        return {
            "case_panels": case_panels,
            "resident_panels": resident_panels,
            "tiles": tiles,
            "nav_links": nav_links,
            "package_stylesheets": current_app.extensions[_KEY]["stylesheets"],
        }


def add_nav(app: Flask, provider: NavProvider) -> None:
    """Put a package's links in the menu or the header, after those registered before."""
    app.extensions[_KEY]["nav"].append(provider)


def add_stylesheet(app: Flask, filename: str) -> None:
    """Link a package's stylesheet (a file of the hub's static folder) from every page."""
    app.extensions[_KEY]["stylesheets"].append(filename)


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
