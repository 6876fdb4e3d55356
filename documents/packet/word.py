"""The packet as one Word file: the same cover and sections; attachments listed, not merged.

Word computes "n / N" itself (PAGE / NUMPAGES fields) and repeats the header with the
recipient on every page. The contents list names the sections without page numbers: they
exist only once Word or LibreOffice lays the file out.
"""

from __future__ import annotations

from typing import BinaryIO

from hub.documents.render.blocks import Bullets, Note, Title
from hub.documents.render.emit import write_docx
from hub.documents.render.word import WordDocument

from .assemble import marking
from .contract import AttachmentResult, PacketData
from .sections import cover_blocks, sections


def write_packet_docx(data: PacketData, out: BinaryIO) -> None:
    """Write the packet as one DOCX to ``out``; attachments are listed by name."""
    listed = tuple(AttachmentResult(a.title, 0) for a in data.attachments)
    packet_sections = sections(data, listed, merged=False)
    doc = WordDocument(marking(data))
    write_docx(doc, cover_blocks(data))
    doc.page_break()
    contents = [f"{n}　{s.title}" for n, s in enumerate(packet_sections, 1)]
    write_docx(
        doc, [Title("目次"), Bullets(tuple(contents)), Note("各資料は新しいページから始まります。")]
    )
    for section in packet_sections:
        for part in section.parts:
            doc.page_break()
            write_docx(doc, part.blocks)
    doc.doc.save(out)
