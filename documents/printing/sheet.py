"""共通ヒアリングシート printed for its reader: all of it for the department that wrote it,
else the sections the resident's consent lets that department give the reader that day
(:class:`~hub.documents.hearing.visible.VisibleSheet`), the withheld ones named."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import audit, jp
from hub.documents.categories import InformationCategory
from hub.documents.hearing import services as hearing
from hub.documents.hearing.models import CriteriaJudgement, HearingSheet
from hub.documents.hearing.visible import Cuts, VisibleSheet
from hub.documents.printing.output import Printout, parse_format, render
from hub.documents.render.hearing_input import sheet_data
from hub.documents.render.hearing_sheet import (
    CriterionRow,
    HearingSheetData,
    render_hearing_sheet_docx,
    render_hearing_sheet_pdf,
)
from hub.models import Case, User

LIFE = InformationCategory.LIFE_SITUATION.value


def case_reference(case: Case) -> str:
    return f"ケース {case.id}"


def criteria_rows(
    session: Session, case: Case, sheet: VisibleSheet, cuts: Cuts
) -> list[CriterionRow]:
    """The six 共通目安 as of a version: the newest judgement made on it or an earlier one,
    each shown only when the judging department may give the reader 生活状況; the rules'
    suggestion for the others only when the reader sees the whole version."""
    found = session.scalars(
        select(CriteriaJudgement)
        .join(HearingSheet, HearingSheet.id == CriteriaJudgement.sheet_id)
        .where(CriteriaJudgement.case_id == case.id, HearingSheet.version <= sheet.version)
        .order_by(CriteriaJudgement.judged_at.desc(), CriteriaJudgement.id.desc())
    )
    current: dict[int, CriteriaJudgement] = {}
    for row in found:
        current.setdefault(row.criterion, row)
    suggestions = {}
    if sheet.shows_everything:
        result = hearing.evaluate(session, sheet.data)
        suggestions = {s.criterion: s for s in result.suggestions}
    rows = []
    for number in range(1, 7):
        judged = current.get(number)
        if judged is not None and cuts.of(judged.department_id).shows(LIFE):
            when = jp.local(judged.judged_at)
            rows.append(
                CriterionRow(
                    number=number,
                    suggestion=judged.suggestion.value,
                    suggestion_reason=judged.suggestion_reason,
                    decision=judged.decision.value,
                    reason=judged.reason,
                    judged_by=judged.judged_by.display_name,
                    department=judged.department.name,
                    judged_on=when.date() if when else None,
                    sheet_version=judged.sheet.version,
                )
            )
            continue
        suggestion = suggestions.get(number)
        rows.append(
            CriterionRow(
                number,
                suggestion.outcome.value if suggestion else "",
                suggestion.reason if suggestion else "",
            )
        )
    return rows


def sheet_contract(
    session: Session, case: Case, seen: VisibleSheet, cuts: Cuts, *, issued_on: date
) -> HearingSheetData:
    """The printed sheet of one version as the reader may see it (shared with the packet)."""
    cut = cuts.of(seen.department.id)
    saved = jp.local(seen.created_at)
    return sheet_data(
        case_reference=case_reference(case),
        department=seen.department.name,
        resident_name=case.resident.name,
        version=seen.version,
        saved_on=saved.date() if saved else issued_on,
        author=seen.author.display_name,
        issued_on=issued_on,
        data=seen.data,
        figures=seen.figures or {},
        claim_names=hearing.claim_names(session),
        criteria=criteria_rows(session, case, seen, cuts),
        visible=[InformationCategory(c) for c in cut.allowed],
    )


def print_sheet(
    session: Session, user: User, case_id: int, version: int | None, fmt: str | None
) -> Printout:
    """Print a version of a case's sheet (the latest by default) cut for the user, audited."""
    fmt = parse_format(fmt)
    seen = hearing.get(session, user, case_id, version)
    case = session.get_one(Case, case_id)
    cuts = Cuts(session, user, case, "print.hearing_sheet")
    data = sheet_contract(session, case, seen, cuts, issued_on=jp.today())
    audit.record(
        session,
        user,
        "print.hearing_sheet",
        seen.sheet,
        reason=f"version {seen.version} {fmt} withheld {','.join(seen.withheld) or 'none'}",
    )
    stem = f"共通ヒアリングシート_{case_reference(case).replace(' ', '')}_第{seen.version}版"
    return render(fmt, stem, data, render_hearing_sheet_pdf, render_hearing_sheet_docx)
