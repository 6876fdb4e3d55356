"""The directory of counselling windows (相談先一覧表, seed 002), kept by the administrator.

Each window says what it is for, where, when and how to reach it, with keywords staff look
it up by, and the 共通目安 and hearing-sheet facts that make the hub suggest it for a resident.
Only administrators change it (audited); staff read it when they print a handout.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import audit
from hub.admin.services import require_admin
from hub.documents.hearing.criteria import BY_NUMBER
from hub.documents.printing.facts import FACTS
from hub.documents.printing.models import CounsellingWindow
from hub.errors import NotFound
from hub.models import User
from hub.validation import Fields

FIELDS = (
    "name",
    "what_for",
    "keywords",
    "place",
    "phone",
    "hours",
    "note",
    "criteria",
    "facts",
    "sort_order",
    "is_active",
)
TEXTS = (
    ("name", "相談先の名称", 100, True),
    ("what_for", "こんなときに（相談できること）", 500, True),
    ("keywords", "キーワード", 500, False),
    ("place", "場所", 200, False),
    ("phone", "電話番号", 30, False),
    ("hours", "受付時間", 100, False),
    ("note", "備考（ホームページ・予約の要否など）", 300, False),
)


def active(session: Session) -> list[CounsellingWindow]:
    """The windows staff may offer, in the administrator's order."""
    return list(
        session.scalars(
            select(CounsellingWindow)
            .where(CounsellingWindow.is_active)
            .order_by(CounsellingWindow.sort_order, CounsellingWindow.id)
        )
    )


def all_windows(session: Session, user: User) -> list[CounsellingWindow]:
    """Every window, active or not (the administrator's list)."""
    require_admin(user)
    return list(
        session.scalars(
            select(CounsellingWindow).order_by(
                CounsellingWindow.is_active.desc(),
                CounsellingWindow.sort_order,
                CounsellingWindow.id,
            )
        )
    )


def get(session: Session, user: User, window_id: int) -> CounsellingWindow:
    require_admin(user)
    window = session.get(CounsellingWindow, window_id)
    if window is None:
        raise NotFound("その相談先は登録されていません。")
    return window


def _list(raw: Any) -> list[str]:
    if raw in (None, ""):
        return []
    return [str(v) for v in (raw if isinstance(raw, list) else [raw])]


def _read(data: Mapping[str, Any]) -> dict[str, Any]:
    """Check a window's fields (400 with a Japanese message per field)."""
    fields = Fields(data)
    values: dict[str, Any] = {
        name: fields.text(name, label, max_length=limit, required=required)
        for name, label, limit, required in TEXTS
    }
    criteria = _list(data.get("criteria"))
    if any(not c.isdigit() or int(c) not in BY_NUMBER for c in criteria):
        fields.error("criteria", "共通目安の番号（1〜6）を選んでください。")
    facts = _list(data.get("facts"))
    if any(f not in FACTS for f in facts):
        fields.error("facts", "ヒアリングシートの項目の指定が正しくありません。")
    order = str(data.get("sort_order") or "0").strip()
    if not (order.isascii() and order.lstrip("-").isdigit() and len(order) < 6):
        fields.error("sort_order", "表示順は整数で入力してください。")
    fields.check()
    values["criteria"] = sorted({int(c) for c in criteria})
    values["facts"] = [f for f in FACTS if f in facts]
    values["sort_order"] = int(order)
    values["is_active"] = data.get("is_active") in (True, "1", "on", "true")
    return values


def create(session: Session, user: User, data: Mapping[str, Any]) -> CounsellingWindow:
    """Add a window to the directory (administrators only)."""
    require_admin(user)
    window = CounsellingWindow(**_read(data))
    session.add(window)
    session.flush()
    audit.record(session, user, "window.create", window)
    return window


def update(
    session: Session, user: User, window_id: int, data: Mapping[str, Any]
) -> CounsellingWindow:
    """Change a window (or take it out of use with ``is_active`` off; it is never deleted,
    so handouts already printed can be explained)."""
    window = get(session, user, window_id)
    for name, value in _read(data).items():
        setattr(window, name, value)
    session.flush()
    audit.record(session, user, "window.update", window)
    return window
