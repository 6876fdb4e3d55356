"""What every rendered page shares, whatever the format: A4 portrait, margins and the marking."""

from __future__ import annotations

from dataclasses import dataclass

#: A4 portrait in millimetres (ISO 216); both renderers lay out in millimetres.
PAGE_WIDTH_MM = 210.0
PAGE_HEIGHT_MM = 297.0
#: Margins close to what city templates use: room for a punch on the left and a stamp on top.
MARGIN_MM = 20.0
HEADER_OFFSET_MM = 9.0
FOOTER_OFFSET_MM = 10.0
TEXT_WIDTH_MM = PAGE_WIDTH_MM - 2 * MARGIN_MM

#: Handling marking printed on every page of a document about a resident.
CONFIDENTIAL = "取扱注意"
#: The blank date a resident fills in by hand (full-width spaces leave room to write).
BLANK_DATE = "令和　　年　　月　　日"


@dataclass(frozen=True)
class Marking:
    """Header and footer contents repeated on every page.

    ``department`` is the department responsible for the document (the one a reader calls);
    ``reference`` identifies the document on paper, e.g. 「同意書番号 12」; ``title`` goes into
    the file's metadata. Metadata never carries a resident's name: files are indexed and
    previewed by desktop search on city PCs. The author in the metadata is ``department``.
    """

    department: str
    reference: str = ""
    title: str = ""
    label: str = CONFIDENTIAL
    author: str = "つなぐハブ"
    #: Printed at the header's right instead of ``department``, in black: a packet names
    #: the department it was made for (「提供先 ぷらっとホーム世田谷」), so a printout says
    #: whose it was.
    header: str = ""


@dataclass(frozen=True)
class Cell:
    """A table cell with its own look, for both renderers; a plain string is a default cell."""

    text: str
    align: str = "L"  # "L", "C" or "R"
    muted: bool = False  # grey and small: pre-filled details, hints
    shaded: bool = False  # grey background, e.g. the label column of a form
    phrase_end: str = ""  # PDF: break lines only after these characters where possible ("、")


CellLike = str | Cell


def as_cell(value: CellLike) -> Cell:
    return value if isinstance(value, Cell) else Cell(value)
