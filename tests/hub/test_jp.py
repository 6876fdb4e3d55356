from datetime import date

import pytest

from hub import jp


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダタロウ"),
        ("やまだ　たろう", "ヤマダタロウ"),
        ("ヤマダ タロウ", "ヤマダタロウ"),
        ("ｶﾞｯｺｳ", "ガッコウ"),
        ("ｻｰﾋﾞｽ", "サービス"),
        ("０００１２３", "000123"),
        ("ＡＢＣ", "abc"),
        ("", ""),
    ],
)
def test_fold_makes_half_width_full_width_and_hiragana_equal(text, key):
    assert jp.fold(text) == key


def test_normalize_kana_stores_full_width_katakana_with_one_space():
    assert jp.normalize_kana("ﾔﾏﾀﾞ   ﾀﾛｳ") == "ヤマダ\u3000タロウ"
    assert jp.normalize_kana("すずき いちろう") == "スズキ\u3000イチロウ"


@pytest.mark.parametrize(
    ("d", "text"),
    [
        (date(2025, 4, 1), "令和7年4月1日"),
        (date(2019, 5, 1), "令和元年5月1日"),
        (date(2019, 4, 30), "平成31年4月30日"),
        (date(1989, 1, 7), "昭和64年1月7日"),
        (date(1980, 4, 1), "昭和55年4月1日"),
    ],
)
def test_wareki(d, text):
    assert jp.wareki(d) == text


def test_wareki_with_western_year():
    assert jp.wareki(date(2026, 3, 31), with_western=True) == "令和8年3月31日（2026年）"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1980-04-01", date(1980, 4, 1)),
        ("1980/4/1", date(1980, 4, 1)),
        ("１９８０年４月１日", date(1980, 4, 1)),
        ("昭和55年4月1日", date(1980, 4, 1)),
        ("S55.4.1", date(1980, 4, 1)),
        ("r8.3.31", date(2026, 3, 31)),
        ("令和元年5月1日", date(2019, 5, 1)),
    ],
)
def test_parse_date_accepts_western_and_japanese_forms(text, expected):
    assert jp.parse_date(text) == expected


@pytest.mark.parametrize("text", ["2025-02-30", "昭和55年13月1日", "きのう", "1980-4", ""])
def test_parse_date_rejects_with_japanese_message(text):
    with pytest.raises(ValueError, match=r"日付|形で入力"):
        jp.parse_date(text)


def test_yen():
    assert jp.yen(123456) == "123,456円"
    assert jp.yen(0) == "0円"
