"""Settings: every threshold and formula constant, with its default and why it is what it is.

Packages declare their settings with :func:`register` when their module is imported (like
tables on a metadata); administrators change values on the settings page; services read
them with :func:`get`. A value never stored is its default.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import audit
from hub.errors import Forbidden, InvalidInput, NotFound
from hub.models import Setting, User

INT, RATIO, YEN, TEXT, TEXT_LIST, TIME = "int", "ratio", "yen", "text", "text_list", "time"
_HHMM = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$")


@dataclass(frozen=True)
class SettingDef:
    key: str
    #: Japanese label for the settings page.
    label: str
    kind: str
    default: Any
    #: One line: the source or the reason for the default (shown on the settings page).
    rationale: str
    group: str
    minimum: float | None = None
    maximum: float | None = None
    unit: str = ""


_REGISTRY: dict[str, SettingDef] = {}


def register(*definitions: SettingDef) -> None:
    """Declare settings; declaring the same key twice with another meaning is a bug."""
    for definition in definitions:
        known = _REGISTRY.get(definition.key)
        if known is not None and known != definition:
            raise ValueError(f"setting {definition.key} declared twice differently")
        _REGISTRY[definition.key] = definition


def definitions() -> list[SettingDef]:
    return sorted(_REGISTRY.values(), key=lambda d: (d.group, d.key))


def definition(key: str) -> SettingDef:
    try:
        return _REGISTRY[key]
    except KeyError:
        raise NotFound(f"設定項目 {key} はありません。") from None


def get(session: Session, key: str) -> Any:
    """Return a setting's value (its default until an administrator changes it)."""
    spec = definition(key)
    row = session.get(Setting, key)
    return spec.default if row is None else row.value


def values(session: Session, keys: Iterable[str] | None = None) -> dict[str, Any]:
    """Return several settings at once (one query)."""
    wanted = list(keys) if keys is not None else list(_REGISTRY)
    stored = {
        row.key: row.value
        for row in session.scalars(select(Setting).where(Setting.key.in_(wanted)))
    }
    return {key: stored.get(key, definition(key).default) for key in wanted}


def parse(spec: SettingDef, raw: Any) -> Any:
    """Turn form or JSON input into a value of the setting's kind, or raise InvalidInput."""
    field = spec.key
    if spec.kind == TEXT_LIST:
        items = raw if isinstance(raw, list) else str(raw or "").splitlines()
        value = [str(item).strip() for item in items if str(item).strip()]
        if not value or any(len(item) > 100 for item in value):
            raise InvalidInput(fields={field: "1行に1項目（各100文字以内）で入力してください。"})
        return value
    if spec.kind == TIME:
        text = unicodedata.normalize("NFKC", str(raw or "")).strip()
        match = _HHMM.fullmatch(text)
        if match is None:
            raise InvalidInput(
                fields={field: f"{spec.label}は 8:30 のように時:分で入力してください。"}
            )
        return f"{int(match.group(1)):02d}:{match.group(2)}"
    if spec.kind == TEXT:
        line = str(raw or "").strip()
        if not line or len(line) > 100 or "\n" in line:
            raise InvalidInput(
                fields={field: f"{spec.label}を1行（100文字以内）で入力してください。"}
            )
        return line
    text = str(raw).strip().replace(",", "").replace("，", "") if raw is not None else ""
    try:
        number: float = float(text) if spec.kind == RATIO else int(text)
    except ValueError:
        raise InvalidInput(fields={field: f"{spec.label}は数値で入力してください。"}) from None
    if (spec.minimum is not None and number < spec.minimum) or (
        spec.maximum is not None and number > spec.maximum
    ):
        raise InvalidInput(
            fields={
                field: f"{spec.label}は{spec.minimum}〜{spec.maximum}の範囲で入力してください。"
            }
        )
    return number


def update(session: Session, actor: User, key: str, raw: Any) -> Any:
    """Change a setting (administrators only); the change is audited."""
    if not actor.is_admin:
        raise Forbidden("設定を変更できるのはシステム管理者のみです。")
    spec = definition(key)
    value = parse(spec, raw)
    row = session.get(Setting, key) or Setting(key=key)
    row.value = value
    row.updated_by_id = actor.id
    session.add(row)
    session.flush()
    audit.record(session, actor, "setting.update", object_type="setting", object_id=key)
    return value


#: How long an audit event may wait for the sealer before `audit verify` calls it a fault
#: (hub.audit: the scheduler's audit_seal job seals every 2 seconds).
SEAL_GRACE = SettingDef(
    key="audit.seal_grace_seconds",
    label="監査ログを連結するまでの猶予",
    kind=INT,
    default=60,
    rationale=(
        "監査ログは記録後に定期実行（2秒ごと）で番号と連鎖のハッシュを付ける。"
        "これより長く連結されていない記録は、定期実行が止まっている疑いとして検証で異常とする"
    ),
    group="監査ログ",
    minimum=10,
    maximum=3600,
    unit="秒",
)
register(SEAL_GRACE)
