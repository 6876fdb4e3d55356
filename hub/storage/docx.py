"""DOCX checks: open the zip, refuse bombs and odd entries, then inspect the parts.

Order matters: sizes and names are checked from the zip directory before anything is
decompressed, and every part is searched for DOCTYPE/ENTITY bytes before any XML is parsed,
so the parser never sees a document type declaration (no entity expansion, no external
entities).
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from xml.etree import ElementTree

from hub.storage.errors import UploadRejected

MAX_ENTRIES = 2000
MAX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_RATIO = 100
#: Small parts compress well for honest reasons; the ratio is judged above this size.
RATIO_MIN_SIZE = 1024 * 1024
MAIN_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_CHUNK = 1024 * 1024
_FORBIDDEN = tuple(
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
)
_OVERLAP = max(len(m) for m in _FORBIDDEN)
#: Names and content types of VBA projects, macro-enabled parts and ActiveX controls.
_MACRO = re.compile(r"vbaproject|vbadata|macroenabled|activex", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)", re.IGNORECASE)
_UTF_ENCODINGS = {b"utf-8", b"utf8", b"utf-16", b"utf-16le", b"utf-16be"}
#: Field codes that fetch other files (INCLUDE*, LINK) or run programs (DDE, DDEAUTO).
_FIELD_EXTERNAL = re.compile(r"\b(INCLUDETEXT|INCLUDEPICTURE|LINK|IMPORT)\b", re.IGNORECASE)
_FIELD_DDE = re.compile(r"\bDDE(AUTO)?\b", re.IGNORECASE)
#: Broken directory, CRC mismatch, header/directory name mismatch, truncated data.
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError)
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _unsafe_name(name: str) -> bool:
    return (
        name.startswith("/")
        or "\\" in name
        or "\x00" in name
        or re.match(r"^[A-Za-z]:", name) is not None
        or ".." in name.split("/")
    )


def _check_directory(infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_ENTRIES:
        raise UploadRejected("zip_bomb")
    names = [info.filename for info in infos]
    if any(_unsafe_name(n) for n in names):
        raise UploadRejected(
            "docx_malformed",
            "Word ファイルの中に、保存場所の外を指す不正な名前（../ など）が含まれているため"
            "受け付けていません。",
        )
    # OPC part names are case-insensitive; two entries for one part confuse readers.
    if len({n.lower() for n in names}) != len(names):
        raise UploadRejected("docx_malformed")
    if any(info.flag_bits & 0x1 for info in infos):
        raise UploadRejected("docx_encrypted")
    if any(info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) for info in infos):
        raise UploadRejected("docx_malformed")
    if sum(info.file_size for info in infos) > MAX_UNCOMPRESSED:
        raise UploadRejected("zip_bomb")
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_MIN_SIZE and ratio > MAX_RATIO:
            raise UploadRejected("zip_bomb")
    if any(_MACRO.search(n) for n in names):
        raise UploadRejected("docx_macro")


def _check_encoding(head: bytes, *, parsed: bool) -> None:
    # Another declared encoding (UTF-7, EBCDIC, ...) could hide the markers searched for.
    declared = _XML_ENCODING.match(head)
    encoding = declared.group(1).lower() if declared else None
    if encoding is not None and encoding not in _UTF_ENCODINGS:
        raise UploadRejected("docx_malformed")
    # Word writes the parts we parse in UTF-8, so the byte searches below see them as text.
    if parsed and (
        head.startswith((b"\xff\xfe", b"\xfe\xff"))
        or b"\x00" in head[:4]
        or encoding not in (None, b"utf-8", b"utf8")
    ):
        raise UploadRejected("docx_malformed")


def _scan_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int]) -> bytes | None:
    """Read one part in chunks, refuse declarations; return it if it is XML we parse later."""
    keep = info.filename == "[Content_Types].xml" or info.filename.endswith(".rels")
    keep = keep or (info.filename.startswith("word/") and info.filename.endswith(".xml"))
    kept, tail, first = [], b"", True
    with zf.open(info) as fh:
        while chunk := fh.read(_CHUNK):
            # zipfile stops at the declared size; the budget guards the total anyway.
            budget[0] -= len(chunk)
            if budget[0] < 0:
                raise UploadRejected("zip_bomb")
            window = tail + chunk
            if any(marker in window for marker in _FORBIDDEN):
                raise UploadRejected("docx_entities")
            if first:
                _check_encoding(chunk[:200], parsed=keep)
                first = False
            tail = window[-_OVERLAP:]
            if keep:
                kept.append(chunk)
    return b"".join(kept) if keep else None


def _parse(blob: bytes) -> ElementTree.Element:
    # Safe only because _scan_part refused every DOCTYPE/ENTITY declaration beforehand.
    return ElementTree.fromstring(blob)  # noqa: S314


def _check_content_types(root: ElementTree.Element) -> None:
    types = [el.get("ContentType", "") for el in root]
    if any(_MACRO.search(t) for t in types):
        raise UploadRejected("docx_macro")
    if MAIN_TYPE not in types:
        raise UploadRejected("docx_malformed")


def _check_relationships(root: ElementTree.Element) -> None:
    for rel in root:
        external = rel.get("TargetMode", "").strip().lower() == "external"
        # A hyperlink is followed only when someone clicks it, and staff documents carry
        # them (mail addresses, the city's pages); everything else external (templates,
        # images, OLE links, frames) is fetched as the file opens.
        if external and not rel.get("Type", "").endswith("/hyperlink"):
            raise UploadRejected("docx_external")
        # An altChunk imports HTML/MHT when the document opens, remote images included.
        if rel.get("Type", "").endswith("/aFChunk"):
            raise UploadRejected("docx_external")
        if _MACRO.search(rel.get("Type", "")):
            raise UploadRejected("docx_macro")


def _check_fields(root: ElementTree.Element) -> None:
    # A field code may be split over several runs: join the pieces before searching.
    code = "".join(el.text or "" for el in root.iter(f"{_W}instrText"))
    code += " " + " ".join(el.get(f"{_W}instr", "") for el in root.iter(f"{_W}fldSimple"))
    if _FIELD_DDE.search(code):
        raise UploadRejected(
            "docx_macro",
            "開くとプログラムを実行するフィールド（DDE）を含む Word ファイルは受け付けていません。"
            "フィールドを削除してから保存し直してください。",
        )
    if _FIELD_EXTERNAL.search(code):
        raise UploadRejected("docx_external")


def check_docx(data: bytes) -> None:
    """Refuse macros, external references, declarations, bombs and malformed zips."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            _check_directory(infos)
            budget = [MAX_UNCOMPRESSED]
            parts = {info.filename: _scan_part(zf, info, budget) for info in infos}
    except _ZIP_ERRORS as exc:
        raise UploadRejected("docx_malformed") from exc
    try:
        content_types = parts.get("[Content_Types].xml")
        if content_types is None or parts.get("word/document.xml") is None:
            raise UploadRejected("docx_malformed")
        _check_content_types(_parse(content_types))
        for name, blob in parts.items():
            if blob is not None and name.endswith(".rels"):
                _check_relationships(_parse(blob))
        for name, blob in parts.items():
            if name.startswith("word/") and blob and (b"instrText" in blob or b"fldSimple" in blob):
                _check_fields(_parse(blob))
    except ElementTree.ParseError as exc:
        raise UploadRejected("docx_malformed") from exc
