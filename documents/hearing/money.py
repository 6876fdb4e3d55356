"""Amounts of money as staff type them: integer yen from 「１２３，４５６円」 or 「12万3456」.

hub/static/js/hearing.js parses the same way (``parseYen``); a browser test keeps them equal.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

#: Input sanity limits, not policy: a monthly figure above 1億円 or a total above 100億円 is a
#: typing error (an extra zero or two), never a resident of a payment consultation.
MONTHLY_MAX = 100_000_000
TOTAL_MAX = 10_000_000_000

_DIGITS = re.compile(r"^[0-9]{1,15}$")
_MAN = re.compile(r"^([0-9]{1,6})万([0-9]{0,4})$")
_DECIMAL = re.compile(r"^[0-9]+\.[0-9]+$")
_LONG = re.compile(r"^[0-9]+$")
_NEGATIVE = ("-", "−", "▲", "△")


class MoneyError(ValueError):
    """An amount that cannot be read; the message completes a sentence after the label."""


def normalize(text: str) -> str:
    """Fold 全角 digits and signs, drop spaces, commas, a leading ¥ and a trailing 円."""
    value = unicodedata.normalize("NFKC", text)
    value = re.sub(r"[\s,、]", "", value)
    value = value.removeprefix("¥").removeprefix("\\")
    return value.removesuffix("円")


def parse_yen(value: Any, *, maximum: int = MONTHLY_MAX) -> int | None:
    """Read an amount in integer yen; blank is None. Raise MoneyError when it cannot be one."""
    if value is None or isinstance(value, bool):
        if value is None:
            return None
        raise MoneyError("は数字で入力してください（例: 123,456）。")
    if isinstance(value, float):
        if not value.is_integer():
            raise MoneyError("は1円単位の整数で入力してください。")
        value = int(value)
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        text = normalize(value)
        if not text:
            return None
        number = _number(text)
    else:
        raise MoneyError("は数字で入力してください（例: 123,456）。")
    if number < 0:
        raise MoneyError("にマイナスの金額は入力できません。")
    if number > maximum:
        raise MoneyError(f"は{maximum:,}円以下で入力してください。")
    return number


def _number(text: str) -> int:
    if text.startswith(_NEGATIVE):
        raise MoneyError("にマイナスの金額は入力できません。")
    if _DIGITS.match(text):
        return int(text)
    if m := _MAN.match(text):
        return int(m.group(1)) * 10_000 + int(m.group(2) or 0)
    if _DECIMAL.match(text):
        raise MoneyError("は1円単位の整数で入力してください。")
    if _LONG.match(text):  # more than 15 digits
        raise MoneyError(f"は{TOTAL_MAX:,}円以下で入力してください。")
    raise MoneyError("は数字で入力してください（例: 123,456）。")


def floor_to(amount: int, unit: int) -> int:
    """Round an amount down to a multiple of the unit (100円 by default setting)."""
    return amount // unit * unit
