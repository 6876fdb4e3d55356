"""Fonts for rendered documents.

PDF: Noto Sans JP from the ``pylopdf-fonts-jp`` wheel, so a fresh machine renders Japanese with
pip alone, embedded as a subset by fpdf2. It covers what residents' names need (𠮷 髙 﨑,
half-width ｶﾅ), unlike IPAex or reportlab's non-embedded CID fonts (see STACK.md). One family
for the whole document keeps files small and parsing cheap; sans also reads better than a thin
明朝 in small table cells and on faxed copies.

Word: a DOCX does not carry fonts; it names fonts the reader's PC has. See ``WORD_*`` below.
"""

from __future__ import annotations

import copy
import logging
from functools import lru_cache
from pathlib import Path

import pylopdf_fonts_jp
from fontTools import ttLib
from fpdf import FPDF
from fpdf.enums import TextEmphasis
from fpdf.fonts import SubsetMap, TTFFont

log = logging.getLogger(__name__)

#: The family name registered in every PDF. The wheel ships the Regular weight only; a document
#: that asks for "B" (fpdf2 tables do by default) gets the same face (see pdf._Pages.set_font).
PDF_FAMILY = "notosansjp"

#: Word body font: ＭＳ 明朝 is on every Windows PC a city uses (LGWAN terminals and older
#: LTSC images included), is the customary font of 公用文 forms, and keeps Word's line pitch
#: stable. 游明朝, Word's default since 2016, widens the line spacing of a Japanese paragraph in
#: Word (its ascent and descent are large), which breaks a one-page form.
WORD_BODY_FONT = "ＭＳ 明朝"
#: Titles, headings and table headings.
WORD_HEADING_FONT = "ＭＳ ゴシック"


def sans_path() -> Path:
    return Path(pylopdf_fonts_jp.sans_path())


def serif_path() -> Path:
    return Path(pylopdf_fonts_jp.serif_path())


@lru_cache(maxsize=4)
def _parsed(path: Path) -> TTFFont:
    """Parse a font once per process: its character map and widths (~0.1–0.4 s for Noto).

    fpdf2 parses a font again for every document that adds it, and that parsing is most of the
    time of a short document. The parsed maps are read-only after parsing, so every document
    can share them.
    """
    scratch = FPDF()
    scratch.add_font("parsed", "", path)
    parsed = scratch.fonts["parsed"]
    assert isinstance(parsed, TTFFont)
    parsed.ttfont.close()  # each document opens its own (see _clone); keep no file handle
    return parsed


def _clone(parsed: TTFFont, pdf: FPDF, fontkey: str, style: str) -> TTFFont:
    """A per-document font object that shares the parsed maps of ``parsed``.

    This reaches into fpdf2's ``TTFFont``: what a document changes (used-glyph subset, missing
    glyphs, width cache, the font descriptor object) is fresh, and so is ``ttfont`` because
    fpdf2 subsets that fontTools object in place when it writes the file. Opening it is lazy
    and cheap; only the subsetting reads the outlines it needs.
    """
    font = copy.copy(parsed)
    font.i = len(pdf.fonts) + 1
    font.fontkey = fontkey
    font.emphasis = TextEmphasis.coerce(style)
    cid_cff = bool(parsed.is_cff and parsed.is_cid_keyed)
    font.ttfont = (_CffOnlyTTFont if cid_cff else ttLib.TTFont)(
        parsed.ttffile,
        recalcTimestamp=False,
        # Keep the whole font's bounding box instead of measuring every subset glyph (fpdf2
        # compiles the CFF table twice): a larger box is valid, and this halves writing time.
        recalcBBoxes=False,
        fontNumber=parsed.collection_font_number,
        lazy=True,
    )
    if cid_cff and Path(parsed.ttffile) == sans_path():
        # fontTools' glyph closure runs every used charstring looking for seac accents
        # (Type 1 style composites). Noto Sans JP of the pinned wheel has none (checked over
        # all 17,936 glyphs), so the walk finds nothing: skip it (≈15% of writing time).
        font.ttfont["CFF "].closure_glyphs = _no_components
    font.cw = copy.copy(parsed.cw)  # a defaultdict: lookups of unknown characters insert
    font.desc = copy.copy(parsed.desc)  # a PDF object: writing the file gives it an id and streams
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font._hbfont = None
    font.subset = SubsetMap(font)
    return font


class _CffOnlyTTFont(ttLib.TTFont):
    """A font fpdf2 embeds as its bare CFF table (CID-keyed CFF, as Noto Sans JP).

    fpdf2 saves the whole subset OpenType file first and then, for this kind of font, throws
    it away and compiles the CFF table alone for the PDF. The first save compiles the CFF
    table too (≈15% of writing time); here it writes nothing. The font-cache test compares
    the output with fpdf2's own loading, so a change in fpdf2 shows there.
    """

    #: The tables the subsetter needs besides the CFF table itself (glyph order, counts).
    KEPT = frozenset({"CFF ", "head", "hhea", "maxp", "post", "GlyphOrder"})

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only the CFF table reaches the PDF; subsetting the others (cmap, hmtx, vmtx, the
        # layout tables) is work for nothing, a third of the subsetting time.
        for tag in [tag for tag in self.reader.keys() if tag not in self.KEPT]:
            del self[tag]

    def save(self, file, reorderTables=True) -> None:
        return None


def _no_components(subsetter) -> None:
    return None


def add_pdf_font(
    pdf: FPDF, style: str = "", *, family: str = PDF_FAMILY, path: Path | None = None
) -> None:
    """Register Noto Sans JP (or ``path``) as ``family`` in ``style``, parsed once per process.

    Register only the styles a document uses: fpdf2 subsets and embeds every registered font,
    used or not (~0.25 s each). Falls back to fpdf2's own ``add_font`` if its internals ever
    change shape: slower, same PDF.
    """
    path = path or sans_path()
    fontkey = f"{family.lower()}{style}"
    try:
        font = _clone(_parsed(path), pdf, fontkey, style)
    except (AttributeError, TypeError) as exc:  # an fpdf2 upgrade moved something
        log.warning("font cache unavailable, parsing the font per document: %s", exc)
        pdf.add_font(family, style, path)
        return
    pdf.fonts[fontkey] = font
    if font.is_cff and font.is_cid_keyed:
        pdf._set_min_pdf_version("1.6")  # as fpdf2's add_font does for CID-keyed CFF
