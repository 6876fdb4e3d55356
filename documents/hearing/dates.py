"""Months, fiscal years (年度) and arrears periods (期) in 和暦 or Western form.

Months are stored as ``"2026-03"``; a period range as
``{"fiscal_year": 2024, "from_period": 1, "to_period": 4}`` and shown as 「令和6年度 1期〜4期」.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from hub.jp import ERAS

FIRST_YEAR, LAST_YEAR = 1989, 2100
MAX_PERIOD = 12

_ERA = r"(明治|大正|昭和|平成|令和|[MTSHR])(元|[0-9]{1,2})"
_MONTH_WESTERN = re.compile(r"^([0-9]{4})[-/.年]([0-9]{1,2})月?$")
_MONTH_ERA = re.compile(rf"^{_ERA}[年./-]([0-9]{{1,2}})月?$")
_YEAR = re.compile(rf"^(?:([0-9]{{4}})|{_ERA})(?:年度|年)?$")
_PERIOD = re.compile(
    rf"^(?P<year>[0-9]{{4}}|{_ERA})(?:\s*年度|\s*年|\s)\s*"
    r"(?P<from>[0-9]{1,2})\s*期?(?:\s*(?:[〜~\-ー－]|から)\s*(?P<to>[0-9]{1,2})\s*期?(?:まで)?)?$"
)
_SEPARATORS = re.compile(r"[、,;；\n]+")
PERIOD_EXAMPLE = "「令和6年度 1期〜4期」の形で入力してください（複数は「、」で区切る）。"


def _clean(text: str) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", text)).upper()


def _era_year(era: str, year_text: str) -> int:
    start = next(s for name, letter, s in ERAS if era in (name, letter))
    return start.year + (1 if year_text == "元" else int(year_text)) - 1


def parse_month(text: str) -> str:
    """Read 2026-03, 2026/3, 2026年3月, 令和8年3月 or R8.3 as ``"2026-03"`` (ValueError if not)."""
    value = _clean(text)
    if m := _MONTH_WESTERN.match(value):
        year, month = int(m.group(1)), int(m.group(2))
    elif m := _MONTH_ERA.match(value):
        year, month = _era_year(m.group(1), m.group(2)), int(m.group(3))
    else:
        raise ValueError("は「令和8年3月」または「2026-03」の形で入力してください。")
    if not (1 <= month <= 12 and FIRST_YEAR <= year <= LAST_YEAR):
        raise ValueError("が正しい年月ではありません。")
    return f"{year:04d}-{month:02d}"


def parse_fiscal_year(text: str) -> int:
    """Read 令和6年度, R6, 2024 or 2024年度 as the Western year the 年度 starts in."""
    value = _clean(text)
    m = _YEAR.match(value)
    if not m:
        raise ValueError("は「令和6年度」または「2024」の形で入力してください。")
    year = int(m.group(1)) if m.group(1) else _era_year(m.group(2), m.group(3))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError("が正しい年度ではありません。")
    return year


def parse_periods(text: str) -> list[dict[str, int]]:
    """Read 「令和6年度 1期〜4期、令和7年度 1期」 into period ranges (ValueError if not)."""
    ranges = []
    for part in filter(None, _SEPARATORS.split(unicodedata.normalize("NFKC", text))):
        m = _PERIOD.match(part.strip().upper())
        if not m:
            raise ValueError(f"は{PERIOD_EXAMPLE}")
        year_text = m.group("year")
        year = int(year_text) if year_text.isdigit() else _era_year(m.group(2), m.group(3))
        first = int(m.group("from"))
        last = int(m.group("to") or first)
        ranges.append(period(year, first, last))
    return ranges


def period(year: int, first: int, last: int) -> dict[str, int]:
    """Check and build one period range (ValueError with a sentence ending if wrong)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError("の年度が正しくありません。")
    if not (1 <= first <= last <= MAX_PERIOD):
        raise ValueError(
            f"の期は1〜{MAX_PERIOD}の範囲で、始めの期が終わりの期以前になるように入力してください。"
        )
    return {"fiscal_year": year, "from_period": first, "to_period": last}


def era_year_text(year: int, on: date) -> str:
    """Name the year of ``on`` in its era: 令和8年, 令和元年."""
    for name, _letter, start in ERAS:
        if on >= start:
            number = year - start.year + 1
            return f"{name}{'元' if number == 1 else number}年"
    return f"{year}年"


def fiscal_year_label(year: int) -> str:
    """Name a 年度 by the era it (mostly) falls in: 2019 → 令和元年度, 2024 → 令和6年度."""
    return era_year_text(year, date(year, 5, 1)) + "度"


def month_label(value: str | None) -> str:
    """Show ``"2026-03"`` as 令和8年3月."""
    if not value:
        return ""
    year, month = (int(part) for part in value.split("-"))
    return f"{era_year_text(year, date(year, month, 28))}{month}月"


def periods_label(ranges: list[dict[str, int]] | None) -> str:
    """Show period ranges as 「令和6年度 1期〜4期、令和7年度 1期」."""
    parts = []
    for r in ranges or []:
        span = f"{r['from_period']}期"
        if r["to_period"] != r["from_period"]:
            span += f"〜{r['to_period']}期"
        parts.append(f"{fiscal_year_label(r['fiscal_year'])} {span}")
    return "、".join(parts)


def add_months(month: str, count: int) -> str:
    """Move ``"2026-03"`` by a number of months."""
    year, number = (int(part) for part in month.split("-"))
    index = year * 12 + number - 1 + count
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def next_month(today: date) -> str:
    """The month after today's: the first month a new payment plan can start."""
    return add_months(f"{today.year:04d}-{today.month:02d}", 1)
