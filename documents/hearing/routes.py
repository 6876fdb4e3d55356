"""Hearing-sheet screens: view a version, fill in a new one, compare two, judge the criteria.

Every page works without JavaScript: 「計算する」 re-renders the form with the server's figures
without saving; hub/static/js/hearing.js only updates the figures while staff type.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from hub import jp
from hub.documents.hearing import (
    calc,
    dates,
    display,
    forms,
    judgements,
    plan,
    schema,
    services,
    sources,
)
from hub.documents.hearing.criteria import CRITERIA
from hub.documents.hearing.models import DECISIONS, Outcome
from hub.documents.hearing.schema import MAX_ROWS
from hub.errors import HubError, NotFound
from hub.models import Case
from hub.web import config, db

bp = Blueprint("hearing", __name__, url_prefix="/cases/<int:case_id>/sheet")
ACTIONS = ("save", "calculate", "apply_plan")
PLAN_APPLIED = (
    "提案した納付計画を「納付計画」欄に反映しました。内容を確認・修正してから保存してください。"
)


def _number(name: str) -> int | None:
    """Read a version number from the query string; anything else is a page that is not there."""
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 6 and int(raw) > 0):
        raise NotFound()
    return int(raw)


def _helpers() -> dict[str, Any]:
    """Formatting helpers the sheet templates share."""
    return {
        "fmt": display,
        "month_label": dates.month_label,
        "limitation_label": plan.limitation_label,
        "labels": schema,
    }


def _refuse_or_keep(exc: HubError) -> None:
    """403/404 go to the error page; other errors re-render the form with their messages."""
    if exc.status in (403, 404):
        raise exc
    db().rollback()


@bp.get("/")
def show(case_id: int):
    """Show a version of the sheet (the latest unless ?version=N) with its figures."""
    view = services.view(db(), current_user, case_id, _number("version"))
    names = services.claim_names(db())
    return render_template(
        "documents/hearing/show.html",
        view=view,
        case=view.case,
        sections=display.grouped(display.lines(view.sheet.data, names)) if view.sheet else [],
        figures=view.sheet.figures if view.sheet else None,
        formula=calc.formula(view.sheet.figures) if view.sheet and view.sheet.figures else [],
        claim_names=names,
        **_helpers(),
    )


def _render_edit(
    case: Case,
    form: Mapping[str, Any],
    result: services.Calculation | None,
    based_on: int,
    *,
    status: int = 200,
    errors: Mapping[str, str] | None = None,
    error: str | None = None,
    notice: str | None = None,
    source_token: str = "",
):
    claims = services.claim_types(db())
    source_note = sources.read(config().secret_key, source_token, case.id, current_user.id)
    figures = result.figures if result else None
    settings = services.params(db())
    js_params = {
        **settings.as_dict(),
        "start": dates.next_month(jp.today()),
        "claims": [{"id": c.id, "name": c.name, "row": i} for i, c in enumerate(claims)],
        "limitations": _limitations(figures),
    }
    return render_template(
        "documents/hearing/edit.html",
        case=case,
        form=form,
        errors=errors or {},
        error=error,
        notice=notice,
        based_on=based_on,
        claims=claims,
        claim_names={c.id: c.name for c in claims},
        figures=figures,
        formula=calc.formula(figures) if figures else [],
        suggestions=result.suggestions if result else [],
        criteria={c.number: c for c in CRITERIA},
        params_dict=settings.as_dict(),
        js_params=js_params,
        **_helpers(),
        source_note=source_note,
        source_token=source_token if source_note else "",
        member_rows=forms.row_count(form, "household_budget.members.", MAX_ROWS["members"]),
        debt_rows=forms.row_count(form, "private_debts.debts.", MAX_ROWS["debts"]),
    ), status


def _limitations(figures: Mapping[str, Any] | None) -> dict[str, dict[str, str]]:
    """The limitation cell of each claim as last computed by the server (for hearing.js)."""
    result = {}
    for item in ((figures or {}).get("plan") or {}).get("items", []):
        lim = item["limitation"]
        flag = "時効到来の可能性" if lim["is_passed"] else "時効が近い" if lim["is_near"] else ""
        result[str(item["claim_type_id"])] = {
            "text": plan.limitation_label(lim) or "—",
            "flag": flag,
        }
    return result


@bp.route("/edit", methods=["GET", "POST"])
def edit(case_id: int):
    """Fill in a new version: calculate without saving, take the proposed plan, or save."""
    if request.method == "GET":
        case = services.editable(db(), current_user, case_id, action="hearing.edit")
        current = services.latest(db(), case.id)
        if current is None:
            return _render_edit(case, {}, None, 0)
        form = forms.to_form(current.data, services.claim_types(db()))
        return _render_edit(case, form, services.evaluate(db(), current.data), current.version)
    form = request.form.to_dict()
    action = form.get("action") if form.get("action") in ACTIONS else "save"
    based_on = int(form["based_on"]) if form.get("based_on", "").isdigit() else None
    token = form.pop("source", "")
    raw = forms.unflatten(form)
    try:
        if action == "save":
            source = sources.read(config().secret_key, token, case_id, current_user.id)
            sheet = services.save(
                db(), current_user, case_id, raw, based_on=based_on, from_form=True, source=source
            )
        else:
            result = services.calculate(db(), current_user, case_id, raw, from_form=True)
    except HubError as exc:
        _refuse_or_keep(exc)
        case = services.editable(db(), current_user, case_id, action="hearing.edit")
        if exc.code == "sheet_outdated":  # told once; saving again replaces the newer version
            current = services.latest(db(), case.id)
            based_on = current.version if current else 0
        return _render_edit(
            case,
            form,
            None,
            based_on or 0,
            status=exc.status,
            errors=exc.fields,
            error=exc.message,
            source_token=token,
        )
    if action == "save":
        flash(f"共通ヒアリングシートを第{sheet.version}版として保存しました。", "success")
        return redirect(url_for(".show", case_id=case_id))
    case = db().get_one(Case, case_id)
    notice = None
    if action == "apply_plan":
        form = forms.with_plan(form, result.figures["plan"], services.claim_types(db()))
        notice = PLAN_APPLIED
    return _render_edit(case, form, result, based_on or 0, notice=notice, source_token=token)


def render_prefilled(case: Case, sections: Mapping[str, Any], source_note: str):
    """The edit form of the user's own case, filled from a sheet another department shared.

    Nothing is saved until the user saves; the version then keeps where it started from.
    """
    current = services.latest(db(), case.id)
    form = forms.to_form(sections, services.claim_types(db()))
    token = sources.sign(config().secret_key, source_note, case.id, current_user.id)
    result = services.evaluate(db(), sections)
    return _render_edit(case, form, result, current.version if current else 0, source_token=token)


@bp.get("/compare")
def compare(case_id: int):
    """Compare two versions field by field (default: the latest with the one before)."""
    old, new = _number("from"), _number("to")
    view = services.view(db(), current_user, case_id)
    numbers = [s.version for s in view.versions]
    comparison = None
    if old is None and new is None and len(numbers) >= 2:
        old, new = numbers[1], numbers[0]
    if old is not None and new is not None:
        comparison = services.compare(db(), current_user, case_id, old, new)
    return render_template(
        "documents/hearing/compare.html",
        case=view.case,
        view=view,
        numbers=numbers,
        old=old,
        new=new,
        comparison=comparison,
    )


def _decisions_from(form: Mapping[str, str]) -> dict[str, dict[str, str]]:
    return {
        str(c.number): {
            "decision": form.get(f"decisions.{c.number}.decision", ""),
            "reason": form.get(f"decisions.{c.number}.reason", ""),
        }
        for c in CRITERIA
    }


def _render_criteria(state, form=None, status=200, errors=None, error=None):
    if not state.case.is_led_by(current_user):
        return render_template(
            "documents/hearing/criteria_read.html", case=state.case, state=state
        ), status
    return render_template(
        "documents/hearing/criteria.html",
        case=state.case,
        state=state,
        form=form,
        errors=errors or {},
        error=error,
        decisions=DECISIONS,
        Outcome=Outcome,
    ), status


@bp.route("/criteria", methods=["GET", "POST"])
def criteria(case_id: int):
    """Show the suggested 共通目安 and record staff's decisions (a reason when overruling)."""
    if request.method == "GET":
        return _render_criteria(judgements.state(db(), current_user, case_id))
    form = request.form.to_dict()
    version = int(form["version"]) if form.get("version", "").isdigit() else None
    try:
        judgements.judge(db(), current_user, case_id, version, _decisions_from(form))
    except HubError as exc:
        _refuse_or_keep(exc)
        state = judgements.state(db(), current_user, case_id)
        return _render_criteria(state, form, exc.status, exc.fields, exc.message)
    flash("共通目安の判断を記録しました。", "success")
    return redirect(url_for("cases.show", case_id=case_id))
