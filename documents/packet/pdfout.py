"""A PDF writer that streams: each object goes to the output as soon as it is copied.

pypdf's ``PdfWriter`` keeps every object of every merged file in memory until ``write``; a
packet with hundreds of scanned pages would hold them all. Here pages are copied one at a time
from their source file (``Copier``) and written at once; only object numbers and byte offsets
are kept for the cross-reference table. Objects may be written in any order (a page may refer
to a stamp written later); the page tree written last gives the pages their order. pypdf
still parses the sources and serialises each object, so the syntax is pypdf's. Encryption
(AES-256) is applied object by object with pypdf's own implementation (``encrypt.py``).
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Iterable
from typing import BinaryIO

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    PdfObject,
    StreamObject,
)

from .encrypt import Encryptor


class PdfOut:
    """Numbered objects written to ``out`` in order, then the page tree, catalog and xref."""

    def __init__(self, out: BinaryIO, *, password: str | None = None) -> None:
        self._out = out
        self._pos = 0
        self._offsets: dict[int, int] = {}
        self._count = 0
        self.file_id = secrets.token_bytes(16)
        self.encryptor = Encryptor(password, self.file_id) if password else None
        # The binary comment tells transfer programs the file is binary (PDF 32000 7.5.2).
        self._write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        self.pages_ref = self.allocate()
        self._shared: dict[bytes, IndirectObject] = {}

    def _write(self, data: bytes) -> None:
        self._out.write(data)
        self._pos += len(data)

    def allocate(self) -> IndirectObject:
        """Reserve the next object number (written later with ``write``)."""
        self._count += 1
        return IndirectObject(self._count, 0, None)

    def write(self, ref: IndirectObject, obj: PdfObject) -> None:
        if self.encryptor is not None:
            obj = self.encryptor.encrypt(obj, ref.idnum)
        buffer = io.BytesIO()
        obj.write_to_stream(buffer)
        self._offsets[ref.idnum] = self._pos
        self._write(b"%d 0 obj\n" % ref.idnum + buffer.getvalue() + b"\nendobj\n")

    def add(self, obj: PdfObject) -> IndirectObject:
        ref = self.allocate()
        self.write(ref, obj)
        return ref

    def shared_stream(self, data: bytes) -> IndirectObject:
        """A small content stream written once and referenced by every page that uses it."""
        ref = self._shared.get(data)
        if ref is None:
            stream = StreamObject()
            stream.set_data(data)
            ref = self._shared[data] = self.add(stream)
        return ref

    def write_page(self, ref: IndirectObject, page: DictionaryObject) -> None:
        """Write a page; its place in the document is given to ``close``."""
        page[NameObject("/Parent")] = self.pages_ref
        page[NameObject("/Type")] = NameObject("/Page")
        self.write(ref, page)

    def close(
        self, pages: list[IndirectObject], catalog: DictionaryObject, info: DictionaryObject
    ) -> None:
        """Write the page tree (``pages`` in order), catalog, info, encryption, xref, trailer."""
        tree = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Pages"),
                NameObject("/Kids"): ArrayObject(pages),
                NameObject("/Count"): NumberObject(len(pages)),
            }
        )
        self.write(self.pages_ref, tree)
        catalog[NameObject("/Type")] = NameObject("/Catalog")
        catalog[NameObject("/Pages")] = self.pages_ref
        root = self.add(catalog)
        info_ref = self.add(info)
        trailer = DictionaryObject(
            {
                NameObject("/Root"): root,
                NameObject("/Info"): info_ref,
                NameObject("/ID"): ArrayObject(
                    [ByteStringObject(self.file_id), ByteStringObject(self.file_id)]
                ),
            }
        )
        if self.encryptor is not None:
            ref = self.allocate()
            entry = self.encryptor.entry  # the /Encrypt dictionary itself is not encrypted
            buffer = io.BytesIO()
            entry.write_to_stream(buffer)
            self._offsets[ref.idnum] = self._pos
            self._write(b"%d 0 obj\n" % ref.idnum + buffer.getvalue() + b"\nendobj\n")
            trailer[NameObject("/Encrypt")] = ref
        self._xref(trailer)

    def _xref(self, trailer: DictionaryObject) -> None:
        start = self._pos
        size = self._count + 1
        lines = [b"xref\n0 %d\n0000000000 65535 f \n" % size]
        for number in range(1, size):
            offset = self._offsets.get(number)
            # A number reserved but never written (a page that failed) is a free entry.
            lines.append(b"%010d 00000 n \n" % offset if offset is not None else _FREE)
        trailer[NameObject("/Size")] = NumberObject(size)
        buffer = io.BytesIO()
        trailer.write_to_stream(buffer)
        self._write(b"".join(lines) + b"trailer\n" + buffer.getvalue())
        self._write(b"\nstartxref\n%d\n%%%%EOF\n" % start)


_FREE = b"0000000000 65535 f \n"


class Copier:
    """Copies objects of one source file into a ``PdfOut``, each object once.

    Objects are numbered when first referenced and written when the page that needs them is
    flushed, so a font shared by every page of a source is written once. Page objects the
    source refers to (links, annotations' /P) map to the new pages, never to copies.
    """

    def __init__(self, out: PdfOut, reader: PdfReader) -> None:
        self.out = out
        self.reader = reader
        self._numbers: dict[tuple[int, int], IndirectObject] = {}
        self._pending: list[tuple[IndirectObject, IndirectObject]] = []

    def reserve_page(self, source: IndirectObject | None) -> IndirectObject:
        """Number a source page in advance: references to it become references to the copy."""
        assert source is not None  # a page read from a file has its object number
        ref = self.out.allocate()
        self._numbers[(source.idnum, source.generation)] = ref
        return ref

    def assign(self, source: IndirectObject, target: IndirectObject) -> None:
        """Copy ``source`` as the object ``target`` (numbered earlier, already referred to)."""
        self._numbers[(source.idnum, source.generation)] = target
        self._pending.append((source, target))

    def copy(self, obj: PdfObject | None) -> PdfObject:
        """A copy of a direct object whose indirect references point into the output (a
        reference to a missing object is PDF null)."""
        if obj is None:
            return NullObject()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            ref = self._numbers.get(key)
            if ref is None:
                ref = self._numbers[key] = self.out.allocate()
                self._pending.append((obj, ref))
            return ref
        if isinstance(obj, StreamObject):
            stream = StreamObject()
            stream.set_data(obj._data)  # still encoded: copied as it is, never recompressed
            stream.update({k: self.copy(v) for k, v in obj.items() if k != "/Length"})
            return stream
        if isinstance(obj, DictionaryObject):
            return DictionaryObject({k: self.copy(v) for k, v in obj.items()})
        if isinstance(obj, ArrayObject):
            return ArrayObject(self.copy(v) for v in obj)
        return obj

    def copy_all(self, items: Iterable[tuple[str, PdfObject]]) -> DictionaryObject:
        return DictionaryObject({NameObject(k): self.copy(v) for k, v in items})

    def flush(self) -> None:
        """Write every object referenced so far (and what those reference, transitively)."""
        while self._pending:
            source, ref = self._pending.pop()
            self.out.write(ref, self.copy(source.get_object()))
        # The parsed objects are written: let them go (the reader re-reads if asked again).
        self.reader.resolved_objects.clear()
