"""The base Word layer: an A4 DOCX with Japanese fonts, the marking and "n / N" on every page.

python-docx's default template is US Letter with theme fonts (Calibri/Cambria, and an East
Asian theme font Word resolves per PC). Here every section is A4, and the styles name real
Japanese fonts in ``w:eastAsia`` with the ``*Theme`` attributes removed, because Word prefers a
theme font over an explicit one (STACK.md). Blocks mirror ``pdf.PdfDocument``: ``title``,
``heading``, ``paragraph``, ``bullets``, ``note``, ``key_values``, ``table``.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, datetime

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from .fonts import WORD_BODY_FONT, WORD_HEADING_FONT
from .page import (
    FOOTER_OFFSET_MM,
    HEADER_OFFSET_MM,
    MARGIN_MM,
    PAGE_HEIGHT_MM,
    PAGE_WIDTH_MM,
    TEXT_WIDTH_MM,
    Cell,
    CellLike,
    Marking,
    as_cell,
)

BODY_PT = 10.5
SMALL_PT = 8.5
MUTED = RGBColor(0x6E, 0x6E, 0x6E)
HEADING_FILL = "E8E8E8"
_ALIGN = {
    "L": WD_ALIGN_PARAGRAPH.LEFT,
    "C": WD_ALIGN_PARAGRAPH.CENTER,
    "R": WD_ALIGN_PARAGRAPH.RIGHT,
}
_THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
_HEADING_STYLES = ("Title", "Heading 1", "Heading 2", "Heading 3")


# -- styles and fonts ---------------------------------------------------------------------


def _child(parent, tag: str, *, first: bool = False):
    """The child element ``tag`` of ``parent``, created when missing."""
    element = parent.find(qn(tag))
    if element is None:
        element = OxmlElement(tag)
        if first:
            parent.insert(0, element)
        else:
            parent.append(element)
    return element


def set_fonts(rpr, font: str) -> None:
    """Name ``font`` for Latin and East Asian text in a ``w:rPr`` and mark it Japanese."""
    fonts = _child(rpr, "w:rFonts", first=True)
    for attr in _THEME_ATTRS:
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), font)
    lang = _child(rpr, "w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "ja-JP")


def _setup_styles(doc) -> None:
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = _child(_child(defaults, "w:rPrDefault"), "w:rPr")
    set_fonts(rpr, WORD_BODY_FONT)
    for tag, value in (("w:sz", "21"), ("w:szCs", "21")):  # 10.5 pt, the 公用文 size
        _child(rpr, tag).set(qn("w:val"), value)
    # Line spacing 1.3: ＭＳ 明朝's own line height is 1.0 em, cramped at "single" unless the
    # document snaps to Word's Japanese line grid, which LibreOffice lays out differently.
    spacing = _child(_child(_child(defaults, "w:pPrDefault"), "w:pPr"), "w:spacing")
    for attr, value in (("w:after", "0"), ("w:line", "312"), ("w:lineRule", "auto")):
        spacing.set(qn(attr), value)
    # Every style that names fonts names ours: Word prefers a theme font over an explicit one.
    for style in doc.styles:
        font = WORD_HEADING_FONT if style.name in _HEADING_STYLES else WORD_BODY_FONT
        if style.name in _HEADING_STYLES:
            set_fonts(_child(style.element, "w:rPr"), font)
        for rpr_fonts in style.element.iter(qn("w:rFonts")):
            set_fonts(rpr_fonts.getparent(), font)
    for name, size in (("Title", 15), ("Heading 1", 11.5), ("Heading 2", 10.5)):
        style = doc.styles[name]
        style.font.size = Pt(size)
        style.font.bold = False  # ＭＳ ゴシック has no bold face; Word would smear a fake one
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.font.color.theme_color = None
        pbdr = style.element.find(qn("w:pPr") + "/" + qn("w:pBdr"))
        if pbdr is not None:  # the template's blue rule under the title
            pbdr.getparent().remove(pbdr)
        fmt = style.paragraph_format
        fmt.space_before = Pt(8 if name != "Title" else 0)
        fmt.space_after = Pt(3 if name != "Title" else 8)
        fmt.keep_with_next = True
    doc.styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for name in ("Header", "Footer"):  # tab stops for A4 text width, not Letter's
        tabs = doc.styles[name].paragraph_format.tab_stops
        tabs.clear_all()
        tabs.add_tab_stop(Mm(TEXT_WIDTH_MM / 2), WD_TAB_ALIGNMENT.CENTER)
        tabs.add_tab_stop(Mm(TEXT_WIDTH_MM), WD_TAB_ALIGNMENT.RIGHT)
        doc.styles[name].font.size = Pt(SMALL_PT)
    # Theme fonts resolve by this language where they are still used (e.g. new styles in Word).
    lang = _child(doc.settings.element, "w:themeFontLang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "ja-JP")


# -- page setup, header and footer ----------------------------------------------------------


def setup_section(section, marking: Marking) -> None:
    """A4 portrait, 20 mm margins, and the marking in the header and footer."""
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(MARGIN_MM))
    section.header_distance = Mm(HEADER_OFFSET_MM)
    section.footer_distance = Mm(FOOTER_OFFSET_MM)
    header = section.header.paragraphs[0]
    _boxed(header, marking.label)
    if marking.header:
        header.add_run("\t\t" + marking.header)
    else:
        _muted(header.add_run("\t\t" + marking.department))
    footer = section.footer.paragraphs[0]
    _boxed(footer, marking.label)
    footer.add_run("\t")
    _field(footer, "PAGE", "1")
    footer.add_run(" / ")
    _field(footer, "NUMPAGES", "1")
    _muted(footer.add_run("\t" + marking.reference))


def _boxed(paragraph: Paragraph, text: str) -> None:
    """A run with a border around it, like the 取扱注意 stamp on paper."""
    run = paragraph.add_run(text)
    bdr = _child(run._r.get_or_add_rPr(), "w:bdr")
    for attr, value in (
        ("w:val", "single"),
        ("w:sz", "6"),
        ("w:space", "1"),
        ("w:color", "000000"),
    ):
        bdr.set(qn(attr), value)


def _muted(run) -> None:
    run.font.color.rgb = MUTED


def _field(paragraph: Paragraph, instruction: str, placeholder: str) -> None:
    """A complex field (PAGE, NUMPAGES): Word and LibreOffice compute it when they lay out."""
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None)):
        run = paragraph.add_run()
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {text} \\* MERGEFORMAT "
            run._r.append(instr)
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
    paragraph.add_run(placeholder)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    paragraph.add_run()._r.append(end)


def _cell_margins(table: Table, *, top_mm: float, side_mm: float) -> None:
    """Padding inside every cell (Table Grid has none above and below the text)."""
    margins = _child(table._tbl.tblPr, "w:tblCellMar")
    for side, mm in (("top", top_mm), ("bottom", top_mm), ("left", side_mm), ("right", side_mm)):
        element = _child(margins, f"w:{side}")
        element.set(qn("w:w"), str(round(mm * 1440 / 25.4)))  # twentieths of a point
        element.set(qn("w:type"), "dxa")


# -- the document -------------------------------------------------------------------------


class WordDocument:
    """An A4 DOCX built block by block; ``to_bytes`` gives the file."""

    def __init__(self, marking: Marking) -> None:
        self.marking = marking
        self.doc = Document()
        _setup_styles(self.doc)
        for section in self.doc.sections:
            setup_section(section, marking)
        props = self.doc.core_properties
        props.title = marking.title
        props.author = props.last_modified_by = marking.department
        props.comments = props.keywords = props.subject = ""
        props.created = props.modified = datetime.now(UTC).replace(tzinfo=None)
        props.language = "ja-JP"
        # The template starts with one empty paragraph; reuse it so page 1 starts with content.
        self._first: Paragraph | None = self.doc.paragraphs[0] if self.doc.paragraphs else None
        self._break_before = False

    def _paragraph(self, style: str | None = None) -> Paragraph:
        if self._first is not None:
            paragraph, self._first = self._first, None
            if style:
                paragraph.style = self.doc.styles[style]
        else:
            paragraph = self.doc.add_paragraph(style=style)
        if self._break_before:
            paragraph.paragraph_format.page_break_before = True
            self._break_before = False
        return paragraph

    def title(self, text: str) -> Paragraph:
        paragraph = self._paragraph("Title")
        paragraph.add_run(text)
        return paragraph

    def heading(self, text: str, *, level: int = 1) -> Paragraph:
        """A heading; its style keeps it on the page of the paragraph that follows."""
        paragraph = self._paragraph(f"Heading {level}")
        paragraph.add_run(text)
        return paragraph

    def paragraph(
        self,
        text: str,
        *,
        align: str = "L",
        size: float | None = None,
        indent_mm: float = 0,
        first_indent_chars: float = 0,
        keep_with_next: bool = False,
        muted: bool = False,
    ) -> Paragraph:
        paragraph = self._paragraph()
        fmt = paragraph.paragraph_format
        fmt.alignment = _ALIGN[align]
        fmt.space_after = Pt(3)
        fmt.keep_with_next = keep_with_next
        if indent_mm:
            fmt.left_indent = Mm(indent_mm)
        if first_indent_chars:
            fmt.first_line_indent = Pt((size or BODY_PT) * first_indent_chars)
        for n, line in enumerate(text.split("\n")):
            run = paragraph.add_run()
            if n:
                run.add_break()
            run.add_text(line)
            if size:
                run.font.size = Pt(size)
            if muted:
                _muted(run)
        return paragraph

    def note(self, text: str, *, align: str = "L", keep_with_next: bool = False) -> Paragraph:
        return self.paragraph(
            text, align=align, size=SMALL_PT, keep_with_next=keep_with_next, muted=True
        )

    def bullets(self, items: Sequence[str], *, mark: str = "・", indent_mm: float = 4) -> None:
        """Items with a hanging indent, so wrapped lines align with the text, not the mark."""
        for item in items:
            paragraph = self.paragraph(mark + item)
            fmt = paragraph.paragraph_format
            fmt.left_indent = Mm(indent_mm) + Pt(BODY_PT)
            fmt.first_line_indent = -Pt(BODY_PT)
            fmt.space_after = Pt(1)

    def page_break(self) -> None:
        """Start the next paragraph on a new page (no empty line at the top of that page)."""
        self._break_before = True

    # -- tables ---------------------------------------------------------------------------

    def table(
        self,
        rows: Sequence[Sequence[CellLike]],
        widths_mm: Sequence[float],
        *,
        headings: Sequence[str] | None = None,
        min_row_height_mm: float | None = None,
        keep_together: bool = False,
        size: float | None = None,
    ) -> Table:
        """A bordered table with fixed column widths; the heading row repeats on every page.

        Rows never split across pages; ``keep_together`` keeps the whole table on one page.
        """
        if self._first is not None or self._break_before:
            # A table cannot reuse the template's empty paragraph or break a page before it.
            paragraph = self._paragraph()
            paragraph.paragraph_format.line_spacing = Pt(1)
        table = self.doc.add_table(rows=0, cols=len(widths_mm))
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        table.autofit = False
        _child(table._tbl.tblPr, "w:tblLayout").set(qn("w:type"), "fixed")
        _cell_margins(table, top_mm=0.8, side_mm=1.6)
        for column, width in zip(table.columns, widths_mm, strict=True):
            column.width = Mm(width)  # w:gridCol, which LibreOffice reads
        all_rows = ([[as_cell(h) for h in headings]] if headings else []) + [
            [as_cell(value) for value in values] for values in rows
        ]
        for n, values in enumerate(all_rows):
            is_heading = headings is not None and n == 0
            row = table.add_row()
            tr_pr = row._tr.get_or_add_trPr()
            _child(tr_pr, "w:cantSplit")
            if is_heading:
                _child(tr_pr, "w:tblHeader")  # repeat on every page
            elif min_row_height_mm:
                row.height = Mm(min_row_height_mm)
                row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
            for cell, value, width in zip(row.cells, values, widths_mm, strict=True):
                cell.width = Mm(width)  # w:tcW, which Word reads
                self._fill_cell(
                    cell,
                    value.text,
                    align="C" if is_heading else value.align,
                    muted=value.muted,
                    shaded=is_heading or value.shaded,
                    size=size,
                )
                if keep_together and n < len(all_rows) - 1:
                    for paragraph in cell.paragraphs:
                        paragraph.paragraph_format.keep_with_next = True
        self._spacer()
        return table

    def _fill_cell(
        self, cell: _Cell, text: str, *, align: str, muted: bool, shaded: bool, size: float | None
    ) -> None:
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        if shaded:
            shd = _child(cell._tc.get_or_add_tcPr(), "w:shd")
            for attr, value in (("w:val", "clear"), ("w:color", "auto"), ("w:fill", HEADING_FILL)):
                shd.set(qn(attr), value)
        for n, line in enumerate(text.split("\n")):
            paragraph = cell.paragraphs[0] if n == 0 else cell.add_paragraph()
            paragraph.paragraph_format.alignment = _ALIGN[align]
            run = paragraph.add_run(line)
            if muted:
                run.font.size = Pt(SMALL_PT)
                _muted(run)
            elif size:
                run.font.size = Pt(size)

    def _spacer(self) -> None:
        """A thin paragraph after a table: Word needs one between two tables anyway."""
        paragraph = self.doc.add_paragraph()
        paragraph.paragraph_format.line_spacing = Pt(6)  # an exact height

    def key_values(self, pairs: Sequence[tuple[str, str]], *, label_mm: float = 38) -> Table:
        """Label / value rows, e.g. a cover sheet's particulars."""
        rows = [(Cell(label, shaded=True), value) for label, value in pairs]
        return self.table(rows, (label_mm, TEXT_WIDTH_MM - label_mm))

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()
