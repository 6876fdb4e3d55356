"""Hearing sheets and 共通目安 over the API: the same services as the screens.

Versions are chosen with query parameters (``?version=3``, ``?from=1&to=2``). Field errors of a
sheet are keyed by their path inside ``sections`` (``household_budget.expenses.rent``).
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, url_for

from hub.api.auth import case_worker
from hub.api.inputs import json_object, query_args
from hub.api.legacy import bp
from hub.api.serialize import department_ref, timestamp
from hub.cases.services import get_visible
from hub.documents.consent.disclosure import owner_cut
from hub.documents.hearing import calc, judgements, services
from hub.documents.hearing.criteria import BY_NUMBER
from hub.documents.hearing.display import Change
from hub.documents.hearing.models import CriteriaJudgement
from hub.documents.hearing.visible import VisibleSheet, visible
from hub.errors import InvalidInput
from hub.models import User
from hub.web import db

_NUMBER = "{label}は1以上の整数で指定してください。"


def _query_number(args: Any, name: str, label: str, *, required: bool) -> int | None:
    raw = args.get(name)
    if raw is None:
        if required:
            raise InvalidInput(fields={name: f"{label}を指定してください。"})
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 6 and int(raw) > 0):
        raise InvalidInput(fields={name: _NUMBER.format(label=label)})
    return int(raw)


def _person(user: User) -> dict[str, Any]:
    return {"id": user.id, "display_name": user.display_name}


def summary(seen: VisibleSheet) -> dict[str, Any]:
    return {
        "version": seen.version,
        "author": _person(seen.author),
        "department": department_ref(seen.department),
        "created_at": timestamp(seen.created_at),
        "categories": seen.present,
        "withheld": seen.withheld,
        "source_note": seen.source_note,
    }


def _sheet(seen: VisibleSheet) -> dict[str, Any]:
    return {
        "case_id": seen.sheet.case_id,
        **summary(seen),
        "sections": seen.data,
        "figures": seen.figures,
        "formula": calc.formula(seen.figures) if seen.figures is not None else [],
        "notice": seen.notice,
    }


def _suggestions(result: services.Calculation) -> list[dict[str, Any]]:
    return [
        {
            "criterion": s.criterion,
            "title": BY_NUMBER[s.criterion].title,
            "outcome": s.outcome.value,
            "reason": s.reason,
        }
        for s in result.suggestions
    ]


def _change(change: Change) -> dict[str, Any]:
    return {
        "section": change.key.split(".", 1)[0],
        "section_label": change.section,
        "field": change.key,
        "label": change.label,
        "old": change.old,
        "new": change.new,
    }


def _judgement(j: CriteriaJudgement | None, item: judgements.Item) -> dict[str, Any] | None:
    if j is None:
        return None
    return {
        "decision": j.decision.value,
        "reason": j.reason,
        "suggestion": j.suggestion.value,
        "suggestion_reason": j.suggestion_reason,
        "is_overruled": j.is_overruled,
        "sheet_version": j.sheet.version,
        "is_outdated": item.is_outdated,
        "judged_by": _person(j.judged_by),
        "department": department_ref(j.department),
        "judged_at": timestamp(j.judged_at),
    }


def _criteria(state: judgements.CriteriaState) -> dict[str, Any]:
    return {
        "case_id": state.case.id,
        "sheet_version": state.sheet.version if state.sheet else None,
        "notice": state.notice,
        "suggestions_shown": state.suggestions_shown,
        "meets": state.meets,
        "met": state.met,
        "items": [
            {
                "criterion": i.criterion.number,
                "title": i.criterion.title,
                "text": i.criterion.text,
                "suggestion": {"outcome": i.suggestion.outcome.value, "reason": i.suggestion.reason}
                if i.suggestion
                else None,
                "judgement": _judgement(i.judgement, i),
            }
            for i in state.items
        ],
    }


@bp.get("/cases/<int:case_id>/sheet/versions")
def list_sheet_versions(case_id: int) -> Response:
    """List the versions of a case's hearing sheet, newest first."""
    query_args([])
    _case, found = services.versions(db(), case_worker("hearing.list", case_id), case_id)
    return jsonify(items=[summary(s) for s in found])


@bp.post("/cases/<int:case_id>/sheet/versions")
def create_sheet_version(case_id: int) -> Response:
    """Save a new version of the sheet (``based_on``: the version it was edited from)."""
    data = json_object(["based_on", "sections"])
    based_on = data.get("based_on")
    if based_on is not None and (
        not isinstance(based_on, int) or isinstance(based_on, bool) or based_on < 0
    ):
        raise InvalidInput(
            fields={"based_on": "based_on は0以上の整数（版の番号）で指定してください。"}
        )
    user = case_worker("hearing.create", case_id)
    sheet = services.save(db(), user, case_id, data.get("sections"), based_on=based_on)
    location = url_for(".show_sheet", case_id=case_id, version=sheet.version)
    response = jsonify(_sheet(visible(sheet, owner_cut(user))))
    response.status_code = 201
    response.headers["Location"] = location
    return response


@bp.get("/cases/<int:case_id>/sheet")
def show_sheet(case_id: int) -> Response:
    """Read a version of the sheet with its figures (the latest unless ``?version=N``)."""
    args = query_args(["version"])
    user = case_worker("hearing.view", case_id)
    number = _query_number(args, "version", "版", required=False)
    return jsonify(_sheet(services.get(db(), user, case_id, number)))


@bp.get("/cases/<int:case_id>/sheet/compare")
def compare_sheet_versions(case_id: int) -> Response:
    """Compare two versions field by field (``?from=1&to=2``), labels in Japanese."""
    args = query_args(["from", "to"])
    user = case_worker("hearing.compare", case_id)
    old = _query_number(args, "from", "比較元の版", required=False)
    new = _query_number(args, "to", "比較先の版", required=False)
    if old is None or new is None:
        get_visible(db(), user, case_id, action="hearing.compare")  # an outsider gets 404 first
        missing = {"from": "比較元の版", "to": "比較先の版"}
        given = {"from": old, "to": new}
        raise InvalidInput(
            fields={
                k: f"{label}を指定してください。"
                for k, label in missing.items()
                if given[k] is None
            }
        )
    result = services.compare(db(), user, case_id, old, new)
    return jsonify(
        {
            "from": summary(result.old),
            "to": summary(result.new),
            "changes": [_change(c) for c in result.changes],
        }
    )


@bp.post("/cases/<int:case_id>/sheet/calculate")
def calculate_sheet(case_id: int) -> Response:
    """Check a sheet and compute its figures, joint plan and suggestions without saving."""
    data = json_object(["sections"])
    user = case_worker("hearing.calculate", case_id)
    result = services.calculate(db(), user, case_id, data.get("sections"))
    return jsonify(
        {
            "sections": result.data,
            "figures": result.figures,
            "formula": calc.formula(result.figures),
            "suggestions": _suggestions(result),
        }
    )


@bp.get("/cases/<int:case_id>/criteria")
def show_criteria(case_id: int) -> Response:
    """Show the suggested 共通目安 of the latest sheet and the current decisions."""
    user = case_worker("hearing.criteria", case_id)
    return jsonify(_criteria(judgements.state(db(), user, case_id)))


@bp.put("/cases/<int:case_id>/criteria")
def update_criteria(case_id: int) -> Response:
    """Record decisions on the latest sheet version; a reason when overruling a suggestion."""
    data = json_object(["version", "decisions"])
    user = case_worker("hearing.judge", case_id)
    state = judgements.judge(db(), user, case_id, data.get("version"), data.get("decisions"))
    return jsonify(_criteria(state))
