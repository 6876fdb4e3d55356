"""Reading produced files back the way a person would: text, page numbers, images."""

from __future__ import annotations

import io
import os
import re
import subprocess
import uuid
from pathlib import Path

import docx
import pytest
from PIL import Image, ImageChops, ImageStat

REFERENCE = Path(__file__).parent / "reference"
#: Reference images are pages rendered at this resolution, in grey, then shrunk to WIDTH.
REFERENCE_DPI = 50
REFERENCE_WIDTH = 200
#: Mean absolute difference (0–255) above which a page no longer looks like its reference.
#: The same page re-rendered scores 0; the hearing sheet moved down by one small line scores
#: ≈ 27 (test_reference_comparison_notices_a_moved_block); anti-aliasing differences between
#: poppler versions stay well below 1 at this size.
TOLERANCE = 2.0


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def has_row(lines: list[str], *cells: str) -> bool:
    """True when one line of a layout text holds all ``cells`` (a table row)."""
    return any(all(squeeze(cell) in squeeze(line) for cell in cells) for line in lines)


def page_number(page: str) -> tuple[int, int] | None:
    """The "n / N" of a page's footer (pdftotext may drop the spaces around the slash)."""
    found = re.findall(r"(?<![\d/])(\d+)\s*/\s*(\d+)(?![\d/])", page)
    return (int(found[-1][0]), int(found[-1][1])) if found else None


def docx_text(content: bytes) -> str:
    """Every paragraph, table cell, header and footer of a DOCX, as python-docx reads it."""
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    for section in document.sections:
        parts.extend(p.text for p in section.header.paragraphs)
        parts.extend(p.text for p in section.footer.paragraphs)
    return "\n".join(parts)


def page_image(pdf: bytes, workdir: Path, page: int = 1) -> Image.Image:
    """Page ``page`` rendered by poppler in grey, shrunk to the reference width."""
    stem = workdir / uuid.uuid4().hex
    source = stem.with_suffix(".pdf")
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-gray", "-r", str(REFERENCE_DPI), "-f", str(page), "-l", str(page),
         "-singlefile", str(source), str(stem)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    with Image.open(stem.with_suffix(".pgm")) as image:
        height = round(image.height * REFERENCE_WIDTH / image.width)
        return image.convert("L").resize((REFERENCE_WIDTH, height), Image.Resampling.BOX)


def difference(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference of two grey images of the same size."""
    assert a.size == b.size, (a.size, b.size)
    return ImageStat.Stat(ImageChops.difference(a, b)).mean[0]


def matches_reference(image: Image.Image, name: str) -> float:
    """The difference from ``reference/<name>.png``; TSUNAGU_UPDATE_REFERENCE=1 rewrites it."""
    path = REFERENCE / f"{name}.png"
    if os.environ.get("TSUNAGU_UPDATE_REFERENCE") == "1":
        REFERENCE.mkdir(exist_ok=True)
        image.save(path, optimize=True)
    if not path.exists():
        pytest.fail(f"no reference image {path.name}: look at the page, then run the test "
                    "with TSUNAGU_UPDATE_REFERENCE=1")  # fmt: skip
    with Image.open(path) as reference:
        return difference(image, reference.convert("L"))
