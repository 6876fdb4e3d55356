"""相談先のご案内: a one-page handout of the counselling windows that fit a resident.

The hub suggests the windows linked to the 共通目安 judged 該当 on the resident's cases and to
the facts of their hearing sheets — as far as the reader's department may see them (the same
cuts as the screens) — and staff add or remove windows before printing. The handout carries
no personal data but the resident's name: it is handed over the counter.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from hub import audit, jp, settings
from hub.cases.services import cases_of_resident
from hub.documents.consent import access
from hub.documents.consent import settings as consent_settings
from hub.documents.hearing import judgements
from hub.documents.hearing import services as hearing
from hub.documents.hearing.criteria import BY_NUMBER
from hub.documents.hearing.visible import Cuts
from hub.documents.printing import facts, windows
from hub.documents.printing.models import CounsellingWindow
from hub.documents.printing.output import Printout, parse_format, render
from hub.documents.render.handout import (
    CounsellingWindow as PrintedWindow,
)
from hub.documents.render.handout import (
    HandoutData,
    render_handout_docx,
    render_handout_pdf,
)
from hub.errors import InvalidInput
from hub.models import Resident, User
from hub.validation import parse_id

#: Four to six windows fit one A4 page.
MAX_WINDOWS = 6
TOO_MANY = f"1枚に収まるよう、相談先は{MAX_WINDOWS}件までにしてください。"
NONE_CHOSEN = "案内する相談先を1つ以上選んでください。"


@dataclass
class Choice:
    window: CounsellingWindow
    #: Why the hub suggests it (「共通目安1に該当」「民間債務がある」); empty: not suggested.
    reasons: list[str] = field(default_factory=list)

    @property
    def suggested(self) -> bool:
        return bool(self.reasons)


@dataclass(frozen=True)
class Situation:
    """What the reader's department may see of the resident: criteria met, sheet facts."""

    criteria: frozenset[int]
    facts: frozenset[str]


def situation(session: Session, user: User, resident: Resident) -> Situation:
    """The 共通目安 judged 該当 and the sheet facts of the resident's cases the user's
    department is on, each cut to what the consent lets it see (audited by the cuts)."""
    met: set[int] = set()
    found: set[str] = set()
    for case in cases_of_resident(session, user, resident):
        cuts = Cuts(session, user, case, "handout.match")
        met |= set(judgements.for_viewer(session, user, case, cuts).met)
        latest = hearing.latest(session, case.id)
        if latest is not None:
            seen = cuts.sheet(latest)
            found |= facts.present(seen.data, seen.figures)
    return Situation(frozenset(met), frozenset(found))


def choices(session: Session, user: User, resident_id: int) -> tuple[Resident, list[Choice]]:
    """Every window in use, the suggested ones with why (for the handout form)."""
    resident = access.resident(session, user, resident_id, "handout.view")
    seen = situation(session, user, resident)
    out = []
    for window in windows.active(session):
        reasons = [
            f"共通目安{n}（{BY_NUMBER[n].title}）に該当"
            for n in window.criteria
            if n in seen.criteria
        ]
        reasons += [facts.FACTS[k].label for k in window.facts if k in seen.facts]
        out.append(Choice(window, reasons))
    return resident, out


def _chosen(raw: Iterable[str], found: list[Choice]) -> list[CounsellingWindow]:
    """The ticked windows; none ticked means the suggested ones."""
    by_id = {c.window.id: c.window for c in found}
    items = list(raw)
    parsed = [parse_id(i) for i in items]
    ids = [i for i in parsed if i is not None and i in by_id]
    if len(ids) != len(parsed):
        raise InvalidInput(fields={"window": "相談先の指定が正しくありません。"})
    chosen = (
        [by_id[i] for i in dict.fromkeys(ids)]
        if items
        else [c.window for c in found if c.suggested]
    )
    if not chosen:
        raise InvalidInput(NONE_CHOSEN, code="no_window", fields={"window": NONE_CHOSEN})
    if len(chosen) > MAX_WINDOWS:
        raise InvalidInput(TOO_MANY, code="too_many_windows", fields={"window": TOO_MANY})
    return chosen


def print_handout(
    session: Session, user: User, resident_id: int, window_ids: Iterable[str], fmt: str | None
) -> Printout:
    """The handout for a resident with the ticked (else the suggested) windows, audited."""
    fmt = parse_format(fmt)
    resident, found = choices(session, user, resident_id)
    chosen = _chosen(window_ids, found)
    department = user.department
    contact = f"{department.name}　電話 {department.contact_phone}".strip()
    data = HandoutData(
        city_name=settings.get(session, consent_settings.CITY_NAME.key),
        resident_name=resident.name,
        issued_on=jp.today(),
        department=department.name,
        contact=contact if department.contact_phone else department.name,
        windows=tuple(
            PrintedWindow(w.name, w.what_for, w.place, w.phone, w.hours, w.note) for w in chosen
        ),
    )
    audit.record(
        session,
        user,
        "print.handout",
        resident,
        reason=f"windows {[w.id for w in chosen]} {fmt}",
    )
    return render(
        fmt, f"相談先のご案内_{jp.today():%Y%m%d}", data, render_handout_pdf, render_handout_docx
    )
