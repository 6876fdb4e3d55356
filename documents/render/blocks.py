"""One description of a document's content, printed the same way as PDF and as Word.

A document (the hearing sheet, the policy, a packet's sections) is a tuple of blocks: plain,
frozen data made once from the document's contract. ``emit.render_pdf`` and
``emit.render_docx`` print the same blocks, so the PDF and the Word file of a document cannot
say different things; only the look differs where the formats differ (fonts, line breaking).
"""

from __future__ import annotations

from dataclasses import dataclass

from .page import CellLike, Marking


@dataclass(frozen=True)
class Title:
    """The document's title, centred (a packet prints it as the section's title)."""

    text: str


@dataclass(frozen=True)
class Heading:
    """A heading kept with what follows; ``level`` 1 for sections, 2 for their parts."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    text: str
    align: str = "L"
    #: Indent under a heading (4 mm), as the body of a numbered item.
    indent: bool = False


@dataclass(frozen=True)
class Note:
    """Small grey text: dates of issue, hints, office-use lines."""

    text: str
    align: str = "L"


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class KeyValues:
    """Label / value rows with a shaded label column."""

    pairs: tuple[tuple[str, str], ...]
    label_width: float = 38.0


@dataclass(frozen=True)
class Table:
    """A bordered table; ``widths`` in mm add up to at most the text width (170 mm)."""

    rows: tuple[tuple[CellLike, ...], ...]
    widths: tuple[float, ...]
    headings: tuple[str, ...] | None = None
    #: Font size in pt (None: body size); wide tables of short entries use 9.
    size: float | None = None


@dataclass(frozen=True)
class Formula:
    """Calculation steps in a shaded box, one step a line (the joint plan's formula)."""

    lines: tuple[str, ...]


@dataclass(frozen=True)
class Withheld:
    """A line saying what was left out and why, never what it held."""

    text: str


@dataclass(frozen=True)
class PageBreak:
    pass


Block = (
    Title
    | Heading
    | Paragraph
    | Note
    | Bullets
    | KeyValues
    | Table
    | Formula
    | Withheld
    | PageBreak
)


@dataclass(frozen=True)
class Content:
    """A whole document: its marking (header, footer, metadata) and its blocks in order."""

    marking: Marking
    blocks: tuple[Block, ...]


#: The sentence for a part left out because consent does not cover it.
WITHHELD = "同意の範囲外のため記載していません：{}"


def withheld(labels: tuple[str, ...] | list[str]) -> Withheld:
    """「同意の範囲外のため記載していません：民間債務の状況、財産の状況」."""
    return Withheld(WITHHELD.format("、".join(labels)))
