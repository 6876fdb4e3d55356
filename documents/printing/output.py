"""A printout as the routes and the API hand it out: a file name, a type and the bytes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Response

from hub.errors import InvalidInput
from hub.storage import content_disposition

PDF, DOCX = "pdf", "docx"
MIMETYPES = {
    PDF: "application/pdf",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
FORMAT_ERROR = "形式は pdf または docx で指定してください。"


@dataclass(frozen=True)
class Printout:
    """A document ready to download; its name holds no personal data (case, number, date)."""

    filename: str
    mimetype: str
    data: bytes

    def response(self) -> Response:
        """The printout as a download, for a page and for the API alike."""
        answer = Response(self.data, mimetype=self.mimetype)
        answer.headers["Content-Disposition"] = content_disposition(self.filename)
        return answer


def parse_format(raw: Any) -> str:
    """``pdf`` (default) or ``docx``; anything else is a 400 in Japanese."""
    if raw in (None, ""):
        return PDF
    if raw not in MIMETYPES:
        raise InvalidInput(FORMAT_ERROR, code="invalid_format", fields={"format": FORMAT_ERROR})
    return raw


def render(
    fmt: str, stem: str, data: Any, pdf: Callable[[Any], bytes], docx: Callable[[Any], bytes]
) -> Printout:
    """Render ``data`` with the renderer of the format, named ``stem.pdf`` / ``stem.docx``."""
    body = pdf(data) if fmt == PDF else docx(data)
    return Printout(f"{stem}.{fmt}", MIMETYPES[fmt], body)
