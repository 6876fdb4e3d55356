"""Reading one value of a sheet, with a Japanese message on its field when it is wrong.

Field names are dotted paths inside the sheet (``household_budget.expenses.rent``,
``private_debts.debts.0.monthly``): the web form uses them as input names and the API
returns them as the keys of ``fields``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import date
from typing import Any

from hub import jp
from hub.documents.hearing import dates
from hub.documents.hearing.money import MONTHLY_MAX, MoneyError, parse_yen

YES = {"yes", "true", "1", "on", "はい", "あり"}
NO = {"no", "false", "0", "off", "いいえ", "なし"}


def blank(value: Any) -> bool:
    """True for what a person would call an empty answer."""
    if isinstance(value, Mapping):
        return all(blank(v) for v in value.values())
    if isinstance(value, list):
        return all(blank(v) for v in value)
    return value is None or (isinstance(value, str) and not value.strip())


class Reader:
    """Collect field errors while reading; form input may send flags as "yes"/"no"."""

    def __init__(self, *, from_form: bool, today: date | None = None) -> None:
        self.from_form = from_form
        self.today = today
        self.errors: dict[str, str] = {}

    def error(self, path: str, message: str) -> None:
        self.errors.setdefault(path, message)

    def mapping(self, value: Any, path: str, label: str, allowed: set[str]) -> Mapping[str, Any]:
        """An object holding only the known keys (unknown keys are errors on their path)."""
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self.error(path, f"{label}はオブジェクトで指定してください。")
            return {}
        for key in sorted(set(value) - allowed):
            self.error(f"{path}.{key}", "この項目は受け付けていません。")
        return value

    def rows(
        self, value: Any, path: str, label: str, limit: int, key: str = ""
    ) -> list[tuple[int, Mapping]]:
        """The non-blank rows of a list, each with its index (messages keep the row's path).

        A row holding nothing but its ``key`` (the claim a form row is printed for) is blank.
        """
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(path, f"{label}は配列で指定してください。")
            return []
        filled = [
            (i, row)
            for i, row in enumerate(value)
            if not blank(
                {k: v for k, v in row.items() if k != key} if isinstance(row, Mapping) else row
            )
        ]
        if len(filled) > limit:
            self.error(path, f"{label}は{limit}件までです。")
            return []
        result = []
        for i, row in filled:
            if isinstance(row, Mapping):
                result.append((i, row))
            else:
                self.error(f"{path}.{i}", f"{label}の各行はオブジェクトで指定してください。")
        return result

    def yen(self, value: Any, path: str, label: str, maximum: int = MONTHLY_MAX) -> int | None:
        try:
            return parse_yen(value, maximum=maximum)
        except MoneyError as exc:
            self.error(path, f"{label}{exc}")
            return None

    def flag(self, value: Any, path: str, label: str) -> bool | None:
        if value is None or isinstance(value, bool):
            return value
        if self.from_form and isinstance(value, str):
            text = value.strip().lower()
            if not text:
                return None
            if text in YES or text in NO:
                return text in YES
        self.error(path, f"{label}は「はい」「いいえ」のどちらかで指定してください。")
        return None

    def text(self, value: Any, path: str, label: str, max_length: int) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            self.error(path, f"{label}は文字列で入力してください。")
            return ""
        text = unicodedata.normalize("NFC", value).strip().replace("\r\n", "\n")
        if any(unicodedata.category(ch) in {"Cc", "Cf"} and ch not in "\n\t" for ch in text):
            self.error(path, f"{label}に使えない制御文字が含まれています。")
        elif len(text) > max_length:
            self.error(
                path, f"{label}は{max_length}文字以内で入力してください（{len(text)}文字）。"
            )
        return text

    def choice(self, value: Any, path: str, label: str, choices: Mapping[str, str]) -> str | None:
        if value in (None, ""):
            return None
        if not isinstance(value, str) or value not in choices:
            self.error(path, f"{label}の値が正しくありません。")
            return None
        return value

    def integer(self, value: Any, path: str, label: str, low: int, high: int) -> int | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        number = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str):
            text = unicodedata.normalize("NFKC", value).strip().removesuffix("歳")
            number = int(text) if text.isascii() and text.isdigit() and len(text) < 6 else None
        if number is None or not low <= number <= high:
            self.error(path, f"{label}は{low}〜{high}の整数で入力してください。")
            return None
        return number

    def month(self, value: Any, path: str, label: str) -> str | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            if not isinstance(value, str):
                raise ValueError("は「令和8年3月」または「2026-03」の形で入力してください。")
            return dates.parse_month(value)
        except ValueError as exc:
            self.error(path, f"{label}{exc}")
            return None

    def day(self, value: Any, path: str, label: str) -> str | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            if not isinstance(value, str):
                raise ValueError("は 2025-01-31 または 令和7年1月31日 の形で入力してください。")
            parsed = jp.parse_date(value)
        except ValueError as exc:
            self.error(path, f"{label}{exc}")
            return None
        if self.today is not None and parsed > self.today:
            self.error(path, f"{label}に将来の日付は入力できません。")
            return None
        return parsed.isoformat()

    def periods(self, value: Any, path: str, label: str, limit: int) -> list[dict[str, int]]:
        """Period ranges from text (「令和6年度 1期〜4期」) or from a list of objects."""
        try:
            if value is None:
                return []
            if isinstance(value, str):
                ranges = dates.parse_periods(value)
            elif isinstance(value, list) and all(isinstance(r, Mapping) for r in value):
                ranges = [self._period(r) for r in value]
            else:
                raise ValueError(f"は{dates.PERIOD_EXAMPLE}")
        except ValueError as exc:
            self.error(path, f"{label}{exc}")
            return []
        if len(ranges) > limit:
            self.error(path, f"{label}は{limit}件までです。")
            return []
        return ranges

    @staticmethod
    def _period(row: Mapping) -> dict[str, int]:
        if set(row) != {"fiscal_year", "from_period", "to_period"} or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in row.values()
        ):
            raise ValueError("は fiscal_year, from_period, to_period（整数）で指定してください。")
        return dates.period(row["fiscal_year"], row["from_period"], row["to_period"])
