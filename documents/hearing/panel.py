"""The hearing sheet's panel on the case page: latest version, key figures, 共通目安."""

from __future__ import annotations

from sqlalchemy.orm import Session

from hub import audit
from hub.documents.hearing import calc, display, judgements, plan, services
from hub.models import Case, User
from hub.panels import Panel

TEMPLATE = "documents/hearing/_case_panel.html"


def case_panel(session: Session, user: User, case: Case) -> Panel | None:
    """Summarise the sheet and the criteria for a case page the user may already see."""
    if not case.is_visible_to(user):
        return None
    sheet = services.latest(session, case.id)
    if sheet is None:
        return Panel(TEMPLATE, {"case": case, "sheet": None})
    audit.record(session, user, "hearing.summary", sheet, reason=f"version {sheet.version}")
    return Panel(
        TEMPLATE,
        {
            "case": case,
            "sheet": sheet,
            "count": services.version_count(session, case.id),
            "figures": sheet.figures,
            "formula": calc.formula(sheet.figures),
            "criteria": judgements.summary(session, case),
            "fmt": display,
            "limitations": _limitation_warnings(session, sheet.figures),
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
