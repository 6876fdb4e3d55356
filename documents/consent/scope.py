"""A consent's scope: the set of grants ``sender → recipient: category``, read and ordered."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.documents.categories import ORDER, InformationCategory
from hub.models import Department, DepartmentKind
from hub.validation import Fields, parse_id

#: More cells than any real scope has (departments² × categories); refuses absurd input.
MAX_GRANTS = 1000
_KIND_ORDER = {DepartmentKind.COLLECTION: 0, DepartmentKind.SUPPORT: 1, DepartmentKind.OTHER: 2}
_CATEGORY_ORDER = {category.value: n for n, category in enumerate(ORDER)}
FIELD = "grants"


class Grant(NamedTuple):
    from_department_id: int
    to_department_id: int
    category: str


@dataclass(frozen=True)
class ScopeRow:
    """All categories one department may give another, in display order."""

    from_department: Department
    to_department: Department
    categories: tuple[InformationCategory, ...]

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(category.label for category in self.categories)


def department_key(department: Department) -> tuple[int, int]:
    """Order departments as everywhere: collection, then support, then others; then by id."""
    return (_KIND_ORDER.get(department.kind, 9), department.id)


def category_key(category: str) -> int:
    return _CATEGORY_ORDER.get(category, len(_CATEGORY_ORDER))


def rows(grants: Iterable[Any], departments: Mapping[int, Department]) -> list[ScopeRow]:
    """Group grants by sender and recipient, ordered for reading (and printing)."""
    pairs: dict[tuple[int, int], set[str]] = {}
    for grant in grants:
        key = (grant.from_department_id, grant.to_department_id)
        pairs.setdefault(key, set()).add(grant.category)
    result = [
        ScopeRow(
            departments[sender],
            departments[recipient],
            tuple(InformationCategory(c) for c in sorted(categories, key=category_key)),
        )
        for (sender, recipient), categories in pairs.items()
    ]
    return sorted(
        result,
        key=lambda r: (department_key(r.from_department), department_key(r.to_department)),
    )


def summary(grants: Iterable[Any], departments: Mapping[int, Department]) -> list[str]:
    """One line per pair: 「納税課→保険料収納課: 滞納状況、納付計画」."""
    return [
        f"{row.from_department.name}→{row.to_department.name}: {'、'.join(row.labels)}"
        for row in rows(grants, departments)
    ]


def from_cells(values: Iterable[str]) -> list[dict[str, Any]]:
    """Turn the wizard grid's checkboxes (``"<from id>:<to id>:<category>"``) into grants."""
    pairs: dict[tuple[str, str], list[str]] = {}
    for value in values:
        parts = str(value).split(":")
        sender, recipient, category = parts if len(parts) == 3 else ("", "", "")
        pairs.setdefault((sender, recipient), []).append(category)
    return [
        {"from_department_id": sender, "to_department_id": recipient, "categories": categories}
        for (sender, recipient), categories in pairs.items()
    ]


def to_json(grants: Iterable[Any]) -> list[dict[str, Any]]:
    """Write grants as the API does: one item per sender and recipient."""
    pairs: dict[tuple[int, int], list[str]] = {}
    for grant in grants:
        key = (grant.from_department_id, grant.to_department_id)
        pairs.setdefault(key, []).append(grant.category)
    return [
        {
            "from_department_id": sender,
            "to_department_id": recipient,
            "categories": sorted(categories, key=category_key),
        }
        for (sender, recipient), categories in sorted(pairs.items())
    ]


def _cells(raw: Any, fields: Fields) -> list[tuple[Any, Any, Any]]:
    """Read ``[{"from_department_id", "to_department_id", "categories": [...]}]`` as cells."""
    shape = (
        "同意の範囲は {from_department_id, to_department_id, categories} の配列で指定してください。"
    )
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        fields.error(FIELD, shape)
        return []
    cells = []
    for item in raw:
        categories = item.get("categories")
        keys = {"from_department_id", "to_department_id", "categories"}
        if (
            set(item) != keys
            or not isinstance(categories, list)
            or not categories
            or not all(isinstance(c, str) for c in categories)
        ):
            fields.error(FIELD, shape + "（情報の区分は1つ以上）")
            return []
        cells += [(item["from_department_id"], item["to_department_id"], c) for c in categories]
    return cells


def clean(session: Session, fields: Fields, raw: Any) -> set[Grant]:
    """Read and check grants (active departments, two different ones, known categories)."""
    cells = _cells(raw, fields)
    if FIELD in fields.errors:
        return set()
    if not cells:
        fields.error(FIELD, "同意の範囲（提供元・提供先・情報の区分）を1つ以上選んでください。")
        return set()
    if len(cells) > MAX_GRANTS:
        fields.error(FIELD, f"同意の範囲が多すぎます（{MAX_GRANTS}件まで）。")
        return set()
    grants: set[Grant] = set()
    for sender, recipient, category in cells:
        sender_id, recipient_id = _id(sender), _id(recipient)
        if sender_id is None or recipient_id is None or category not in _CATEGORY_ORDER:
            fields.error(FIELD, "同意の範囲に正しくない所管課または情報の区分が含まれています。")
            return set()
        if sender_id == recipient_id:
            fields.error(FIELD, "提供元と提供先が同じ所管課になっています。")
            return set()
        grants.add(Grant(sender_id, recipient_id, category))
    wanted = {g.from_department_id for g in grants} | {g.to_department_id for g in grants}
    found = set(
        session.scalars(
            select(Department.id).where(Department.id.in_(wanted), Department.is_active)
        )
    )
    if found != wanted:
        fields.error(FIELD, "存在しない、または無効な所管課が同意の範囲に含まれています。")
        return set()
    return grants


def _id(value: Any) -> int | None:
    if isinstance(value, bool | float):
        return None
    return parse_id(value)
