"""Japanese text and dates: search normalisation, kana folding, 和暦 and yen formatting."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import overload
from zoneinfo import ZoneInfo

TOKYO = ZoneInfo("Asia/Tokyo")

_SPACES = re.compile(r"[\s\u3000]+")

#: Eras with their first day (the Gregorian calendar only from 明治6年).
ERAS: tuple[tuple[str, str, date], ...] = (
    ("令和", "R", date(2019, 5, 1)),
    ("平成", "H", date(1989, 1, 8)),
    ("昭和", "S", date(1926, 12, 25)),
    ("大正", "T", date(1912, 7, 30)),
    ("明治", "M", date(1873, 1, 1)),
)


def today() -> date:
    """Return today's date in Japan (the date that counts on documents and deadlines)."""
    return datetime.now(TOKYO).date()


@overload
def local(dt: datetime) -> datetime: ...
@overload
def local(dt: None) -> None: ...
@overload
def local(dt: datetime | None) -> datetime | None: ...
def local(dt: datetime | None) -> datetime | None:
    """Convert an aware UTC datetime to Japan time for display."""
    return dt.astimezone(TOKYO) if dt else None


def hira_to_kata(text: str) -> str:
    """Turn hiragana into katakana (ぁ..ゖ → ァ..ヶ, ゝゞ → ヽヾ)."""
    return "".join(
        chr(ord(ch) + 0x60) if "\u3041" <= ch <= "\u3096" or ch in "\u309d\u309e" else ch
        for ch in text
    )


def fold(text: str | None) -> str:
    """Normalise text for search: NFKC, hiragana folded to katakana, no spaces, lower case.

    Half-width ｶﾅ, full-width カナ and hiragana all fold to the same key, and so do
    full-width and half-width digits and letters.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    return _SPACES.sub("", hira_to_kata(text)).casefold()


def normalize_kana(text: str) -> str:
    """Return the display form of a kana name: NFKC, katakana, single full-width spaces."""
    text = hira_to_kata(unicodedata.normalize("NFKC", text)).strip()
    return _SPACES.sub("\u3000", text)


_KANA_NAME = re.compile(r"^[\u30a1-\u30fa\u30fc\u30fd\u30fe\u3000・]+$")


def is_katakana_name(text: str) -> bool:
    return bool(_KANA_NAME.match(text))


def wareki(d: date | None, *, with_western: bool = False) -> str:
    """Format a date in 和暦: 令和8年4月1日 (元年 for the first year)."""
    if d is None:
        return ""
    for name, _letter, start in ERAS:
        if d >= start:
            year = d.year - start.year + 1
            year_text = "元" if year == 1 else str(year)
            text = f"{name}{year_text}年{d.month}月{d.day}日"
            return f"{text}（{d.year}年）" if with_western else text
    return f"{d.year}年{d.month}月{d.day}日"


def yen(amount: int | None) -> str:
    """Format integer yen as 123,456円."""
    if amount is None:
        return ""
    return f"{amount:,}円"


_ISO = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_ERA = re.compile(
    r"^(明治|大正|昭和|平成|令和|[MTSHR])(元|\d{1,2})[年./-](\d{1,2})[月./-](\d{1,2})日?$"
)


def parse_date(text: str) -> date:
    """Parse 2026-04-01, 2026/4/1, 2026年4月1日, 令和8年4月1日, R8.4.1 or S55/4/1.

    Raises ValueError whose message completes a sentence after the field's label
    (「生年月日」 + 「が存在しない日付です。」).
    """
    value = unicodedata.normalize("NFKC", text or "").strip().upper().replace(" ", "")
    if m := _ISO.match(value):
        year, month, day = (int(g) for g in m.groups())
    elif m := _ERA.match(value):
        era, year_text, month_text, day_text = m.groups()
        start = next(s for name, letter, s in ERAS if era in (name, letter))
        year = start.year + (1 if year_text == "元" else int(year_text)) - 1
        month, day = int(month_text), int(day_text)
    else:
        raise ValueError("は 1980-04-01 または 昭和55年4月1日 の形で入力してください。")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError("が存在しない日付です。") from None
