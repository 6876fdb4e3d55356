"""Hearing sheets and 共通目安 over the API: the same services as the screens.

Versions are chosen with query parameters (``?version=3``, ``?from=1&to=2``). Field errors of a
sheet are keyed by their path inside ``sections`` (``household_budget.expenses.rent``).
"""

from __future__ import annotations

from flask import Response, url_for

from hub.api.auth import api_user
from hub.api.blueprint import api_blueprint, case_workers_only, errors
from hub.api.models import CasePath, Query, respond
from hub.documents.consent.disclosure import owner_cut
from hub.documents.hearing import judgements, services
from hub.documents.hearing.schemas import (
    CompareQuery,
    HearingCalculateInput,
    HearingCalculation,
    HearingComparison,
    HearingCriteria,
    HearingCriteriaInput,
    HearingSheet,
    HearingSheetInput,
    HearingSheetList,
    HearingSheetSummary,
    SheetChange,
    SheetQuery,
)
from hub.documents.hearing.visible import visible
from hub.web import db

bp = api_blueprint(
    "hearing_api",
    __name__,
    "共通ヒアリングシート・共通目安",
    "版ごとのシート（他の所管課には本人の同意の範囲だけ）、算出値、共通目安の提案と判断",
)
case_workers_only(bp, "case")


@bp.get(
    "/cases/<int:case_id>/sheet/versions", responses={200: HearingSheetList, **errors(403, 404)}
)
def list_sheet_versions(path: CasePath, query: Query) -> Response:
    """List the versions of a case's hearing sheet, newest first."""
    _case, found = services.versions(db(), api_user(), path.case_id)
    return respond(HearingSheetList(items=[HearingSheetSummary.of(s) for s in found]))


@bp.post(
    "/cases/<int:case_id>/sheet/versions", responses={201: HearingSheet, **errors(403, 404, 409)}
)
def create_sheet_version(path: CasePath, body: HearingSheetInput) -> Response:
    """Save a new version of the sheet (``based_on``: the version it was edited from)."""
    user = api_user()
    sections = body.sections.model_dump(exclude_unset=True)
    sheet = services.save(db(), user, path.case_id, sections, based_on=body.based_on)
    location = url_for(".show_sheet", case_id=path.case_id, version=sheet.version)
    return respond(HearingSheet.of(visible(sheet, owner_cut(user))), 201, location)


@bp.get("/cases/<int:case_id>/sheet", responses={200: HearingSheet, **errors(403, 404)})
def show_sheet(path: CasePath, query: SheetQuery) -> Response:
    """Read a version of the sheet with its figures (the latest unless ``?version=N``)."""
    return respond(HearingSheet.of(services.get(db(), api_user(), path.case_id, query.version)))


@bp.get(
    "/cases/<int:case_id>/sheet/compare", responses={200: HearingComparison, **errors(403, 404)}
)
def compare_sheet_versions(path: CasePath, query: CompareQuery) -> Response:
    """Compare two versions field by field (``?from=1&to=2``), labels in Japanese."""
    result = services.compare(db(), api_user(), path.case_id, query.from_, query.to)
    return respond(
        HearingComparison(
            **{"from": HearingSheetSummary.of(result.old)},
            to=HearingSheetSummary.of(result.new),
            changes=[SheetChange.of(c) for c in result.changes],
        )
    )


@bp.post(
    "/cases/<int:case_id>/sheet/calculate", responses={200: HearingCalculation, **errors(403, 404)}
)
def calculate_sheet(path: CasePath, body: HearingCalculateInput) -> Response:
    """Check a sheet and compute its figures, joint plan and suggestions without saving."""
    sections = body.sections.model_dump(exclude_unset=True)
    return respond(
        HearingCalculation.of(services.calculate(db(), api_user(), path.case_id, sections))
    )


@bp.get("/cases/<int:case_id>/criteria", responses={200: HearingCriteria, **errors(403, 404)})
def show_criteria(path: CasePath) -> Response:
    """Show the suggested 共通目安 of the latest sheet and the current decisions."""
    return respond(HearingCriteria.of(judgements.state(db(), api_user(), path.case_id)))


@bp.put("/cases/<int:case_id>/criteria", responses={200: HearingCriteria, **errors(403, 404, 409)})
def update_criteria(path: CasePath, body: HearingCriteriaInput) -> Response:
    """Record decisions on the latest sheet version; a reason when overruling a suggestion."""
    decisions = body.decisions.model_dump(exclude_unset=True, by_alias=True)
    state = judgements.judge(db(), api_user(), path.case_id, body.version, decisions)
    return respond(HearingCriteria.of(state))
