"""The base PDF layer: an A4 document with the marking on every page and Japanese text blocks.

Documents (the consent form now; the hearing sheet and the case packet later) are laid out
directly with fpdf2 from the blocks of ``PdfDocument``: ``title``, ``heading``, ``paragraph``,
``bullets``, ``note``, ``key_values`` and ``table``, plus ``ensure_space`` to keep a block off a
page break and ``new_page``. Text is broken into lines here (``linebreak.wrap``, with 禁則処理)
and each line is drawn as it is, so fpdf2 never re-wraps it.

``PdfDocument`` wraps the fpdf2 object (``.pdf``) instead of subclassing it, so our block names
cannot collide with fpdf2's own attributes (``FPDF.title`` is the metadata title), and a
document that needs a drawing primitive can still reach it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

from fpdf import FPDF
from fpdf.enums import Align, TextEmphasis, TextMode, XPos, YPos
from fpdf.fonts import TTFFont

from . import pdftable
from .fonts import PDF_FAMILY, add_pdf_font
from .linebreak import wrap
from .page import FOOTER_OFFSET_MM, HEADER_OFFSET_MM, MARGIN_MM, Cell, CellLike, Marking

log = logging.getLogger(__name__)

BODY_PT = 10.5
SMALL_PT = 8.5
PT_MM = 25.4 / 72
#: Line height as a multiple of the font size: Japanese text needs more air than Latin.
LEADING = 1.5

INK = 0
MUTED = 100  # grey for pre-filled details and notes: readable, clearly not the signature
HEADING_FILL = 232
#: "n / N" in the footer.
NUMBER_PT = SMALL_PT + 0.5


def footer_top(page_height: float) -> float:
    """The top (mm) of the footer line on a page of this height."""
    return page_height - FOOTER_OFFSET_MM - SMALL_PT * PT_MM


def number_baseline(page_height: float) -> float:
    """Where (mm from the top) the footer's "n / N" sits, as ``cell`` places it."""
    return footer_top(page_height) + 0.5 * (SMALL_PT * PT_MM + 1.6) + 0.3 * NUMBER_PT * PT_MM


class _Pages(FPDF):
    """fpdf2 with our header and footer; fpdf2 calls them on every page it starts."""

    def __init__(self, marking: Marking, *, numbered: bool = True) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.marking = marking
        self.numbered = numbered

    def set_font(
        self, family: str | None = None, style: str | TextEmphasis = "", size: float = 0
    ) -> None:
        letters = style.style if isinstance(style, TextEmphasis) else style.upper()
        if "B" in letters and (family or self.font_family).lower() == PDF_FAMILY:
            self._bold()
        super().set_font(family, style, size)

    def table(self, *args, **kwargs):
        # fpdf2 checks for the bold face of table headings before it sets any font.
        style = kwargs.get("headings_style")
        if style is None or (style.emphasis and "B" in style.emphasis.style):
            self._bold()
        return super().table(*args, **kwargs)

    def _bold(self) -> None:
        """Register "B" (the same Regular face) on first use only: every registered font is
        subset and embedded, used or not, which costs ~0.25 s."""
        if f"{PDF_FAMILY}B" not in self.fonts:
            add_pdf_font(self, "B")

    def header(self) -> None:
        marking = self.marking
        self._mark_line(
            HEADER_OFFSET_MM, marking.header or marking.department, bool(marking.header)
        )
        self.set_xy(self.l_margin, MARGIN_MM)

    def footer(self) -> None:
        y = footer_top(self.h)
        self._mark_line(y, self.marking.reference)
        if not self.numbered:  # the case packet numbers its pages when it assembles them
            return
        # "{nb}" becomes the page count when the file is written (alias_nb_pages).
        self.set_xy(self.l_margin, y)
        self.set_font(PDF_FAMILY, size=NUMBER_PT)
        self.cell(self.epw, SMALL_PT * PT_MM + 1.6, f"{self.page_no()} / {{nb}}", align=Align.C)

    def _mark_line(self, y: float, right_text: str, strong: bool = False) -> None:
        """The boxed handling label (like the stamp on paper) left, ``right_text`` right.

        No need to restore colours or font: fpdf2's add_page restores them after the header.
        """
        height = SMALL_PT * PT_MM + 1.6
        self.set_font(PDF_FAMILY, size=SMALL_PT)
        self.set_draw_color(INK)
        self.set_text_color(INK)
        self.set_line_width(0.3)
        # Drawn with rect/text, placed as cell() would (a cell costs ~4× as much, and a
        # packet draws these on every one of hundreds of stamp pages).
        baseline = y + 0.5 * height + 0.3 * self.font_size
        label = self.marking.label
        label_width = self.get_string_width(label)
        self.rect(self.l_margin, y, label_width + 3, height)
        self.text(self.l_margin + 1.5, baseline, label)
        if right_text:
            self.set_text_color(INK if strong else MUTED)
            right = self.l_margin + self.epw - self.c_margin - self.get_string_width(right_text)
            self.text(right, baseline, right_text)


