"""Bordered tables for the PDF layer, drawn cell by cell.

fpdf2's ``table()`` lays out every cell with ``multi_cell`` dry runs (≈0.4 ms a cell), which
made a 1,000-row timeline take seconds, and it cannot split a row taller than a page (a
4,000-character note in a value column). Here cell text is broken once with 禁則処理
(``PdfDocument.lines``), a row's height follows from its line count, and each line is drawn
with ``FPDF.text``. The heading row repeats on every page and stays with the first row; a row
never splits unless it is taller than a whole page, and then it continues on the next page
under the repeated heading.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .page import Cell, CellLike, as_cell

if TYPE_CHECKING:
    from .pdf import PdfDocument

CELL_PADDING_MM = 1.6
#: Padding above and below the text of a cell.
CELL_PADDING_Y_MM = CELL_PADDING_MM * 0.7
#: The inner width loses a little to the border lines.
BORDER_ALLOWANCE_MM = 0.6
LINE_WIDTH_MM = 0.2


@dataclass(frozen=True)
class _Prepared:
    cell: Cell
    lines: list[str]
    size: float


@dataclass(frozen=True)
class _Row:
    cells: list[_Prepared]
    line_height: float
    min_height: float

    @property
    def line_count(self) -> int:
        return max((len(c.lines) for c in self.cells), default=1)

    @property
    def height(self) -> float:
        return max(self.line_count * self.line_height + 2 * CELL_PADDING_Y_MM, self.min_height)


def _prepare(
    doc: PdfDocument,
    cells: Iterable[Cell],
    widths: Sequence[float],
    size: float,
    small: float,
    min_height: float,
) -> _Row:
    prepared = []
    for cell, width in zip(cells, widths, strict=True):
        cell_size = small if cell.muted else size
        inner = width - 2 * CELL_PADDING_MM - BORDER_ALLOWANCE_MM
        lines = doc.lines(cell.text, inner, phrase_end=cell.phrase_end, size=cell_size)
        prepared.append(_Prepared(cell, lines, cell_size))
    return _Row(prepared, doc.line_height(size) * 0.9, min_height)


def height(
    doc: PdfDocument,
    rows: Sequence[Sequence[CellLike]],
    widths: Sequence[float],
    *,
    headings: Sequence[str] | None,
    min_row_height: float | None,
    size: float,
    small: float,
) -> float:
    """The height ``draw`` takes for these rows on one page (mm)."""
    total = 0.0
    if headings is not None:
        total += _prepare(doc, _heading_cells(headings), widths, size, small, 0).height
    for values in rows:
        row = _prepare(doc, map(as_cell, values), widths, size, small, min_row_height or 0)
        total += row.height
    return total


def _heading_cells(headings: Sequence[str]) -> list[Cell]:
    return [Cell(text, align="C", shaded=True) for text in headings]


def draw(
    doc: PdfDocument,
    rows: Iterable[Sequence[CellLike]],
    widths: Sequence[float],
    *,
    headings: Sequence[str] | None,
    min_row_height: float | None,
    size: float,
    small: float,
) -> None:
    """Draw the table from the current position down, starting pages as needed."""
    pdf = doc.pdf
    head = (
        _prepare(doc, _heading_cells(headings), widths, size, small, 0)
        if headings is not None
        else None
    )
    head_height = head.height if head else 0.0
    first = True
    for values in rows:
        row = _prepare(doc, map(as_cell, values), widths, size, small, min_row_height or 0)
        room = pdf.page_break_trigger - pdf.get_y()
        needed = row.height
        if row.height > _page_room(doc) - head_height:  # split anyway: start if a few lines fit
            needed = 3 * row.line_height + 2 * CELL_PADDING_Y_MM
        needed += head_height if first else 0
        if needed > room + 0.01:
            pdf.add_page()
            first = True
        if first and head:
            _draw_row(doc, head, widths, 0, head.line_count)
        first = False
        _draw_split(doc, row, widths, head)


def _page_room(doc: PdfDocument) -> float:
    """The height between the top margin and the page break on a fresh page."""
    return doc.pdf.page_break_trigger - doc.pdf.t_margin


def _draw_split(doc: PdfDocument, row: _Row, widths: Sequence[float], head: _Row | None) -> None:
    """Draw a row, continuing it on further pages when it is taller than what is left."""
    pdf = doc.pdf
    start = 0
    while True:
        room = pdf.page_break_trigger - pdf.get_y()
        fit = int((room - 2 * CELL_PADDING_Y_MM) // row.line_height)
        rest = row.line_count - start
        if start == 0 and row.height <= room + 0.01:
            _draw_row(doc, row, widths, 0, row.line_count)
            return
        if rest <= fit:
            _draw_row(doc, row, widths, start, row.line_count)
            return
        if fit > 0:
            _draw_row(doc, row, widths, start, start + fit)
            start += fit
        pdf.add_page()
        if head:
            _draw_row(doc, head, widths, 0, head.line_count)


def _draw_row(doc: PdfDocument, row: _Row, widths: Sequence[float], start: int, end: int) -> None:
    """Draw lines ``start``..``end`` of every cell of ``row`` at the current position."""
    pdf = doc.pdf
    whole = start == 0 and end == row.line_count
    count = end - start
    height = row.height if whole else count * row.line_height + 2 * CELL_PADDING_Y_MM
    top, x = pdf.get_y(), pdf.l_margin
    pdf.set_line_width(LINE_WIDTH_MM)
    pdf.set_draw_color(0)
    for prepared, width in zip(row.cells, widths, strict=True):
        cell = prepared.cell
        if cell.shaded:
            pdf.set_fill_color(doc.heading_fill)
        pdf.rect(x, top, width, height, style="DF" if cell.shaded else "D")
        lines = prepared.lines[start:end]
        doc.set_size(prepared.size)
        pdf.set_text_color(doc.muted if cell.muted else 0)
        # Centre a whole row's text vertically (short cells beside a tall one); continued
        # parts of a split row run from the top.
        offset = (height - len(lines) * row.line_height) / 2 if whole else CELL_PADDING_Y_MM
        font_mm = prepared.size * doc.pt_mm
        for n, line in enumerate(lines):
            if not line:
                continue
            baseline = top + offset + n * row.line_height + 0.5 * row.line_height + 0.3 * font_mm
            pdf.text(_x(doc, cell.align, line, x, width), baseline, line)
        x += width
    pdf.set_text_color(0)
    pdf.set_xy(pdf.l_margin, top + height)


def _x(doc: PdfDocument, align: str, line: str, left: float, width: float) -> float:
    if align == "L":
        return left + CELL_PADDING_MM
    free = width - 2 * CELL_PADDING_MM - doc.measure(line)
    return left + CELL_PADDING_MM + (free if align == "R" else free / 2)
