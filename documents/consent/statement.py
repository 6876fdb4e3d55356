"""The 目的外利用・提供の内容 and the withdrawal clause, generated from exactly the scope.

The texts are stored with the consent when its form is generated: what the resident signed
stays what it was, whatever later changes to the wording below.
"""

from __future__ import annotations

from collections.abc import Sequence

from hub.documents.consent.scope import ScopeRow
from hub.models import Department


def join_ja(items: Sequence[str]) -> str:
    """Join as Japanese prose: 「A」, 「A及びB」, 「A、B及びC」."""
    if len(items) <= 1:
        return "".join(items)
    return "、".join(items[:-1]) + "及び" + items[-1]


def statement_text(city_name: str, rows: Sequence[ScopeRow], purposes: Sequence[str]) -> str:
    """Say which department gives which information to which, and for what; nothing more."""
    lines = [
        f"{city_name}は、あなたの同意に基づき、次のとおり、所管課が保有するあなたの情報を"
        "他の所管課に提供します。"
    ]
    for number, row in enumerate(rows, start=1):
        lines.append(
            f"（{number}）{row.from_department.name}は、{row.to_department.name}に、"
            f"{join_ja(row.labels)}を提供します。"
        )
    quoted = [f"「{purpose}」" for purpose in purposes]
    lines.append(f"提供を受けた所管課は、これらの情報を{join_ja(quoted)}の目的に限り利用します。")
    lines.append("上記以外の情報を提供し、又は上記以外の所管課に提供することはありません。")
    return "\n".join(lines)


def withdrawal_clause(city_name: str, department: Department) -> str:
    """Say how to withdraw, whom to tell, and what withdrawal changes."""
    phone = f"（電話 {department.contact_phone}）" if department.contact_phone else ""
    return (
        "この同意は、いつでも撤回することができます。撤回するときは、"
        f"{city_name}{department.name}{phone}に書面又は口頭でお申し出ください。"
        "撤回した日から、上記の情報の提供は行わず、既に提供を受けた所管課も"
        "この同意に基づいて受け取った情報を閲覧できなくなります。"
        "撤回しても、あなたが不利益を受けることはありません。"
    )
