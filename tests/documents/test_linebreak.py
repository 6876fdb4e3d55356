"""Japanese line breaking (禁則処理) for the PDF layer."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.documents.render.linebreak import NO_LINE_END, NO_LINE_START, wrap


def measure(text: str) -> float:
    """Half-width characters count 1, everything else 2 (like a monospaced Japanese font)."""
    return float(sum(1 if ord(ch) < 0x2000 or 0xFF61 <= ord(ch) <= 0xFF9F else 2 for ch in text))


def test_punctuation_never_starts_a_line():
    lines = wrap("あいうえおかきくけ。こさしすせそ、たちつ", 10, measure)
    assert lines == ["あいうえお", "かきくけ。", "こさしすせ", "そ、たちつ"]


def test_opening_bracket_never_ends_a_line():
    assert wrap("あいう「えおかきく」", 8, measure) == ["あいう", "「えおか", "きく」"]


def test_numbers_and_phone_numbers_stay_whole():
    assert wrap("電話は03-5432-2215です", 16, measure) == ["電話は", "03-5432-2215です"]
    assert wrap("滞納額は123,456円です", 14, measure) == ["滞納額は", "123,456円です"]


def test_list_items_stay_whole_when_breaking_after_phrases():
    text = "滞納状況、納付計画、民間債務の状況、財産の状況"
    assert wrap(text, 30, measure, phrase_end="、") == [
        "滞納状況、納付計画、",
        "民間債務の状況、財産の状況",
    ]
    # An item longer than a line still breaks inside.
    assert wrap("民間債務の状況", 8, measure, phrase_end="、") == ["民間債務", "の状況"]


def test_a_run_longer_than_a_line_breaks_by_character():
    assert wrap("a" * 25, 10, measure) == ["a" * 10, "a" * 10, "a" * 5]


def test_newlines_are_kept_and_wrapped_spaces_dropped():
    assert wrap("あ\n\nい", 10, measure) == ["あ", "", "い"]
    assert wrap("Tsunagu Hub system", 8, measure) == ["Tsunagu", "Hub", "system"]


_ALPHABET = "あいうえおアイウ漢字𠮷髙﨑ｶﾅ、。「」（）ー・っゃ0123-"
_KANA = "あいうえおアイウ漢字𠮷髙﨑ｶﾅ"
_SPECIAL = "、。「」（）ー・っゃ"


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=60), st.integers(min_value=2, max_value=24))
def test_wrapping_keeps_every_character_within_the_width(text, width):
    lines = wrap(text, width, measure)
    assert "".join(lines) == text
    for line in lines:
        assert measure(line) <= width, (line, width)


# Text where a legal break always exists nearby: no two 禁則 characters in a row.
_spaced = st.lists(
    st.tuples(st.sampled_from(_KANA), st.sampled_from(_KANA + _SPECIAL)), max_size=30
).map(lambda pairs: "".join(a + b for a, b in pairs))


@settings(max_examples=100, deadline=None)
@given(_spaced, st.integers(min_value=6, max_value=24))
def test_no_forbidden_character_at_a_line_edge(text, width):
    lines = wrap(text, width, measure)
    assert "".join(lines) == text
    for line in lines[1:]:
        assert line[0] not in NO_LINE_START, lines
    for line in lines[:-1]:
        assert line[-1] not in NO_LINE_END, lines
