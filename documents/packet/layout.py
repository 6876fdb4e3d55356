"""Lay out the packet's own pages with fpdf2, and the stamps of the attached pages.

One fpdf2 file holds the cover, the contents (filled in last, when every page number is
known), the sections, then one page per size of attached page carrying only the header and
footer at that size (the stamp). The footers leave "n / N" out: the attachments are merged
first, so N is known here, and every page's number is encoded now in the same font (its
glyphs join the subset) and drawn when the pages are assembled. One embedded font subset
serves the sections, the stamps and the numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from hub.documents.render.emit import write_pdf
from hub.documents.render.page import Marking
from hub.documents.render.pdf import BODY_PT, MUTED, NUMBER_PT, PdfDocument

from .attachments import Merged
from .contract import AttachmentResult, PacketData
from .sections import NOT_ATTACHED, cover_blocks, sections

PT_TO_MM = 25.4 / 72
TOC_TITLE = "目次"
TOC_LINE_MM = 7.5
TOC_TITLE_MM = 16.0


@dataclass
class Entry:
    """A line of the contents and a bookmark: 0-based page index, children one level down."""

    title: str
    page: int
    children: list[Entry] = field(default_factory=list)


@dataclass
class Numbers:
    """ "n / N" of each page as content-stream operands in the packet's font, and widths."""

    font: str  # the font's resource name in the own pages and stamp forms (/F1)
    size: float  # pt
    operands: list[str]
    widths: list[float]  # pt


@dataclass
class Layout:
    pdf: bytes
    own_pages: int
    entries: list[Entry]
    first_pages: list[int | None]  # 0-based first page of each attachment, None if not attached
    missing_characters: tuple[str, ...]
    #: Displayed size (pt) of attached pages → index of its stamp page in ``pdf``.
    stamps: dict[tuple[float, float], int]
    numbers: Numbers


def _capacity(doc: PdfDocument) -> tuple[int, int]:
    """Contents lines on the first page (under the title) and on each further page."""
    usable = doc.pdf.page_break_trigger - doc.pdf.t_margin
    return int((usable - TOC_TITLE_MM) // TOC_LINE_MM), int(usable // TOC_LINE_MM)


def _lines(entries: list[Entry]) -> list[tuple[int, Entry]]:
    return [
        (level, e) for top in entries for level, e in [(0, top), *((1, c) for c in top.children)]
    ]


def lay_out(data: PacketData, merged: list[Merged], marking: Marking) -> Layout:
    """The packet's own pages and one stamp page per size of attached page, as one file."""
    doc = PdfDocument(marking, numbered=False)
    pdf = doc.pdf
    write_pdf(doc, cover_blocks(data))
    entries = [Entry("表紙", 0)]
    packet_sections = sections(data, tuple(_listed(m) for m in merged))
    # The number of contents lines is known before layout: one per section and per titled
    # part, one per attachment; so is the number of contents pages.
    count = 2 + sum(1 + sum(1 for p in s.parts if p.title) for s in packet_sections)
    count += len(merged)
    first, further = _capacity(doc)
    toc_pages = 1 + max(0, math.ceil((count - first) / further))
    doc.new_page()
    entries.append(Entry(TOC_TITLE, pdf.page - 1))
    pdf.insert_toc_placeholder(lambda p, _o: _contents(doc, entries, first, further), toc_pages)
    for number, section in enumerate(packet_sections, 1):
        if number > 1:
            doc.new_page()
        entry = Entry(f"{number}　{section.title}", pdf.page - 1)
        for n, part in enumerate(section.parts):
            if n:
                doc.new_page()
            if part.title:
                entry.children.append(Entry(part.title, pdf.page - 1))
            write_pdf(doc, part.blocks)
        entries.append(entry)
    own = pdf.page
    first_pages = _attachment_entries(entries[-1] if merged else None, merged, own)
    total = own + sum(len(item.sizes) for item in merged)
    numbers = _numbers(doc, total)
    # One stamp page per size of attached page (usually one or two): the stamp is the same
    # on every attached page of that size, the page number is drawn beside it.
    stamps: dict[tuple[float, float], int] = {}
    for size in (size for item in merged for size in item.sizes):
        if size not in stamps:
            pdf.add_page(format=(size[0] * PT_TO_MM, size[1] * PT_TO_MM))
            stamps[size] = pdf.page - 1
    data_bytes = doc.to_bytes()
    return Layout(data_bytes, own, entries, first_pages, doc.missing_characters, stamps, numbers)


def _attachment_entries(attached: Entry | None, merged: list[Merged], own: int) -> list[int | None]:
    """Contents lines and bookmarks for the attachments; their first pages (0-based)."""
    first_pages: list[int | None] = []
    page = own
    for n, item in enumerate(merged, 1):
        title = f"添付{n}　{item.attachment.title}"
        if item.error:
            first_pages.append(None)
            if attached is not None:
                attached.children.append(Entry(f"{title}（{NOT_ATTACHED}）", attached.page))
            continue
        first_pages.append(page)
        if attached is not None:
            attached.children.append(Entry(title, page))
        page += len(item.sizes)
    return first_pages


def _numbers(doc: PdfDocument, total: int) -> Numbers:
    """ "n / N" of every page, encoded in the packet's font (which then embeds its glyphs)."""
    doc.set_size(NUMBER_PT)
    texts = [f"{n} / {total}" for n in range(1, total + 1)]
    font = ""
    operands, widths = [], []
    for text in texts:
        font, operand = doc.encoded(text)
        operands.append(operand)
        widths.append(doc.measure(text) / PT_TO_MM)
    doc.set_size(BODY_PT)
    return Numbers(font, NUMBER_PT, operands, widths)


def _listed(item: Merged) -> AttachmentResult:
    return AttachmentResult(item.attachment.title, len(item.sizes), None, item.error)


def _contents(doc: PdfDocument, entries: list[Entry], first: int, further: int) -> None:
    """Draw the contents on the reserved pages, called by fpdf2 once every page exists."""
    pdf = doc.pdf
    doc.title(TOC_TITLE)
    pdf.set_y(pdf.t_margin + TOC_TITLE_MM)
    room = first
    for level, entry in _lines(entries):
        if room == 0:
            pdf.add_page()  # the next reserved page
            pdf.set_y(pdf.t_margin)
            room = further
        _contents_line(doc, entry, level)
        room -= 1


def _contents_line(doc: PdfDocument, entry: Entry, level: int) -> None:
    pdf = doc.pdf
    size = BODY_PT if level == 0 else BODY_PT - 1
    doc.set_size(size)
    pdf.set_text_color(0 if level == 0 else MUTED)
    left = pdf.l_margin + 7 * level
    number = str(entry.page + 1)
    right = pdf.w - pdf.r_margin - doc.measure(number)
    title = _fit(doc, entry.title, right - left - 12)
    baseline = pdf.get_y() + TOC_LINE_MM * 0.65
    pdf.text(left, baseline, title)
    pdf.text(right, baseline, number)
    dots_from = left + doc.measure(title) + 2
    if right - 2 > dots_from:
        pdf.set_draw_color(180)
        pdf.set_dash_pattern(dash=0.3, gap=1.2)
        pdf.line(dots_from, baseline, right - 2, baseline)
        pdf.set_dash_pattern()
    pdf.set_text_color(0)
    pdf.set_y(pdf.get_y() + TOC_LINE_MM)


def _fit(doc: PdfDocument, text: str, width: float) -> str:
    """Shorten a long title to one line with 「…」."""
    if doc.measure(text) <= width:
        return text
    while text and doc.measure(text + "…") > width:
        text = text[:-1]
    return text + "…"
