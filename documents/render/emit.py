"""Print blocks (``blocks.py``) on the PDF layer and on the Word layer, the same way."""

from __future__ import annotations

from collections.abc import Iterable

from .blocks import (
    Block,
    Bullets,
    Content,
    Formula,
    Heading,
    KeyValues,
    Note,
    PageBreak,
    Paragraph,
    Table,
    Title,
    Withheld,
)
from .page import TEXT_WIDTH_MM, Cell
from .pdf import BODY_PT, MUTED, PdfDocument
from .word import WordDocument

INDENT_MM = 4.0


def _formula_table(block: Formula) -> Table:
    return Table(((Cell("\n".join(block.lines), shaded=True),),), (TEXT_WIDTH_MM,))


def write_pdf(doc: PdfDocument, blocks: Iterable[Block]) -> None:
    """Lay out ``blocks`` from the current position of ``doc``."""
    for block in blocks:
        match block:
            case Title(text):
                doc.title(text)
            case Heading(text, level):
                doc.heading(text, size=11.5 if level == 1 else BODY_PT)
            case Paragraph(text, align, indent):
                doc.paragraph(text, align=align, indent=INDENT_MM if indent else 0)
            case Note(text, align):
                doc.note(text, align=align)
                doc.spacer(1)
            case Bullets(items):
                doc.bullets(items)
            case KeyValues(pairs, label_width):
                doc.key_values(pairs, label_width=label_width)
            case Table(rows, widths, headings, size):
                doc.table(rows, widths, headings=headings, size=size or BODY_PT)
            case Formula():
                write_pdf(doc, [_formula_table(block)])
            case Withheld(text):
                doc.paragraph("※ " + text, color=MUTED)
            case PageBreak():
                doc.new_page()
            case _:
                raise TypeError(f"not a block: {block!r}")


def write_docx(doc: WordDocument, blocks: Iterable[Block]) -> None:
    """Append ``blocks`` to ``doc``."""
    for block in blocks:
        match block:
            case Title(text):
                doc.title(text)
            case Heading(text, level):
                doc.heading(text, level=level)
            case Paragraph(text, align, indent):
                doc.paragraph(text, align=align, indent_mm=INDENT_MM if indent else 0)
            case Note(text, align):
                doc.note(text, align=align)
            case Bullets(items):
                doc.bullets(items)
            case KeyValues(pairs, label_width):
                doc.key_values(pairs, label_mm=label_width)
            case Table(rows, widths, headings, size):
                doc.table(rows, widths, headings=headings, size=size)
            case Formula():
                write_docx(doc, [_formula_table(block)])
            case Withheld(text):
                doc.paragraph("※ " + text, muted=True)
            case PageBreak():
                doc.page_break()
            case _:
                raise TypeError(f"not a block: {block!r}")


def render_pdf(content: Content) -> bytes:
    """The document as a PDF file."""
    doc = PdfDocument(content.marking)
    write_pdf(doc, content.blocks)
    return doc.to_bytes()


def render_docx(content: Content) -> bytes:
    """The document as a Word file."""
    doc = WordDocument(content.marking)
    write_docx(doc, content.blocks)
    return doc.to_bytes()
