"""How the documents look: page images against stored references, and the Word files as
LibreOffice lays them out (an independent program, close to what a city PC shows)."""

from __future__ import annotations

import dataclasses
import io
import shutil

import pytest

from helpers import unavailable
from hub.documents.packet.assemble import write_packet_pdf
from hub.documents.packet.word import write_packet_docx
from hub.documents.render.blocks import Note
from hub.documents.render.emit import render_pdf
from hub.documents.render.hearing_sheet import (
    content,
    render_hearing_sheet_docx,
    render_hearing_sheet_pdf,
)

from . import printed_samples as samples
from .checks import TOLERANCE, difference, matches_reference, page_image, page_number, squeeze
from .printed_samples import NAME


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    if not shutil.which("pdftoppm"):
        unavailable("poppler", "pdftoppm not found (apt-get install poppler-utils)")
    return tmp_path_factory.mktemp("images")


@pytest.fixture(scope="module")
def packet_pdf() -> bytes:
    attachment = samples.memory_attachment(samples.attachment_pdf(1, "ATTACHMENT-A"), "資料")
    out = io.BytesIO()
    write_packet_pdf(samples.packet(attachments=(attachment,)), out)
    return out.getvalue()


def test_hearing_sheet_page_one_looks_as_before(images):
    image = page_image(render_hearing_sheet_pdf(samples.hearing()), images)
    assert matches_reference(image, "hearing_sheet-1") < TOLERANCE


def test_packet_cover_looks_as_before(images, packet_pdf):
    assert matches_reference(page_image(packet_pdf, images), "packet_cover-1") < TOLERANCE


def test_stamped_attachment_page_looks_as_before(images, packet_pdf, poppler):
    last = len(poppler.pages(packet_pdf))
    image = page_image(packet_pdf, images, page=last)
    assert matches_reference(image, "packet_attachment") < TOLERANCE


def test_reference_comparison_notices_a_moved_block(images):
    """The tolerance is meaningful: one more line at the top moves the page and fails."""
    sheet = content(samples.hearing())
    moved = dataclasses.replace(sheet, blocks=(Note("　"), *sheet.blocks))
    before = page_image(render_pdf(sheet), images)
    after = page_image(render_pdf(moved), images)
    assert difference(before, before) == 0
    assert difference(before, after) > 2 * TOLERANCE


def test_libreoffice_lays_out_the_docx_packet_and_the_hearing_sheet(libreoffice, poppler):
    word = io.BytesIO()
    write_packet_docx(samples.packet(), word)
    converted = libreoffice.to_pdf(
        {"packet": word.getvalue(), "sheet": render_hearing_sheet_docx(samples.hearing())}
    )
    packet_pages = poppler.pages(converted["packet"])
    text = squeeze("".join(packet_pages))
    for expected in ("ケース記録一式", NAME, "提供先", "共通ヒアリングシート", "①月の余り"):
        assert squeeze(expected) in text, expected
    assert len(packet_pages) >= 10
    for number, page in enumerate(packet_pages, 1):
        assert page_number(page) == (number, len(packet_pages))
        assert "ぷらっとホーム世田谷" in squeeze(page) and "取扱注意" in page
    sheet = squeeze("".join(poppler.pages(converted["sheet"])))
    for expected in ("共通ヒアリングシート", NAME, "186,400円", "納付可能額（提案）", "未判断"):
        assert squeeze(expected) in sheet, expected
