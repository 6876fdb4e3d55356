"""Stamp an attached page: the packet's header, footer and "n / N", upright, in its margins.

The stamp of a page size is a page of the packet's own fpdf2 file laid out at that displayed
size (so the marking sits at the top and bottom edges whatever the size); here it becomes a
form XObject shared by every attached page of that size. The page's own content is wrapped in
``q … Q``, then the form is drawn, then the page's number from a small stream of its own. This
is what pypdf's ``merge_page`` does, without decoding and re-compressing the page's content:
the cost of a stamp does not grow with the page. The forms, the numbers and the font are
written after the layout; the page refers to them ahead (``StampRefs``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pypdf import PageObject
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    PdfObject,
    RectangleObject,
    StreamObject,
)

from hub.documents.render.pdf import number_baseline

from .pdfout import Copier, PdfOut

FORM_NAME = "/TsunaguStamp"
FONT_NAME = "/TsunaguFont"
PT_TO_MM = 25.4 / 72


@dataclass
class StampRefs:
    """Objects every stamped page refers to, numbered now and written after the layout."""

    out: PdfOut
    forms: dict[tuple[float, float], IndirectObject] = field(default_factory=dict)
    _font: IndirectObject | None = None

    @property
    def font(self) -> IndirectObject:
        if self._font is None:
            self._font = self.out.allocate()
        return self._font

    def form(self, size: tuple[float, float]) -> IndirectObject:
        if size not in self.forms:
            self.forms[size] = self.out.allocate()
        return self.forms[size]


@dataclass(frozen=True)
class Numbered:
    """What the page number of a stamped page needs: where, in which name of the font."""

    ref: IndirectObject
    size: tuple[float, float]
    matrix: str
    font: str


def displayed_size(page: PageObject) -> tuple[float, float]:
    """Width and height (pt) of the page as a reader sees it: crop box, after /Rotate."""
    box = page.cropbox
    width, height = round(float(box.width), 2), round(float(box.height), 2)
    return (height, width) if _rotation(page) in (90, 270) else (width, height)


def _rotation(page: PageObject) -> int:
    rotation = int(page.rotation or 0) % 360
    return rotation if rotation in (0, 90, 180, 270) else 0


def _matrix(page: PageObject) -> tuple[float, ...]:
    """Map the upright stamp (displayed coordinates) into the page's user space."""
    box = page.cropbox
    x0, y0 = float(box.left), float(box.bottom)
    w, h = float(box.width), float(box.height)
    return {
        0: (1, 0, 0, 1, x0, y0),
        90: (0, 1, -1, 0, x0 + w, y0),
        180: (-1, 0, 0, -1, x0 + w, y0 + h),
        270: (0, -1, 1, 0, x0, y0 + h),
    }[_rotation(page)]


def apply(
    out: PdfOut, refs: StampRefs, copier: Copier, page: DictionaryObject, source: PageObject
) -> Numbered:
    """Stamp ``page``, the copy of ``source`` about to be written; say where its number goes.

    The page gets resource dictionaries of its own (copied from the source's, which other
    pages may share), so naming the stamp and the font in them changes no other page.
    """
    size = displayed_size(source)
    original_resources = _resolved(source.get("/Resources"))
    resources = _own(copier, original_resources)
    form = _name(copier, original_resources, resources, "/XObject", FORM_NAME, refs.form(size))
    font = _name(copier, original_resources, resources, "/Font", FONT_NAME, refs.font)
    page[NameObject("/Resources")] = resources
    matrix = " ".join(_number(v) for v in _matrix(source))
    number = out.allocate()
    draw = out.shared_stream(f"\nQ\nq {matrix} cm {form} Do Q\n".encode())
    original = source.get("/Contents")
    resolved = original.get_object() if original is not None else None
    if resolved is None:
        parts = []
    elif isinstance(resolved, ArrayObject):  # a stream or an array of streams
        parts = [copier.copy(part) for part in resolved]
    else:
        parts = [copier.copy(original)]
    # The page's own content may leave the graphics state changed (a scale, a clip): wrap
    # it, so the stamp is drawn in the page's plain coordinates.
    page[NameObject("/Contents")] = ArrayObject([out.shared_stream(b"q\n"), *parts, draw, number])
    return Numbered(number, size, matrix, font)


def _name(
    copier: Copier,
    original: DictionaryObject,
    resources: DictionaryObject,
    kind: str,
    name: str,
    ref: IndirectObject,
) -> str:
    """Put ``ref`` in the page's ``kind`` resources (copied from ``original``'s) under a name
    the page does not use; return the name."""
    entries = _own(copier, original.get(kind))
    while name in entries:
        name += "X"
    entries[NameObject(name)] = ref
    resources[NameObject(kind)] = entries
    return name


def number_stream(numbered: Numbered, operand: str, width: float, font_size: float) -> bytes:
    """Draw "n / N" centred in the footer, in displayed coordinates mapped to the page."""
    page_width, page_height = numbered.size
    x = (page_width - width) / 2
    y = page_height - number_baseline(page_height * PT_TO_MM) / PT_TO_MM
    return (
        f"q {numbered.matrix} cm BT {numbered.font} {_number(font_size)} Tf 0 g "
        f"{x:.2f} {y:.2f} Td {operand} Tj ET Q\n"
    ).encode("latin-1")


def write_form(out: PdfOut, stamps: Copier, stamp_page: PageObject, ref: IndirectObject) -> None:
    """Write a stamp page of the packet's own file as the form XObject ``ref``."""
    contents = stamp_page.get("/Contents")
    form = stamps.copy(contents.get_object()) if contents is not None else StreamObject()
    assert isinstance(form, StreamObject)
    width, height = float(stamp_page.mediabox.width), float(stamp_page.mediabox.height)
    form[NameObject("/Type")] = NameObject("/XObject")
    form[NameObject("/Subtype")] = NameObject("/Form")
    form[NameObject("/BBox")] = RectangleObject((0, 0, width, height))
    form[NameObject("/Resources")] = stamps.copy(stamp_page["/Resources"])
    out.write(ref, form)


def _resolved(obj: PdfObject | None) -> DictionaryObject:
    resolved = obj.get_object() if obj is not None else None
    return resolved if isinstance(resolved, DictionaryObject) else DictionaryObject()


def _own(copier: Copier, obj: PdfObject | None) -> DictionaryObject:
    copied = copier.copy(_resolved(obj))
    assert isinstance(copied, DictionaryObject)
    return copied


def _number(value: float) -> str:
    return str(FloatObject(value)) if value != int(value) else str(int(value))
