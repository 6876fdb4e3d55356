"""The hearing sheet's panel on the case page: latest version, key figures, 共通目安."""

from __future__ import annotations

from sqlalchemy.orm import Session

from hub import audit
from hub.documents.hearing import calc, display, judgements, plan, services
from hub.documents.hearing.visible import Cuts
from hub.models import Case, User
from hub.panels import Panel

TEMPLATE = "documents/hearing/_case_panel.html"


def case_panel(session: Session, user: User, case: Case) -> Panel | None:
    """Summarise the sheet and the criteria for a case page the user may already see, cut to
    what the resident's consent lets the sheet's department give the user's department."""
    if not case.is_visible_to(user):
        return None
    is_lead = case.is_led_by(user)
    sheet = services.latest(session, case.id)
    if sheet is None:
        return Panel(TEMPLATE, {"case": case, "sheet": None, "is_lead": is_lead})
    audit.record(session, user, "hearing.summary", sheet, reason=f"version {sheet.version}")
    cuts = Cuts(session, user, case, "hearing.summary")
    seen = cuts.sheet(sheet)
    figures = seen.figures
    return Panel(
        TEMPLATE,
        {
            "case": case,
            "is_lead": is_lead,
            "sheet": seen,
            "count": services.version_count(session, case.id),
            "figures": figures,
            "formula": calc.formula(figures) if figures else [],
            "criteria": judgements.for_viewer(session, user, case, cuts),
            "fmt": display,
            "limitations": _limitation_warnings(session, figures) if figures else [],
        },
    )


def _limitation_warnings(session: Session, figures: dict) -> list[str]:
    """Name the claims whose oldest period is near (or past) its limitation date."""
    names = services.claim_names(session)
    warnings = []
    for item in (figures.get("plan") or {}).get("items", []):
        flag = item["limitation"]
        if flag["is_near"] or flag["is_passed"]:
            state = "到来の可能性" if flag["is_passed"] else "が近い"
            name = names.get(item["claim_type_id"], "")
            warnings.append(f"{name}：時効{state}（{plan.limitation_label(flag)}）")
    return warnings