class PdfDocument:
    """An A4 portrait PDF with Noto Sans JP, 20 mm margins and the marking on every page."""

    muted = MUTED
    heading_fill = HEADING_FILL
    pt_mm = PT_MM

    def __init__(self, marking: Marking, *, numbered: bool = True) -> None:
        """``numbered=False`` leaves "n / N" out of the footers (``number_baseline`` says
        where it goes): the case packet draws it when it knows N, attachments included."""
        self.marking = marking
        #: Characters the font could not draw (shown as boxes), filled in by ``to_bytes``.
        self.missing_characters: tuple[str, ...] = ()
        self._widths: dict[tuple[float, str], float] = {}
        pdf = self.pdf = _Pages(marking, numbered=numbered)
        add_pdf_font(pdf)
        pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
        pdf.set_auto_page_break(True, margin=MARGIN_MM)
        pdf.alias_nb_pages("{nb}")
        pdf.set_lang("ja-JP")
        pdf.set_title(marking.title)
        pdf.set_author(marking.department)
        pdf.set_creator(marking.author)
        pdf.set_creation_date(datetime.now(UTC))
        pdf.set_font(PDF_FAMILY, size=BODY_PT)
        pdf.add_page()

    @property
    def width(self) -> float:
        """The text width in mm (between the margins)."""
        return self.pdf.epw

    # -- text blocks ----------------------------------------------------------------------

    @contextmanager
    def _style(self, *, size: float = BODY_PT, color: int = INK):
        """Set size and colour for a block and restore the body style after it."""
        pdf = self.pdf
        pdf.set_font(PDF_FAMILY, size=size)
        pdf.set_text_color(color)
        try:
            yield
        finally:
            pdf.set_font(PDF_FAMILY, size=BODY_PT)
            pdf.set_text_color(INK)

    def _line(self, width: float, height: float, line: str, align: str, strong: bool) -> None:
        """One line of text; ``strong`` thickens the glyphs with a thin outline (the font wheel
        has no bold weight). The outline mode goes inside q/Q (local_context): fpdf2 would
        otherwise leave it set for all the text after it on the page."""

        def cell() -> None:
            self.pdf.cell(
                width, height, line, align=Align.coerce(align), new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )

        if not strong:
            cell()
            return
        stroke = self.pdf.font_size_pt * 0.012
        color = self.pdf.text_color
        with self.pdf.local_context(
            text_mode=TextMode.FILL_STROKE, line_width=stroke, draw_color=color
        ):
            cell()

    @staticmethod
    def line_height(size: float = BODY_PT) -> float:
        return size * PT_MM * LEADING

    def set_size(self, size: float) -> None:
        """Set the font size (pt) for what is drawn next."""
        self.pdf.set_font(PDF_FAMILY, size=size)

    def _font(self) -> TTFFont:
        """The current font: always the embedded Noto (set when the document starts)."""
        font = self.pdf.current_font
        assert isinstance(font, TTFFont), "the document's font is set before any text"
        return font

    def measure(self, text: str, size: float | None = None) -> float:
        """The width of ``text`` in mm at ``size`` pt (the current size by default).

        Widths are the sum of the glyphs' advances (no kerning or shaping here), cached per
        size and token: line breaking measures every character of every cell.
        """
        size = size or self.pdf.font_size_pt
        key = (size, text)
        width = self._widths.get(key)
        if width is None:
            font = self._font()
            width = font.get_text_width(text, size, None)[1] / self.pdf.k
            self._widths[key] = width
        return width

    def encoded(self, text: str) -> tuple[str, str]:
        """The font's resource name and ``text`` as a content-stream string operand, in the
        current font: what fpdf2 itself writes for ``text()``. For text drawn outside fpdf2
        (the packet's page numbers); the characters are added to the embedded subset."""
        font = self._font()
        operand = font.encode_text(text).removesuffix(" Tj")
        return f"/F{font.i}", operand

    def lines(
        self, text: str, width: float, *, phrase_end: str = "", size: float | None = None
    ) -> list[str]:
        """``text`` broken into lines that fit ``width`` mm (current size, or ``size`` pt)."""
        size = size or self.pdf.font_size_pt
        return wrap(text, width, lambda part: self.measure(part, size), phrase_end=phrase_end)

    def text(
        self,
        text: str,
        *,
        size: float = BODY_PT,
        color: int = INK,
        indent: float = 0,
        first_indent: float = 0,
        align: str = "L",
        strong: bool = False,
    ) -> None:
        """Draw wrapped text from the current position down, breaking pages between lines.

        ``indent`` shifts every line; ``first_indent`` only the first line of each paragraph
        (negative for a hanging indent, as ``bullets`` uses).
        """
        pdf = self.pdf
        with self._style(size=size, color=color):
            height = self.line_height(size)
            width = self.width - indent
            for paragraph in text.split("\n"):
                for n, line in enumerate(self.lines(paragraph, width - max(first_indent, 0))):
                    if pdf.will_page_break(height):
                        pdf.add_page()
                    shift = first_indent if n == 0 else 0
                    pdf.set_x(pdf.l_margin + indent + shift)
                    self._line(width - shift, height, line, align, strong)

    def title(self, text: str, *, size: float = 15) -> None:
        self.text(text, size=size, align="C", strong=True)
        self.spacer(2)

    def heading(self, text: str, *, size: float = 11.5) -> None:
        """A section heading, kept on the same page as the two lines that follow it."""
        self.ensure_space(self.line_height(size) + 2 * self.line_height() + 3)
        self.spacer(2)
        self.text(text, size=size, strong=True)
        self.spacer(0.8)

    def paragraph(self, text: str, **kwargs) -> None:
        """``text`` (same options) followed by a small gap."""
        self.text(text, **kwargs)
        self.spacer(1.5)

    def bullets(self, items: Sequence[str], *, mark: str = "・", indent: float = 4) -> None:
        """A list with a hanging indent: wrapped lines align with the text, not the mark."""
        with self._style():
            mark_width = self.pdf.get_string_width(mark)
        for item in items:
            self.text(mark + item, indent=indent + mark_width, first_indent=-mark_width)
        self.spacer(1.5)

    def note(self, text: str, **kwargs) -> None:
        """Small grey text: hints, pre-filled details, office-use lines."""
        self.text(text, size=SMALL_PT, color=MUTED, **kwargs)

    def spacer(self, height: float) -> None:
        self.pdf.set_y(self.pdf.get_y() + height)

    def ensure_space(self, height: float) -> None:
        """Start a new page unless ``height`` mm still fit on this one."""
        if self.pdf.will_page_break(height):
            self.pdf.add_page()

    def new_page(self) -> None:
        self.pdf.add_page()

    # -- tables ---------------------------------------------------------------------------

    def table(
        self,
        rows: Iterable[Sequence[CellLike]],
        widths: Sequence[float],
        *,
        headings: Sequence[str] | None = None,
        min_row_height: float | None = None,
        size: float = BODY_PT,
    ) -> None:
        """A bordered table; ``widths`` in mm; the heading row repeats on every page.

        Cell text is wrapped with 禁則処理 to the inner width of its column. A row never splits
        across pages unless it is taller than a page (see ``pdftable``).
        """
        with self._style(size=size):
            pdftable.draw(
                self,
                rows,
                widths,
                headings=headings,
                min_row_height=min_row_height,
                size=size,
                small=SMALL_PT,
            )
        self.spacer(2)

    def table_height(
        self,
        rows: Sequence[Sequence[CellLike]],
        widths: Sequence[float],
        *,
        headings: Sequence[str] | None = None,
        min_row_height: float | None = None,
        size: float = BODY_PT,
    ) -> float:
        """The height ``table`` will take with the same arguments (mm), to keep a table on
        one page with what precedes it (``ensure_space``)."""
        return pdftable.height(
            self,
            rows,
            widths,
            headings=headings,
            min_row_height=min_row_height,
            size=size,
            small=SMALL_PT,
        )

    def key_values(self, pairs: Sequence[tuple[str, str]], *, label_width: float = 38) -> None:
        """Label / value rows, e.g. a cover sheet's particulars or a resident's details."""
        rows = [(Cell(label, shaded=True), value) for label, value in pairs]
        self.table(rows, (label_width, self.width - label_width))

    # -- output ---------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """Write the file. Characters the font lacks are drawn as boxes and recorded.

        fpdf2 would log the missing characters themselves; they come from residents' names,
        which must not reach logs, so they are taken out first and only counted.
        """
        missing: list[str] = []
        for font in self.pdf.fonts.values():
            if isinstance(font, TTFFont) and font.missing_glyphs:
                missing.extend(chr(code) for code in font.missing_glyphs)
                font.missing_glyphs = []
        self.missing_characters = tuple(dict.fromkeys(missing))
        if self.missing_characters:
            log.warning(
                "%s: %d character(s) not in the PDF font, drawn as boxes",
                self.marking.reference or self.marking.title,
                len(self.missing_characters),
            )
        return bytes(self.pdf.output())
