"""Hearing sheets: calculate, save a new version, read, list and compare.

Only departments involved in the case reach a sheet (cases.services.get_visible: others get
NotFound, administrators Forbidden). The sheet is the case's lead department's record: only
the lead writes versions; any other department reads each version cut to what the resident's
consent lets the version's department give it that day (:mod:`.visible`). Every read and
write is audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub import audit, jp
from hub.cases.services import get_visible, require_lead
from hub.db import utcnow
from hub.documents.hearing import calc, display
from hub.documents.hearing.criteria import Suggestion, suggest
from hub.documents.hearing.models import HearingSheet
from hub.documents.hearing.plan import ClaimInfo
from hub.documents.hearing.sections import parse_sheet
from hub.documents.hearing.settings import params
from hub.documents.hearing.visible import Cuts, VisibleSheet
from hub.errors import Conflict, InvalidInput, NotFound
from hub.models import Case, ClaimType, User

UNCHANGED = "前の版から変更がありません。"
NO_SHEET = "この版のヒアリングシートはありません。"
#: What the lead-only refusal calls the sheet.
SHEET = "共通ヒアリングシート"


def claim_types(session: Session) -> list[ClaimType]:
    """Return the claim types in display order (the sheet's rows come from this table)."""
    return list(session.scalars(select(ClaimType).order_by(ClaimType.sort_order, ClaimType.id)))


def claim_infos(session: Session) -> dict[int, ClaimInfo]:
    """Return what the joint plan needs of each claim type, by id."""
    return {c.id: ClaimInfo(c.id, c.name, c.limitation_years) for c in claim_types(session)}


def latest(session: Session, case_id: int) -> HearingSheet | None:
    """Return the newest version of a case's sheet (callers have already loaded the case)."""
    return session.scalar(
        select(HearingSheet)
        .where(HearingSheet.case_id == case_id)
        .order_by(HearingSheet.version.desc())
        .limit(1)
    )


def version_count(session: Session, case_id: int) -> int:
    """Count the versions of a case's sheet."""
    query = select(func.count()).where(HearingSheet.case_id == case_id)
    return session.scalar(query) or 0


@dataclass
class Calculation:
    data: dict[str, Any]
    figures: dict[str, Any]
    suggestions: list[Suggestion]


def evaluate(session: Session, data: Mapping[str, Any]) -> Calculation:
    """Compute the figures and suggestions of parsed sheet data with today's settings."""
    figures = calc.compute(data, params(session), claim_infos(session), jp.today())
    return Calculation(dict(data), figures, suggest(data, figures, params(session)))


def _parse(session: Session, raw: Any, from_form: bool) -> dict[str, Any]:
    ids = {c.id for c in claim_types(session)}
    return parse_sheet(raw, ids, today=jp.today(), from_form=from_form)


def calculate(
    session: Session, user: User, case_id: int, raw: Any, *, from_form: bool = False
) -> Calculation:
    """Check a sheet and compute its figures, plan and suggestions without saving anything."""
    editable(session, user, case_id, action="hearing.calculate")
    return evaluate(session, _parse(session, raw, from_form))


def editable(session: Session, user: User, case_id: int, *, action: str) -> Case:
    """Load a case whose sheet the user's department writes: its lead's (403 for others)."""
    case = get_visible(session, user, case_id, action=action)
    require_lead(session, user, case, action, SHEET)
    return case


def save(
    session: Session,
    user: User,
    case_id: int,
    raw: Any,
    *,
    based_on: int | None = None,
    from_form: bool = False,
    source: str = "",
) -> HearingSheet:
    """Save a sheet as the case's next version, with its figures; refuse a stale or empty one.

    ``source`` says where a sheet started from (a sheet another department shared), shown
    with the version.
    """
    case = editable(session, user, case_id, action="hearing.create")
    data = _parse(session, raw, from_form)
    current = latest(session, case.id)
    number = current.version if current else 0
    if based_on is not None and based_on != number:
        raise Conflict(
            f"このシートはこの間に第{number}版まで更新されています。"
            "最新の版を確認してから、もう一度入力してください。",
            code="sheet_outdated",
        )
    if current is not None and current.data == data:
        raise InvalidInput(UNCHANGED, code="unchanged", fields={"sections": UNCHANGED})
    sheet = HearingSheet(
        case_id=case.id,
        version=number + 1,
        data=data,
        figures=evaluate(session, data).figures,
        author_id=user.id,
        department_id=user.department_id,
        source_note=source[:500],
    )
    session.add(sheet)
    case.updated_at = utcnow()
    session.flush()
    audit.record(session, user, "hearing.saved", sheet, reason=f"version {sheet.version}")
    return sheet


def versions(session: Session, user: User, case_id: int) -> tuple[Case, list[VisibleSheet]]:
    """List a case's sheet versions, newest first, each as the user's department may see it."""
    case = get_visible(session, user, case_id, action="hearing.list")
    cuts = Cuts(session, user, case, "hearing.list")
    return case, [cuts.sheet(s) for s in _all_versions(session, case)]


def _all_versions(session: Session, case: Case) -> list[HearingSheet]:
    query = (
        select(HearingSheet)
        .where(HearingSheet.case_id == case.id)
        .order_by(HearingSheet.version.desc())
    )
    return list(session.scalars(query))


def _version(session: Session, case: Case, number: int | None) -> HearingSheet:
    if number is None:
        sheet = latest(session, case.id)
    else:
        sheet = session.scalar(
            select(HearingSheet).where(
                HearingSheet.case_id == case.id, HearingSheet.version == number
            )
        )
    if sheet is None:
        raise NotFound(NO_SHEET)
    return sheet


def get(session: Session, user: User, case_id: int, number: int | None = None) -> VisibleSheet:
    """Read one version of a case's sheet (the latest when no number is given), cut for the
    user's department."""
    case = get_visible(session, user, case_id, action="hearing.view")
    sheet = _version(session, case, number)
    audit.record(session, user, "hearing.view_version", sheet, reason=f"version {sheet.version}")
    return Cuts(session, user, case, "hearing.view_version").sheet(sheet)


@dataclass
class SheetView:
    case: Case
    sheet: VisibleSheet | None
    versions: list[VisibleSheet]
    #: Whether the user's department writes this case's sheet (its lead).
    is_lead: bool

    @property
    def is_latest(self) -> bool:
        return self.sheet is None or self.sheet.version == self.versions[0].version


def view(session: Session, user: User, case_id: int, number: int | None = None) -> SheetView:
    """Read a version (the latest by default) together with the list of all versions."""
    case = get_visible(session, user, case_id, action="hearing.view")
    cuts = Cuts(session, user, case, "hearing.view_version")
    all_versions = [cuts.sheet(s) for s in _all_versions(session, case)]
    if number is None:
        sheet = all_versions[0] if all_versions else None
    else:
        sheet = next((s for s in all_versions if s.version == number), None)
        if sheet is None:
            raise NotFound(NO_SHEET)
    if sheet is not None:
        audit.record(
            session, user, "hearing.view_version", sheet.sheet, reason=f"version {sheet.version}"
        )
    return SheetView(case, sheet, all_versions, case.is_led_by(user))


@dataclass
class Comparison:
    old: VisibleSheet
    new: VisibleSheet
    changes: list[display.Change]


def claim_names(session: Session) -> dict[int, str]:
    """Return the name of each claim type, by id."""
    return {c.id: c.name for c in claim_types(session)}


def compare(
    session: Session, user: User, case_id: int, old: int | None, new: int | None
) -> Comparison:
    """Compare two versions field by field (labels in Japanese, old → new), each cut for the
    user's department; figures only when both versions show them. Both numbers are needed
    (400), once the case is known to be the user's to see."""
    case = get_visible(session, user, case_id, action="hearing.compare")
    if old is None or new is None:
        wanted = {"from": ("比較元の版", old), "to": ("比較先の版", new)}
        raise InvalidInput(
            fields={
                k: f"{label}を指定してください。" for k, (label, n) in wanted.items() if n is None
            }
        )
    cuts = Cuts(session, user, case, "hearing.compare")
    a = cuts.sheet(_version(session, case, old))
    b = cuts.sheet(_version(session, case, new))
    names = claim_names(session)
    before, after = display.lines(a.data, names), display.lines(b.data, names)
    if a.figures is not None and b.figures is not None:
        before += display.figure_lines(a.figures)
        after += display.figure_lines(b.figures)
    audit.record(session, user, "hearing.compare", case, reason=f"versions {old} and {new}")
    return Comparison(a, b, display.diff(before, after))
