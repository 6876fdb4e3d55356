"""Panels that other packages add to the case and resident pages.

The core pages do not import hub.documents or hub.mailbox (dependencies point one way); the app
factory registers each package's panel provider here, in a fixed order, and the templates
render what the providers return. A provider takes the request's session, the acting user and
the object, and returns a :class:`Panel` or None (nothing to show to this user).
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


CaseProvider = Callable[[Session, User, Case], "Panel | None"]
ResidentProvider = Callable[[Session, User, Resident], "Panel | None"]
_KEY = "tsunagu.panels"


def init_app(app: Flask) -> None:
    app.extensions[_KEY] = {"case": [], "resident": []}

    @app.context_processor
    def panel_helpers() -> dict[str, Any]:
        from hub.web import actor, db

        def case_panels(case: Case) -> list[Panel]:
            return _collect("case", db(), actor(), case)

        def resident_panels(resident: Resident) -> list[Panel]:
            return _collect("resident", db(), actor(), resident)

        return {"case_panels": case_panels, "resident_panels": resident_panels}


def add_case_panel(app: Flask, provider: CaseProvider) -> None:
    """Show a package's panel on every case page, after those registered before it."""
    app.extensions[_KEY]["case"].append(provider)


def add_resident_panel(app: Flask, provider: ResidentProvider) -> None:
    """Show a package's panel on every resident page."""
    app.extensions[_KEY]["resident"].append(provider)


def _collect(kind: str, session: Session, user: User, obj: Any) -> list[Panel]:
    panels = (provider(session, user, obj) for provider in current_app.extensions[_KEY][kind])
    return [panel for panel in panels if panel is not None]
