"""Merge the attached PDFs into the output, each read once, page by page.

Attachments are copied first, before the packet's own pages are laid out: only once they are
in does the packet know which ones could be attached and how many pages each has, which its
contents, its list of attachments and every "n / N" print. Each attached page is written at
once with a reference to its stamp (a form XObject written later, when the stamps are laid
out). An attachment that cannot be opened is listed as 「添付できませんでした」; one that
fails halfway leaves its pages out of the page tree (the objects already written stay in the
file, unreferenced) and is listed the same way. Each page is stamped (stamp.py). Only one
attachment is open at a time, and its parsed objects are dropped page by page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from pypdf import PdfReader
from pypdf.generic import IndirectObject

from . import stamp
from .contract import Attachment
from .pdfout import Copier, PdfOut

log = logging.getLogger(__name__)

UNREADABLE = "PDFとして読み取れません"
BROKEN = "途中から読み取れません"
ENCRYPTED = "パスワードで保護されています"
EMPTY = "ページがありません"
UNAVAILABLE = "ファイルを開けません"
#: Page entries not copied: the page tree is new, and structure/thread data has no target.
SKIPPED = frozenset({"/Parent", "/StructParents", "/B", "/PieceInfo"})


@dataclass
class Merged:
    """An attachment as merged: its pages in the output, or why it is not there."""

    attachment: Attachment
    #: Displayed size (pt) of each page; empty when it could not be attached.
    sizes: list[tuple[float, float]] = field(default_factory=list)
    pages: list[IndirectObject] = field(default_factory=list)
    #: Where each page's number goes (written after the layout, when N is known).
    numbers: list[stamp.Numbered] = field(default_factory=list)
    error: str = ""


@contextmanager
def opened(attachment: Attachment) -> Iterator[BinaryIO]:
    """The attachment's bytes as a stream, closed afterwards."""
    source = attachment.source
    if isinstance(source, Path | str):
        with open(source, "rb") as opened:
            yield opened
        return
    stream = source()
    try:
        yield stream
    finally:
        stream.close()


def count(attachment: Attachment) -> int:
    """The attachment's page count: its ``pages`` hint, or counted (0 if it cannot be read)."""
    if attachment.pages is not None:
        return attachment.pages
    try:
        with opened(attachment) as stream:
            reader = PdfReader(stream, strict=False)
            return 0 if reader.is_encrypted else len(reader.pages)
    except Exception:  # reported with the reason when it is merged
        return 0


def merge(
    out: PdfOut, refs: stamp.StampRefs, attachment: Attachment, tick: Callable[[], None]
) -> Merged:
    """Copy every page of ``attachment`` into ``out``; on failure say why, in Japanese."""
    merged = Merged(attachment)
    try:
        with opened(attachment) as stream:
            reader = PdfReader(stream, strict=False)
            if reader.is_encrypted:
                merged.error = ENCRYPTED
                return merged
            sources = list(reader.pages)
            merged.error = UNREADABLE  # until every page is in
            copier = Copier(out, reader)
            pages = [copier.reserve_page(page.indirect_reference) for page in sources]
            for source, ref in zip(sources, pages, strict=True):
                page = copier.copy_all((k, v) for k, v in source.items() if k not in SKIPPED)
                numbered = stamp.apply(out, refs, copier, page, source)
                out.write_page(ref, page)
                copier.flush()
                merged.sizes.append(numbered.size)
                merged.pages.append(ref)
                merged.numbers.append(numbered)
                tick()
            merged.error = "" if sources else EMPTY
    except OSError as exc:
        log.warning("attachment could not be read: %s", type(exc).__name__)
        merged.error = UNAVAILABLE if not merged.pages else BROKEN
    # pypdf reports a damaged file with many exception types (PdfReadError, ValueError,
    # KeyError, zlib.error, RecursionError …) depending on where the damage is. Whatever it
    # is, this one attachment is left out and listed, the reason logged by type only (names
    # of uploads may hold personal data), and the packet goes on.
    except Exception as exc:
        log.warning("attachment is not a readable PDF: %s", type(exc).__name__)
        merged.error = BROKEN if merged.pages else UNREADABLE
    if merged.error:
        merged.sizes, merged.pages, merged.numbers = [], [], []
    return merged
