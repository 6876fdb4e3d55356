"""Amounts, months, 年度 and 期 as staff type them (no database)."""

from __future__ import annotations

import pytest

from hub.documents.hearing import dates
from hub.documents.hearing.money import MONTHLY_MAX, TOTAL_MAX, MoneyError, parse_yen

#: The same table runs through hearing.js in tests/browser/test_hearing_flow.py.
YEN_OK = [
    ("123456", 123456),
    ("123,456", 123456),
    ("１２３，４５６円", 123456),
    ("１２３４５６", 123456),
    ("¥123,456", 123456),
    ("￥１２３，４５６", 123456),
    (" 85 000 ", 85000),
    ("12万", 120000),
    ("12万3456", 123456),
    ("１２万３４５６円", 123456),
    ("0", 0),
    ("0円", 0),
    (120000, 120000),
    (0, 0),
    (1000.0, 1000),
    ("", None),
    ("   ", None),
    (None, None),
    ("100,000,000", 100_000_000),
]

YEN_BAD = [
    ("-1000", "マイナス"),
    ("－１０００", "マイナス"),
    ("▲5,000", "マイナス"),
    ("△5000円", "マイナス"),
    (-1, "マイナス"),
    ("1000.5", "1円単位"),
    ("１２．５", "1円単位"),
    (1000.5, "1円単位"),
    ("abc", "数字で"),
    ("12万円くらい", "数字で"),
    ("1e5", "数字で"),
    ("五千", "数字で"),
    (True, "数字で"),
    (["1"], "数字で"),
    ("100,000,001", "100,000,000円以下"),
    ("10億", "数字で"),
    ("1" * 16, "10,000,000,000円以下"),
    ("٣٤٥", "数字で"),  # Arabic-Indic digits are not yen
]


@pytest.mark.parametrize(("raw", "expected"), YEN_OK)
def test_amounts_staff_type_are_read_as_integer_yen(raw, expected):
    assert parse_yen(raw) == expected


@pytest.mark.parametrize(("raw", "fragment"), YEN_BAD)
def test_impossible_amounts_are_refused_with_a_japanese_reason(raw, fragment):
    with pytest.raises(MoneyError) as err:
        parse_yen(raw)
    assert fragment in str(err.value)


def test_totals_may_be_larger_than_monthly_figures():
    assert parse_yen("500,000,000", maximum=TOTAL_MAX) == 500_000_000
    with pytest.raises(MoneyError):
        parse_yen("500,000,000", maximum=MONTHLY_MAX)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("令和8年3月", "2026-03"),
        ("2026-03", "2026-03"),
        ("2026/3", "2026-03"),
        ("2026年3月", "2026-03"),
        ("R8.3", "2026-03"),
        ("r8/3", "2026-03"),
        ("令和元年5月", "2019-05"),
        ("平成31年4月", "2019-04"),
        ("２０２６－０３", "2026-03"),
    ],
)
def test_months_in_wareki_or_western_form(raw, expected):
    assert dates.parse_month(raw) == expected


@pytest.mark.parametrize("raw", ["令和8年13月", "3月", "2026", "来年の春", "1900-01"])
def test_impossible_months_are_refused(raw):
    with pytest.raises(ValueError, match=r"は|が"):
        dates.parse_month(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("令和6年度 1期〜4期", [(2024, 1, 4)]),
        ("令和6年度1期～4期", [(2024, 1, 4)]),
        ("R6 1-4期", [(2024, 1, 4)]),
        ("2024年度 3期", [(2024, 3, 3)]),
        ("令和元年度 2期から3期まで", [(2019, 2, 3)]),
        ("H30 10期", [(2018, 10, 10)]),
        ("令和5年度 3期〜4期、令和6年度 1期〜4期", [(2023, 3, 4), (2024, 1, 4)]),
        ("令和5年度 4期\n令和6年度 1期", [(2023, 4, 4), (2024, 1, 1)]),
    ],
)
def test_periods_become_year_and_period_ranges(raw, expected):
    found = dates.parse_periods(raw)
    assert [(p["fiscal_year"], p["from_period"], p["to_period"]) for p in found] == expected


@pytest.mark.parametrize(
    "raw", ["令和6年度", "1期〜4期", "R612期", "令和6年度 4期〜1期", "令和6年度 13期"]
)
def test_periods_that_cannot_be_read_are_refused(raw):
    with pytest.raises(ValueError):
        dates.parse_periods(raw)


def test_labels_read_back_in_wareki():
    assert dates.month_label("2026-03") == "令和8年3月"
    assert dates.month_label("2019-04") == "平成31年4月"
    assert dates.fiscal_year_label(2019) == "令和元年度"
    ranges = dates.parse_periods("R6 1-4期、2025年度 2期")
    assert dates.periods_label(ranges) == "令和6年度 1期〜4期、令和7年度 2期"
    assert dates.add_months("2026-11", 3) == "2027-02"
