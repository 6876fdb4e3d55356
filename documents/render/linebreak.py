"""Japanese line breaking for the PDF layer (fpdf2 only knows word and character wrapping).

fpdf2's ``WrapMode.CHAR`` breaks anywhere: a line may start with 「、」 or 「。」 and a phone
number may be cut in two. Here lines break between any two characters except (禁則処理):
before closing punctuation, small kana and the prolonged sound mark, after opening brackets,
and inside a run of Latin letters and digits (numbers, phone numbers, codes). A character that
may not start a line takes the last character of the previous line with it (追い出し), so
nothing hangs into the margin or over a table border. Word and LibreOffice do this themselves.
"""

from __future__ import annotations

import re
from collections.abc import Callable

#: Characters that may not begin a line (行頭禁則).
NO_LINE_START = frozenset(
    "、。，．,.・：；:;？！?!）〕］｝〉》」』】)]}〙〗>"
    "ーゝゞヽヾ々〻…‥"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ"
    "ｧｨｩｪｫｯｬｭｮｰﾞﾟ､｡･｣％%"
)
#: Characters that may not end a line (行末禁則).
NO_LINE_END = frozenset("（〔［｛〈《「『【(〘〖[{<｢")

# Runs of Latin letters, digits and the joiners inside numbers and codes stay on one line, and
# so does an amount with its unit (「123,456円」, never 「123,456」/「円」).
_TOKEN = re.compile(r"[0-9A-Za-z０-９Ａ-Ｚａ-ｚ@#&%+\-‐－./:_,]+円?|.", re.DOTALL)


def _tokens(text: str, width: float, measure: Callable[[str], float], phrase_end: str) -> list[str]:
    if phrase_end:
        # Whole phrases, e.g. 「滞納状況、」「収支の状況」: a list reads badly when one of its
        # items is split (「民間債務の状」/「況」). A phrase too long for a line breaks as usual.
        out: list[str] = []
        for phrase in re.findall(f"[^{re.escape(phrase_end)}]*[{re.escape(phrase_end)}]|.+$", text):
            out.extend(
                [phrase] if measure(phrase) <= width else _tokens(phrase, width, measure, "")
            )
        return out
    out = []
    for token in _TOKEN.findall(text):
        # A run longer than a whole line (a long URL) has to break somewhere: by character.
        out.extend(token if len(token) > 1 and measure(token) > width else [token])
    return out


def _starts_badly(token: str) -> bool:
    return token[0] in NO_LINE_START


def _ends_badly(token: str) -> bool:
    return token[-1] in NO_LINE_END


def wrap(
    text: str, width: float, measure: Callable[[str], float], *, phrase_end: str = ""
) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` as measured by ``measure``.

    With ``phrase_end`` (e.g. "、"), lines break only after those characters where possible.

    Explicit newlines are kept; an empty paragraph gives an empty line. Half-width spaces at a
    wrap are dropped (but not a paragraph's own indent).
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        tokens = _tokens(paragraph, width, measure, phrase_end)
        # Widths add up (no kerning across tokens), so each token is measured once and a line
        # is a running sum: linear in the text, which matters for 10,000-character notes.
        sizes = [measure(token) for token in tokens]
        start, used = 0, 0.0
        for i, size in enumerate(sizes):
            if i == start or used + size <= width:
                used += size
                continue
            cut = i
            # 追い出し: move tokens down until the break is allowed, keeping at least one.
            while cut - start > 1 and (_starts_badly(tokens[cut]) or _ends_badly(tokens[cut - 1])):
                cut -= 1
            if sum(sizes[cut : i + 1]) > width:  # nothing sensible to carry: break plainly
                cut = i
            lines.append("".join(tokens[start:cut]).rstrip(" "))
            while cut < i and tokens[cut] == " ":
                cut += 1
            if cut == i and tokens[i] == " ":
                cut += 1  # a space that would start the line is dropped
            start, used = cut, sum(sizes[cut : i + 1])
        lines.append("".join(tokens[start:]))
    return lines
