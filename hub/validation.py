"""Field checks shared by forms and the JSON API; each failure names its field in Japanese."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from hub import jp
from hub.errors import InvalidInput


class Fields:
    """Collect field errors and raise them together."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.errors: dict[str, str] = {}

    def error(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def text(self, field: str, label: str, *, max_length: int, required: bool = False) -> str:
        raw = self.data.get(field)
        if raw is None:
            raw = ""
        if not isinstance(raw, str):
            self.error(field, f"{label}は文字列で入力してください。")
            return ""
        # Browsers send a textarea's line breaks as CRLF: one line break, not a control char.
        raw = raw.replace("\r\n", "\n").replace("\r", "\n")
        value = unicodedata.normalize("NFC", raw).strip()
        if any(unicodedata.category(ch) in {"Cc", "Cf"} and ch not in "\n\t" for ch in value):
            self.error(field, f"{label}に使えない制御文字が含まれています。")
        elif required and not value:
            self.error(field, f"{label}を入力してください。")
        elif len(value) > max_length:
            self.error(
                field, f"{label}は{max_length}文字以内で入力してください（{len(value)}文字）。"
            )
        return value

    def choice(
        self, field: str, label: str, choices: Iterable[str], *, required: bool = True
    ) -> str:
        value = self.data.get(field)
        if value is None:
            value = ""
        if not isinstance(value, str) or (value not in set(choices) and (required or value)):
            self.error(field, f"{label}の値が正しくありません。")
            return ""
        return value

    def optional_date(self, field: str, label: str) -> date | None:
        raw = self.data.get(field)
        if raw in (None, ""):
            return None
        if not isinstance(raw, str):
            self.error(field, f"{label}は文字列（例: 1980-04-01）で入力してください。")
            return None
        try:
            return jp.parse_date(raw)
        except ValueError as exc:
            self.error(field, f"{label}{exc}")
            return None

    def check(self) -> None:
        if self.errors:
            raise InvalidInput(fields=self.errors)


#: The largest key the integer columns hold; a larger id cannot exist (the driver would fail).
MAX_ID = 2**31 - 1


def parse_id(value: Any) -> int | None:
    """Read an id from a form or JSON value; anything that cannot be a row id gives None."""
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= MAX_ID else None


def reject_unknown(data: Mapping[str, Any], allowed: Iterable[str]) -> None:
    """Refuse fields the API does not know, so that a typo is not silently ignored."""
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise InvalidInput(
            f"不明な項目があります: {', '.join(unknown)}",
            code="unknown_fields",
            fields={name: "この項目は受け付けていません。" for name in unknown},
        )


_ATENA = re.compile(r"^\d{1,15}$")
_PHONE = re.compile(r"^[0-9+\-() ]{0,20}$")


def atena_no(fields: Fields, field: str = "atena_no") -> str:
    """Read a 宛名番号: digits only (全角 accepted), at most 15."""
    value = unicodedata.normalize(
        "NFKC", fields.text(field, "宛名番号", max_length=40, required=True)
    )
    if value and not _ATENA.match(value):
        fields.error(field, "宛名番号は数字（15桁以内）で入力してください。")
    return value


def phone(fields: Fields, field: str = "phone") -> str:
    value = unicodedata.normalize("NFKC", fields.text(field, "電話番号", max_length=20))
    if value and not _PHONE.match(value):
        fields.error(field, "電話番号は数字とハイフンで入力してください。")
    return value


def kana(fields: Fields, field: str = "kana") -> str:
    value = jp.normalize_kana(fields.text(field, "カナ氏名", max_length=100, required=True))
    if value and not jp.is_katakana_name(value):
        fields.error(field, "カナ氏名はカタカナ（またはひらがな）で入力してください。")
    return value
