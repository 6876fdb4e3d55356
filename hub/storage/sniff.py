"""Decide what a file is from its bytes, and run the checks for that type."""

from __future__ import annotations

from collections.abc import Callable

import filetype

from hub.storage.docx import check_docx
from hub.storage.errors import UploadRejected
from hub.storage.images import check_jpeg, check_png
from hub.storage.pdf import check_pdf

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#: Every type the hub stores; a caller may narrow it (e.g. signed scans: PDF and images).
ALLOWED_TYPES = frozenset({PDF, PNG, JPEG, DOCX})
#: The extension a stored name gets for each type; the first one is used when missing.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    PDF: (".pdf",),
    PNG: (".png",),
    JPEG: (".jpg", ".jpeg"),
    DOCX: (".docx",),
}
_LABELS = {PDF: "PDF", PNG: "PNG", JPEG: "JPEG", DOCX: "Word（.docx）"}
_CHECKS: dict[str, Callable[[bytes], None]] = {
    PDF: check_pdf,
    PNG: check_png,
    JPEG: check_jpeg,
    DOCX: check_docx,
}


def inspect(data: bytes, allowed: set[str] | frozenset[str] | None = None) -> str:
    """Return the sniffed content type of an acceptable file, or raise UploadRejected."""
    accepted = ALLOWED_TYPES if allowed is None else frozenset(allowed)
    if not accepted or not accepted <= ALLOWED_TYPES:
        raise ValueError(f"allowed must be a non-empty subset of {sorted(ALLOWED_TYPES)}")
    if not data:
        raise UploadRejected("empty_file")
    # By bytes only: the browser's Content-Type and the file name are the uploader's word.
    kind = filetype.guess_mime(data)
    if kind not in accepted:
        labels = "・".join(_LABELS[t] for t in (PDF, DOCX, PNG, JPEG) if t in accepted)
        raise UploadRejected("unsupported_type", allowed=labels)
    _CHECKS[kind](data)
    return kind
