"""What the consent screens show: the scope grid, the wizard's form state, download links."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from hub import jp
from hub.documents.categories import ORDER, InformationCategory
from hub.documents.consent import gate, links, scope, services
from hub.documents.consent.models import Consent
from hub.models import Department, DepartmentKind, Resident, User

grants_from_cells = scope.from_cells

#: Column headings of the grids, broken where a reader would break them (narrow columns).
HEADINGS: dict[str, tuple[str, ...]] = {
    "private_debts": ("民間債務の", "状況"),
    "life_situation": ("生活状況", "（共通目安の", "判断を含む）"),
    "asset_investigation": ("財産調査の", "結果"),
    "collection_decision": ("徴収可否の判断", "・今後の方針"),
}


def heading(category: InformationCategory) -> tuple[str, ...]:
    return HEADINGS.get(category.value, (category.label,))


def cell(from_id: int, to_id: int, category: str) -> str:
    """The value of one grid checkbox."""
    return f"{from_id}:{to_id}:{category}"


@dataclass(frozen=True)
class GridRow:
    partner: Department
    sender: Department
    recipient: Department
    #: "out": our department gives; "in": the partner gives to us.
    direction: str

    def cell(self, category: InformationCategory) -> str:
        return cell(self.sender.id, self.recipient.id, category.value)


@dataclass(frozen=True)
class GridGroup:
    kind: DepartmentKind
    rows: list[GridRow]


def grid(session: Session, user: User) -> list[GridGroup]:
    """Rows of the scope grid: each collection and support department, both ways, by kind."""
    own = user.department
    others = session.scalars(
        select(Department).where(Department.is_active, Department.id != own.id)
    ).all()
    groups = []
    for kind in (DepartmentKind.COLLECTION, DepartmentKind.SUPPORT):
        rows = []
        for partner in sorted((d for d in others if d.kind == kind), key=scope.department_key):
            rows.append(GridRow(partner, own, partner, "out"))
            rows.append(GridRow(partner, partner, own, "in"))
        if rows:
            groups.append(GridGroup(kind, rows))
    return groups


@dataclass
class WizardForm:
    cells: set[str] = field(default_factory=set)
    purposes: list[str] = field(default_factory=list)
    other_purposes: str = ""
    valid_until: str = ""

    @classmethod
    def of(cls, form: Mapping, choices: list[str]) -> WizardForm:
        getlist = form.getlist if hasattr(form, "getlist") else lambda k: form.get(k, [])
        return cls(
            cells=set(getlist("grant")),
            purposes=[p for p in getlist("purpose") if p in choices],
            other_purposes=form.get("other_purposes", ""),
            valid_until=form.get("valid_until", ""),
        )


def form_of(session: Session, consent: Consent | None) -> MultiDict:
    """The wizard's starting values: a consent's terms, or the defaults for a new one."""
    if consent is None:
        return MultiDict({"valid_until": services.default_valid_until(session).isoformat()})
    choices = services.purpose_choices(session)
    values = MultiDict(
        {
            "valid_until": consent.valid_until.isoformat(),
            "other_purposes": "\n".join(p for p in consent.purposes if p not in choices),
        }
    )
    for grant in consent.grants:
        values.add("grant", cell(grant.from_department_id, grant.to_department_id, grant.category))
    for purpose in consent.purposes:
        if purpose in choices:
            values.add("purpose", purpose)
    return values


def download_links(secret_key: str, consent: Consent, user: User) -> dict[str, str]:
    """Signed, short-lived links to the consent's files, for this user only."""
    from flask import url_for

    result = {}
    for kind, stored in consent.files().items():
        if stored is not None:
            token = links.sign(secret_key, links.Link(consent.id, stored.id, user.id))
            result[kind] = url_for(
                "consents.download", resident_id=consent.resident_id, consent_id=consent.id, t=token
            )
    return result


def kind_of(consent: Consent, file_id: int) -> str | None:
    """Which of the consent's current files has this id (None: not one of them)."""
    for kind, stored in consent.files().items():
        if stored is not None and stored.id == file_id:
            return kind
    return None


@dataclass(frozen=True)
class CoverageRow:
    department: Department
    #: category → None when covered today, else why not.
    gaps: dict[str, str | None]

    @property
    def any_covered(self) -> bool:
        return any(reason is None for reason in self.gaps.values())


def sharing_options(session: Session, user: User, resident: Resident) -> list[CoverageRow]:
    """What each other department may share with ours today, to grey out the rest."""
    today = jp.today()
    others = session.scalars(
        select(Department).where(
            Department.is_active,
            Department.id != user.department_id,
            Department.kind.in_([DepartmentKind.COLLECTION, DepartmentKind.SUPPORT]),
        )
    ).all()
    rows = []
    for department in sorted(others, key=scope.department_key):
        decision = gate.covers(
            session, resident.id, department.id, user.department_id, ORDER, today
        )
        missing = {m.category: m.reason for m in decision.missing}
        rows.append(CoverageRow(department, {c.value: missing.get(c.value) for c in ORDER}))
    return rows
