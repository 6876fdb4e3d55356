"""PDF bookmarks (the outline) from the contents entries: one per section, part and attachment."""

from __future__ import annotations

from collections.abc import Sequence

from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    TextStringObject,
)

from .layout import Entry
from .pdfout import PdfOut


def write_outline(
    out: PdfOut, entries: Sequence[Entry], pages: Sequence[IndirectObject]
) -> IndirectObject:
    """Write the outline items and return the outline root (for the catalog's /Outlines)."""
    root = out.allocate()
    first, last, count = _items(out, entries, root, pages)
    out.write(
        root,
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Outlines"),
                NameObject("/First"): first,
                NameObject("/Last"): last,
                NameObject("/Count"): NumberObject(count),
            }
        ),
    )
    return root


def _items(
    out: PdfOut,
    entries: Sequence[Entry],
    parent: IndirectObject,
    pages: Sequence[IndirectObject],
) -> tuple[IndirectObject, IndirectObject, int]:
    refs = [out.allocate() for _ in entries]
    visible = len(entries)
    for n, (entry, ref) in enumerate(zip(entries, refs, strict=True)):
        page = pages[entry.page]
        item = DictionaryObject(
            {
                NameObject("/Title"): TextStringObject(entry.title),
                NameObject("/Parent"): parent,
                # Top of the page, at the reader's zoom.
                NameObject("/Dest"): ArrayObject(
                    [page, NameObject("/XYZ"), NullObject(), NullObject(), NullObject()]
                ),
            }
        )
        if n:
            item[NameObject("/Prev")] = refs[n - 1]
        if n < len(entries) - 1:
            item[NameObject("/Next")] = refs[n + 1]
        if entry.children:
            first, last, count = _items(out, entry.children, ref, pages)
            item[NameObject("/First")] = first
            item[NameObject("/Last")] = last
            item[NameObject("/Count")] = NumberObject(count)  # open: children shown
            visible += count
        out.write(ref, item)
    return refs[0], refs[-1], visible
