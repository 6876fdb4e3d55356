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

# Runs of Latin letters, digits and the joiners inside numbers and codes stay on one line.
_TOKEN = re.compile(r"[0-9A-Za-z０-９Ａ-Ｚａ-ｚ@#&%+\-‐－./:_,]+|.", re.DOTALL)


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
        current: list[str] = []
        for token in _tokens(paragraph, width, measure, phrase_end):
            if not current or measure("".join(current) + token) <= width:
                current.append(token)
                continue
            kept, carried = list(current), [token]
            # 追い出し: move tokens down until the break is allowed, keeping at least one.
            while len(kept) > 1 and (_starts_badly(carried[0]) or _ends_badly(kept[-1])):
                carried.insert(0, kept.pop())
            if measure("".join(carried)) > width:  # nothing sensible to carry: break plainly
                kept, carried = current, [token]
            lines.append("".join(kept).rstrip(" "))
            while carried and carried[0] == " ":
                carried.pop(0)
            current = carried
        lines.append("".join(current))
    return lines
