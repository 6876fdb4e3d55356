"""相談先のご案内: a one-page handout of counselling windows for a resident (seed 002, 001).

The only personal data on it is the resident's name (「〇〇 様」): it is handed over the counter
and may be left on a table at home. Phase 2 picks the windows (those linked to the resident's
confirmed 共通目安 and situation, plus those staff tick) from the administrator's directory.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hub.jp import wareki

from .blocks import Block, Content, Note, Paragraph, Table, Title
from .emit import render_docx, render_pdf
from .page import TEXT_WIDTH_MM, Cell, Marking

TITLE = "相談先のご案内"
HEADINGS = ("相談先", "こんなときに", "場所・電話・受付時間")
COLUMNS_MM = (40.0, 62.0, TEXT_WIDTH_MM - 102.0)


@dataclass(frozen=True)
class CounsellingWindow:
    name: str  # 「ぷらっとホーム世田谷」
    what_for: str  # 「仕事や住まい、家計のことなど、生活全般の困りごと」
    place: str
    phone: str
    hours: str  # 「平日 8:30〜17:15」
    note: str = ""  # a web address, 「予約制」


@dataclass(frozen=True)
class HandoutData:
    city_name: str
    resident_name: str
    issued_on: date
    department: str  # the department handing it out
    contact: str  # 「納税課 納税相談係 電話 03-5432-2215」
    windows: tuple[CounsellingWindow, ...]


def handout_blocks(data: HandoutData) -> tuple[Block, ...]:
    """Every printed text of the handout, in order."""
    rows = tuple(
        (
            Cell(w.name, shaded=True),
            w.what_for,
            "\n".join(
                filter(None, (w.place, f"電話 {w.phone}" if w.phone else "", w.hours, w.note))
            ),
        )
        for w in data.windows
    )
    out: list[Block] = [
        Note(f"{wareki(data.issued_on)}　{data.city_name} {data.department}", align="R"),
        Title(TITLE),
        Paragraph(f"{data.resident_name}　様"),
        Paragraph(
            "お困りごとの内容に合わせて、次の窓口でご相談いただけます。相談は無料で、"
            "秘密は守られます。お電話のうえ、この用紙をお持ちください。"
        ),
        Table(rows, COLUMNS_MM, HEADINGS),
    ]
    if data.contact:
        out.append(
            Paragraph(f"ご不明な点は、{data.city_name} {data.contact} までお問い合わせください。")
        )
    return tuple(out)


def marking(data: HandoutData) -> Marking:
    return Marking(department=data.department, title=TITLE)


def render_handout_pdf(data: HandoutData) -> bytes:
    return render_pdf(Content(marking(data), handout_blocks(data)))


def render_handout_docx(data: HandoutData) -> bytes:
    return render_docx(Content(marking(data), handout_blocks(data)))
