"""Reading printouts as a person would: PDF text with poppler, Word text with python-docx."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile

from docx import Document

from helpers import unavailable


def pdf_text(data: bytes, *, password: str | None = None) -> str:
    """The text pdftotext reads (layout kept), every page separated by a form feed."""
    if shutil.which("pdftotext") is None:
        unavailable("poppler", "pdftotext is not installed (Debian: poppler-utils)")
    command = ["pdftotext", "-layout", "-enc", "UTF-8"]
    if password:
        command += ["-upw", password]
    with tempfile.NamedTemporaryFile(suffix=".pdf") as source:
        source.write(data)
        source.flush()
        done = subprocess.run(
            [*command, source.name, "-"], capture_output=True, check=True, timeout=60
        )
    return done.stdout.decode()


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def markers_in(text: str, city, owner: str | None = None) -> set[tuple[str, str]]:
    """(owner, category) of every marker of the city found in the text."""
    return {
        (m.owner, m.category)
        for m in city.markers
        if (owner is None or m.owner == owner) and any(t in text for t in m.texts)
    }
