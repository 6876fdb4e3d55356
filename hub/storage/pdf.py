"""PDF checks with pypdf: refuse encrypted, unparsable and active (scripted) PDFs.

Every object reachable from the trailer is visited, not only the catalog: scripts hide in
annotations, form fields, outlines and name trees alike. pypdf decodes ``#xx`` escapes in
names, so ``/J#61vaScript`` is seen as ``/JavaScript``.
"""

from __future__ import annotations

import io

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, PdfObject

from hub.storage.errors import UploadRejected

#: Far above any honest 20 MB PDF; bounds the time spent on a hostile one.
MAX_OBJECTS = 200_000
#: Keys that only exist to run something, embed files or fetch content.
_ACTIVE_KEYS = frozenset(
    {
        "/JS",
        "/JavaScript",
        "/AA",
        "/Launch",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/EF",
        "/RichMedia",
        "/RichMediaContent",
        "/XFA",
    }
)
#: Action types (/S) and annotation or object types (/Subtype, /Type) refused.
_ACTIVE_TYPES = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/GoToE",
        "/ImportData",
        "/Rendition",
        "/RichMediaExecute",
        "/RichMedia",
        "/EmbeddedFile",
        "/FileAttachment",
        "/Screen",
        "/Movie",
        "/3D",
    }
)
_TYPE_KEYS = ("/S", "/Subtype", "/Type")


def _resolve(obj: PdfObject | None) -> PdfObject | None:
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


def _active_in(obj: DictionaryObject) -> str | None:
    for key in obj:
        if key in _ACTIVE_KEYS:
            return key
    for key in _TYPE_KEYS:
        if key in obj and _resolve(obj[key]) in _ACTIVE_TYPES:
            return f"{key} {_resolve(obj[key])}"
    # Opening at a page is common and harmless; any other action on opening is not.
    action = _resolve(obj.get("/OpenAction")) if "/OpenAction" in obj else None
    if isinstance(action, DictionaryObject) and _resolve(action.get("/S")) != "/GoTo":
        return "/OpenAction"
    return None


def find_active_content(reader: PdfReader) -> str | None:
    """Return the first key that makes the PDF active, walking every reachable object."""
    stack: list[PdfObject | None] = [reader.trailer]
    seen: set[tuple[int, int]] = set()
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            if (obj.idnum, obj.generation) in seen:
                continue
            seen.add((obj.idnum, obj.generation))
            if len(seen) > MAX_OBJECTS:
                raise UploadRejected("pdf_malformed")
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):  # streams too: their dictionary is checked
            found = _active_in(obj)
            if found:
                return found
            # dict.values() keeps references unresolved, so the seen set bounds the walk.
            stack.extend(dict.values(obj))
        elif isinstance(obj, ArrayObject):
            stack.extend(list.__iter__(obj))
    return None


def check_pdf(data: bytes) -> None:
    """Refuse encrypted, malformed and active PDFs."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
        pages = 0 if encrypted else len(reader.pages)
        active = None if encrypted else find_active_content(reader)
    except UploadRejected:
        raise
    except Exception as exc:
        # pypdf answers hostile input with many exception types (its own, KeyError,
        # RecursionError, ...). Whatever it is, the file cannot be vouched for: refuse it.
        raise UploadRejected("pdf_malformed") from exc
    if encrypted:
        raise UploadRejected("pdf_encrypted")
    if pages == 0:
        raise UploadRejected("pdf_malformed")
    if active:
        raise UploadRejected("pdf_active_content")
