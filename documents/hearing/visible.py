"""A hearing sheet as one department may see it: all of it for the department that wrote it,
else the sections the resident's consent lets that department give the viewer on that day.

The derived figures and the rules' suggestions mix every section (the surplus subtracts the
private repayments from the income), so they are shown only when no section they are made
from is withheld. Screens, the API and documents read :class:`VisibleSheet`, never
``HearingSheet.data`` of another department's sheet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from hub.documents.categories import InformationCategory
from hub.documents.consent import disclosure
from hub.documents.consent.disclosure import Cut
from hub.documents.hearing.models import HearingSheet
from hub.documents.hearing.sections import filtered_copy, sheet_categories
from hub.models import Case, Department, User

#: What the derived figures are computed from (calc.compute); life_situation is not.
FIGURE_SOURCES = frozenset(
    c.value
    for c in (
        InformationCategory.ARREARS,
        InformationCategory.PAYMENT_PLAN,
        InformationCategory.HOUSEHOLD_BUDGET,
        InformationCategory.PRIVATE_DEBTS,
        InformationCategory.ASSETS,
    )
)
FIGURES_WITHHELD = "計算結果は、同意の範囲外の項目を含むため表示していません。"


@dataclass(frozen=True)
class VisibleSheet:
    """One version, cut for a viewer. ``sheet`` is for its particulars only (version, author)."""

    sheet: HearingSheet
    data: dict[str, Any]
    figures: dict[str, Any] | None
    #: The categories the version holds, and those withheld from this viewer.
    present: list[str]
    withheld: list[str]
    notice: str | None
    is_owner: bool

    @property
    def version(self) -> int:
        return self.sheet.version

    @property
    def author(self) -> User:
        return self.sheet.author

    @property
    def department(self) -> Department:
        return self.sheet.department

    @property
    def created_at(self) -> datetime:
        return self.sheet.created_at

    @property
    def source_note(self) -> str:
        return self.sheet.source_note

    @property
    def shows_everything(self) -> bool:
        return not self.withheld

    @property
    def figures_notice(self) -> str | None:
        return None if self.figures is not None else FIGURES_WITHHELD


def visible(sheet: HearingSheet, cut: Cut) -> VisibleSheet:
    """Cut one version down to what ``cut`` allows."""
    present = sorted(c.value for c in sheet_categories(sheet))
    withheld = cut.withheld(present)
    allowed = [InformationCategory(c) for c in present if cut.shows(c)]
    data = sheet.data if not withheld else filtered_copy(sheet.data, allowed)
    figures = sheet.figures if not FIGURE_SOURCES & set(withheld) else None
    return VisibleSheet(sheet, data, figures, present, withheld, cut.notice(present), cut.is_owner)


class Cuts:
    """The cuts one request needs, asked of the gate once per owning department.

    The viewer is the user's department, or ``viewer_department_id`` when the user makes a
    document for another department (a case packet: what the owner may give that one).
    """

    def __init__(
        self,
        session: Session,
        user: User | None,
        case: Case,
        action: str,
        day: date | None = None,
        *,
        viewer_department_id: int | None = None,
    ) -> None:
        self.session, self.user, self.case, self.action, self.day = session, user, case, action, day
        if viewer_department_id is None:
            if user is None:
                raise ValueError("Cuts needs a user or a viewer department")
            viewer_department_id = user.department_id
        self.viewer_department_id = viewer_department_id
        self._by_owner: dict[int, Cut] = {}

    def of(self, owner_department_id: int) -> Cut:
        """The viewer's cut of a record that ``owner`` keeps about the case's resident."""
        if owner_department_id not in self._by_owner:
            self._by_owner[owner_department_id] = disclosure.cut_between(
                self.session,
                self.user,
                self.case.resident_id,
                owner_department_id,
                self.viewer_department_id,
                action=self.action,
                obj=self.case,
                day=self.day,
            )
        return self._by_owner[owner_department_id]

    def sheet(self, sheet: HearingSheet) -> VisibleSheet:
        return visible(sheet, self.of(sheet.department_id))
