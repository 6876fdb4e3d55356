"""Build the PDF packet into a stream: attachments, own pages, stamps, bookmarks, encryption.

Steps, each linear in pages: merge every attachment into ``out`` page by page (each read
once; see attachments.py); lay out the cover, contents and sections, one stamp page per size
of attached page and every "n / N" with fpdf2 (text only, small); copy the own pages with
their numbers, and write the stamps and numbers the attached pages already refer to; last the
page tree (own pages first), bookmarks, metadata and the cross-reference table.
"""

from __future__ import annotations

import io
from datetime import UTC
from typing import BinaryIO

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DictionaryObject,
    NameObject,
    RectangleObject,
    StreamObject,
    TextStringObject,
)

from hub.documents.render.page import Marking
from hub.documents.render.pdf import number_baseline
from hub.jp import local, wareki

from . import stamp
from .attachments import SKIPPED, Merged, count, merge
from .contract import AttachmentResult, PacketData, PacketResult, Progress
from .layout import Layout, Numbers, lay_out
from .outline import write_outline
from .pdfout import Copier, PdfOut
from .sections import TITLE
from .stamp import PT_TO_MM


def marking(data: PacketData) -> Marking:
    """Every page: 取扱注意, the recipient (header), n / N, the case and the date (footer)."""
    day = local(data.generated_at)
    assert day is not None
    return Marking(
        department=data.generating_department,
        header=f"提供先　{data.recipient_department}",
        reference=f"{data.case_reference}　{wareki(day.date())}作成",
        title=TITLE,
    )


def write_packet_pdf(
    data: PacketData,
    out: BinaryIO,
    *,
    password: str | None = None,
    progress: Progress | None = None,
) -> PacketResult:
    """Write the packet as one PDF to ``out`` (a file opened for binary writing).

    ``password``: AES-256, asked for when the file is opened. ``progress(done, total)``
    counts attached pages merged so far and in all (``Attachment.pages``, or counted first),
    plus one last step for the packet's own pages; it ends with ``done == total``.
    """
    report: Progress = progress or (lambda done, total: None)
    total = sum(count(attachment) for attachment in data.attachments) + 1
    done = 0

    def tick() -> None:
        nonlocal done
        done = min(done + 1, total - 1)
        report(done, total)

    pdf = PdfOut(out, password=password)
    refs = stamp.StampRefs(pdf)
    merged = [merge(pdf, refs, attachment, tick) for attachment in data.attachments]
    layout = lay_out(data, merged, marking(data))
    own_reader = PdfReader(io.BytesIO(layout.pdf))
    own = Copier(pdf, own_reader)
    pages = own_reader.pages
    numbers = layout.numbers
    if refs.forms:  # the stamped pages name the packet's font: it is written under that name
        resources = pages[0]["/Resources"]  # pypdf resolves references on access
        assert isinstance(resources, DictionaryObject)  # the own pages are the hub's PDF
        fonts = resources["/Font"]
        assert isinstance(fonts, DictionaryObject)
        own.assign(fonts.raw_get(numbers.font), refs.font)
    order = [own.reserve_page(pages[n].indirect_reference) for n in range(layout.own_pages)]
    for n, ref in enumerate(order):
        page = own.copy_all((k, v) for k, v in pages[n].items() if k not in SKIPPED)
        _number_own_page(pdf, page, pages[n].mediabox, numbers, n)
        pdf.write_page(ref, page)
        own.flush()
    for size, form in refs.forms.items():
        stamp.write_form(pdf, own, pages[layout.stamps[size]], form)
    own.flush()
    for item in merged:
        for ref, numbered in zip(item.pages, item.numbers, strict=True):
            n = len(order)
            draw = stamp.number_stream(
                numbered, numbers.operands[n], numbers.widths[n], numbers.size
            )
            pdf.write(numbered.ref, _stream(draw))
            order.append(ref)
    _finish(pdf, data, layout, order)
    report(total, total)
    return PacketResult(len(order), _results(merged, layout), layout.missing_characters)


def _number_own_page(
    pdf: PdfOut, page: DictionaryObject, box: RectangleObject, numbers: Numbers, n: int
) -> None:
    """Add "n / N" to an own page's footer (fpdf2 left it out: N counts the attachments)."""
    width, height = float(box.width), float(box.height)
    x = (width - numbers.widths[n]) / 2
    y = height - number_baseline(height * PT_TO_MM) / PT_TO_MM
    font, operand = f"{numbers.font} {numbers.size:.2f} Tf", numbers.operands[n]
    draw = f"BT {font} 0 g {x:.2f} {y:.2f} Td {operand} Tj ET\n"
    contents = page.raw_get("/Contents")  # a reference into the output: not resolvable here
    parts = list(contents) if isinstance(contents, ArrayObject) else [contents]
    page[NameObject("/Contents")] = ArrayObject([*parts, pdf.add(_stream(draw.encode("latin-1")))])


def _stream(data: bytes) -> StreamObject:
    stream = StreamObject()
    stream.set_data(data)
    return stream


def _finish(pdf: PdfOut, data: PacketData, layout: Layout, pages: list) -> None:
    catalog = DictionaryObject(
        {
            NameObject("/Outlines"): write_outline(pdf, layout.entries, pages),
            NameObject("/PageMode"): NameObject("/UseOutlines"),
            NameObject("/Lang"): TextStringObject("ja-JP"),
            NameObject("/ViewerPreferences"): DictionaryObject(
                {NameObject("/DisplayDocTitle"): BooleanObject(True)}
            ),
        }
    )
    created = data.generated_at.astimezone(UTC).strftime("D:%Y%m%d%H%M%SZ")
    # Metadata: title and the author department, never the resident (desktop search indexes it).
    info = DictionaryObject(
        {
            NameObject("/Title"): TextStringObject(TITLE),
            NameObject("/Author"): TextStringObject(data.generating_department),
            NameObject("/Creator"): TextStringObject("つなぐハブ"),
            NameObject("/Producer"): TextStringObject("つなぐハブ (fpdf2, pypdf)"),
            NameObject("/CreationDate"): TextStringObject(created),
        }
    )
    pdf.close(pages, catalog, info)


def _results(merged: list[Merged], layout: Layout) -> tuple[AttachmentResult, ...]:
    return tuple(
        AttachmentResult(
            c.attachment.title,
            len(c.sizes),
            first + 1 if first is not None else None,
            c.error,
        )
        for c, first in zip(merged, layout.first_pages, strict=True)
    )
