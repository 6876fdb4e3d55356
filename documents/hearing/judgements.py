"""共通目安 judgements: the rules suggest, staff confirm or overrule with a reason.

Each decision is a new row (who, for which department, when, on which sheet version); the
newest row per criterion is the current one. A case meets the criteria when any current
decision is 該当. A decision made on an older version is shown as based on that version.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import audit
from hub.cases.services import get_visible, require_lead
from hub.documents.categories import InformationCategory
from hub.documents.consent.disclosure import WITHHELD
from hub.documents.hearing import services
from hub.documents.hearing.criteria import BY_NUMBER, CRITERIA, Criterion, Suggestion
from hub.documents.hearing.models import DECISIONS, CriteriaJudgement, HearingSheet, Outcome
from hub.documents.hearing.reader import Reader
from hub.documents.hearing.visible import Cuts
from hub.errors import Conflict, InvalidInput
from hub.models import Case, User

LIFE = InformationCategory.LIFE_SITUATION.value
NO_SHEET = "先にヒアリングシートを保存してください。共通目安はシートの内容をもとに判断します。"
NOTHING = "判断する目安を1つ以上選んでください。"
UNCHANGED = "判断に変更がありません。"


@dataclass
class Item:
    criterion: Criterion
    suggestion: Suggestion | None
    judgement: CriteriaJudgement | None
    latest_version: int | None

    @property
    def is_outdated(self) -> bool:
        """True when the decision was made on an older version than the latest sheet."""
        return bool(
            self.judgement
            and self.latest_version
            and self.judgement.sheet.version < self.latest_version
        )


@dataclass
class CriteriaState:
    case: Case
    sheet: HearingSheet | None
    items: list[Item]
    #: For another department: what the consent does not let it see (else None).
    notice: str | None = None
    #: The rules' suggestions use the whole sheet: shown only to whom sees all of it.
    suggestions_shown: bool = True

    @property
    def judged(self) -> list[CriteriaJudgement]:
        return [i.judgement for i in self.items if i.judgement is not None]

    @property
    def met(self) -> list[int]:
        """The criteria currently decided 該当."""
        return [j.criterion for j in self.judged if j.decision == Outcome.MET]

    @property
    def meets(self) -> bool | None:
        """Whether the case meets the criteria; None until anything has been decided."""
        return bool(self.met) if self.judged else None

    @property
    def last(self) -> CriteriaJudgement | None:
        return max(self.judged, key=lambda j: (j.judged_at, j.id), default=None)

    @property
    def is_outdated(self) -> bool:
        return any(i.is_outdated for i in self.items)


def current_judgements(session: Session, case_id: int) -> dict[int, CriteriaJudgement]:
    """Return the newest judgement of each criterion of a case."""
    query = (
        select(CriteriaJudgement)
        .where(CriteriaJudgement.case_id == case_id)
        .order_by(CriteriaJudgement.judged_at.desc(), CriteriaJudgement.id.desc())
    )
    current: dict[int, CriteriaJudgement] = {}
    for row in session.scalars(query):
        current.setdefault(row.criterion, row)
    return current


def summary(session: Session, case: Case) -> CriteriaState:
    """Build the criteria state of a case already loaded with an access check."""
    sheet = services.latest(session, case.id)
    suggestions: dict[int, Suggestion] = {}
    if sheet is not None:
        result = services.evaluate(session, sheet.data)
        suggestions = {s.criterion: s for s in result.suggestions}
    judged = current_judgements(session, case.id)
    latest_version = sheet.version if sheet else None
    items = [
        Item(c, suggestions.get(c.number), judged.get(c.number), latest_version) for c in CRITERIA
    ]
    return CriteriaState(case, sheet, items)


def state(session: Session, user: User, case_id: int) -> CriteriaState:
    """Show the suggestions from the latest sheet and the current decisions, as the user's
    department may see them."""
    case = get_visible(session, user, case_id, action="hearing.criteria")
    return for_viewer(session, user, case)


def for_viewer(session: Session, user: User, case: Case, cuts: Cuts | None = None) -> CriteriaState:
    """The criteria state cut for the user's department.

    A decision is the judging department's record in 生活状況（共通目安の判断を含む）: another
    department sees it only when the consent lets that department give it that category.
    """
    full = summary(session, case)
    cuts = cuts or Cuts(session, user, case, "hearing.criteria")
    seen = cuts.sheet(full.sheet) if full.sheet is not None else None
    shown = seen is None or seen.shows_everything
    items, hidden = [], False
    for item in full.items:
        judgement = item.judgement
        if judgement is not None and not cuts.of(judgement.department_id).shows(LIFE):
            judgement, hidden = None, True
        suggestion = item.suggestion if shown else None
        items.append(Item(item.criterion, suggestion, judgement, item.latest_version))
    notice = f"{WITHHELD}：{InformationCategory.LIFE_SITUATION.label}" if hidden else None
    return CriteriaState(case, full.sheet, items, notice, shown)


def _decisions(raw: Any, current: CriteriaState) -> list[tuple[int, Outcome, str]]:
    """Read {"1": {"decision", "reason"}, …}; a blank decision leaves that criterion alone."""
    r = Reader(from_form=False)
    decisions = r.mapping(raw, "decisions", "判断", {str(n) for n in BY_NUMBER})
    chosen = []
    for key, value in decisions.items():
        if key not in {str(n) for n in BY_NUMBER}:
            continue
        n, path = int(key), f"decisions.{key}"
        row = r.mapping(value, path, f"目安{n}", {"decision", "reason"})
        decision = r.choice(
            row.get("decision"), f"{path}.decision", "判断", {d.value: d.label for d in DECISIONS}
        )
        reason = r.text(row.get("reason"), f"{path}.reason", "理由", 1000)
        if decision is None:
            continue
        item = current.items[n - 1]
        suggested = item.suggestion.outcome if item.suggestion else Outcome.UNKNOWN
        if decision != suggested and not reason:
            r.error(
                f"{path}.reason",
                "提案のない目安を判断するときは理由を入力してください。"
                if suggested == Outcome.UNKNOWN
                else f"提案（{suggested.label}）と異なる判断には理由を入力してください。",
            )
        chosen.append((n, Outcome(decision), reason))
    if r.errors:
        raise InvalidInput(fields=r.errors)
    if not chosen:
        raise InvalidInput(NOTHING, fields={"decisions": NOTHING})
    return chosen


def judge(
    session: Session, user: User, case_id: int, version: Any, raw: Mapping[str, Any] | None
) -> CriteriaState:
    """Record staff's decisions on the latest sheet version; a reason when overruling.

    The lead department judges (its record); another department's attempt is a 403.
    """
    case = get_visible(session, user, case_id, action="hearing.judge")
    require_lead(session, user, case, "hearing.judge", "共通目安の判断")
    current = summary(session, case)
    if current.sheet is None:
        raise InvalidInput(NO_SHEET, code="no_sheet", fields={"version": NO_SHEET})
    if not isinstance(version, int) or isinstance(version, bool):
        raise InvalidInput(
            fields={"version": "判断の基にしたシートの版（整数）を指定してください。"}
        )
    if version != current.sheet.version:
        raise Conflict(
            f"シートが第{current.sheet.version}版に更新されています。"
            "最新の版の提案を確認してから判断してください。",
            code="sheet_outdated",
        )
    written = 0
    for n, decision, reason in _decisions(raw, current):
        item = current.items[n - 1]
        old = item.judgement
        if (
            old
            and old.sheet_id == current.sheet.id
            and (old.decision, old.reason) == (decision, reason)
        ):
            continue
        row = CriteriaJudgement(
            case_id=case.id,
            sheet_id=current.sheet.id,
            criterion=n,
            suggestion=item.suggestion.outcome if item.suggestion else Outcome.UNKNOWN,
            suggestion_reason=item.suggestion.reason if item.suggestion else "",
            decision=decision,
            reason=reason,
            judged_by_id=user.id,
            department_id=user.department_id,
        )
        session.add(row)
        session.flush()
        audit.record(
            session,
            user,
            "hearing.judged",
            row,
            reason=f"criterion {n}: {decision.value} on version {current.sheet.version}",
        )
        written += 1
    if not written:
        raise InvalidInput(UNCHANGED, code="unchanged", fields={"decisions": UNCHANGED})
    session.expire_all()
    return summary(session, case)
