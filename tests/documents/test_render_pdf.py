"""The fpdf2 layer and the consent form PDF: text, fonts, page size, marking, page numbers."""

from __future__ import annotations

import io
import logging
import re

import pytest
from pypdf import PdfReader

from hub.documents.render import fonts
from hub.documents.render.consent_form import TABLE_HEADINGS, TITLE, consent_text
from hub.documents.render.page import Marking
from hub.documents.render.pdf import PdfDocument

A4_PT = (595.28, 841.89)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def page_number(page: str) -> tuple[int, int] | None:
    """The "n / N" of a page's footer (pdftotext may drop the thin spaces around the slash)."""
    found = re.findall(r"(?<![\d/])(\d+)\s*/\s*(\d+)(?![\d/])", page)
    return (int(found[-1][0]), int(found[-1][1])) if found else None


@pytest.fixture(scope="module")
def short_pages(poppler, short_pdf) -> list[str]:
    return poppler.pages(short_pdf)


@pytest.fixture(scope="module")
def long_pages(poppler, long_pdf) -> list[str]:
    return poppler.pages(long_pdf)


def test_pages_are_a4_portrait(short_pdf, long_pdf):
    for pdf in (short_pdf, long_pdf):
        for page in PdfReader(io.BytesIO(pdf)).pages:
            width, height = float(page.mediabox.width), float(page.mediabox.height)
            assert abs(width - A4_PT[0]) <= 1 and abs(height - A4_PT[1]) <= 1


def test_font_is_embedded_as_a_subset(poppler, short_pdf):
    rows = poppler.fonts(short_pdf)
    assert len(rows) == 1, rows  # one face: no unused bold copy embedded
    for row in rows:
        assert "NotoSansJP" in row["name"]
        assert (row["emb"], row["sub"], row["uni"]) == ("yes", "yes", "yes"), row


def test_short_form_is_one_page_with_everything(short_pages, short_data):
    assert len(short_pages) == 1
    text = squeeze(short_pages[0])
    form = consent_text(short_data)
    for expected in (
        TITLE,
        "世田谷区長あて",
        short_data.resident_name,  # 𠮷 is outside the BMP
        short_data.resident_kana,  # half-width kana
        "令和8年11月21日まで",
        "令和8年5月21日",  # issued on
        "昭和55年4月1日（1980年）",  # date of birth, with the Western year
        "令和年月日",  # the blank date the resident fills in
        short_data.statement_text,
        *short_data.purposes,
        short_data.withdrawal_clause,
        "氏名（自署）",
        "03-5432-2215",
    ):
        assert squeeze(expected) in text, expected
    for row in form.table_rows:
        assert squeeze("".join(row)) in text, row
    assert page_number(short_pages[0]) == (1, 1)


def test_every_page_carries_marking_and_numbers(long_pages):
    total = len(long_pages)
    assert total >= 2
    for number, page in enumerate(long_pages, start=1):
        text = squeeze(page)
        assert "取扱注意" in text
        assert "納税課" in text
        assert "同意書番号12" in text
        assert page_number(page) == (number, total), page[-80:]


def test_long_statement_flows_with_the_table_heading_repeated(long_pages, long_data):
    text = squeeze("".join(long_pages))
    for row in consent_text(long_data).table_rows:
        assert squeeze("".join(row)) in text, row
    heading = "".join(TABLE_HEADINGS)
    pages_with_rows = [
        page for page in long_pages if squeeze(long_data.rows[0].to_department) in squeeze(page)
    ]
    assert len(pages_with_rows) >= 2, "the table should span two pages"
    for page in pages_with_rows:
        assert heading in squeeze(page)
    # The signature block is never split from its heading.
    last = squeeze(long_pages[-1])
    assert "同意者（ご本人）記入欄" in last and "生年月日" in last


def test_metadata_has_title_but_no_personal_data(short_pdf, short_data):
    meta = PdfReader(io.BytesIO(short_pdf)).metadata
    assert meta.title == TITLE
    assert meta.author == "納税課"
    flat = " ".join(str(value) for value in meta.values())
    assert short_data.resident_name not in flat and short_data.atena_no not in flat


def test_font_is_parsed_once_and_matches_fpdf2s_own_loading(monkeypatch, poppler):
    def build(text: str) -> PdfDocument:
        doc = PdfDocument(Marking(department="納税課", reference="テスト"))
        doc.paragraph(text)
        return doc

    # Names, kana, digits, punctuation and a spread of kanji: many glyphs to subset.
    cmap = fonts._parsed(fonts.sans_path()).cmap
    text = "𠮷田 髙﨑 ｶﾅ 0123 令和8年「滞納額は123,456円」。" + "".join(
        chr(c) for c in range(0x4E00, 0x9FA0, 61) if c in cmap
    )
    build(text).to_bytes()
    hits = fonts._parsed.cache_info().hits
    cached = build(text)
    cached_bytes = cached.to_bytes()
    assert fonts._parsed.cache_info().hits == hits + 1

    def refuse(*args):
        raise AttributeError("simulated fpdf2 change")

    monkeypatch.setattr(fonts, "_clone", refuse)
    plain = build(text)
    plain_bytes = plain.to_bytes()

    def content(pdf: bytes) -> bytes:
        return PdfReader(io.BytesIO(pdf)).pages[0].get_contents().get_data()

    # Same glyph codes and positions on the page, same extracted text, and the same pixels:
    # the cache's shortcuts (no seac closure, no throw-away OpenType save) embed the same
    # glyph outlines as fpdf2's own loading.
    assert content(cached_bytes) == content(plain_bytes)
    assert poppler.pages(cached_bytes) == poppler.pages(plain_bytes)
    assert squeeze(text) in squeeze(poppler.pages(cached_bytes)[0])
    assert _pixels(poppler, cached_bytes) == _pixels(poppler, plain_bytes)


def _pixels(poppler, pdf: bytes) -> bytes:
    path = poppler._file(pdf)
    out = path.with_suffix("")
    poppler._run("pdftoppm", "-gray", "-r", "100", "-singlefile", str(path), str(out))
    return out.with_suffix(".pgm").read_bytes()


def test_a_row_taller_than_a_page_continues_on_the_next(poppler):
    doc = PdfDocument(Marking(department="納税課"))
    note = "".join(f"第{n}項の記録。" for n in range(1, 501))
    doc.table(
        [("短い行", "本文"), ("長い記録", note), ("最後", "以上")],
        (40, 130),
        headings=("項目", "内容"),
    )
    pages = poppler.pages(doc.to_bytes())
    assert len(pages) >= 3
    text = squeeze("".join(pages))
    assert all(f"第{n}項の記録。" in text for n in (1, 250, 500))
    assert all("項目内容" in squeeze(page) for page in pages), "heading on every page"
    assert "以上" in pages[-1]


def test_missing_glyphs_are_recorded_without_logging_the_text(caplog):
    absent = next(
        chr(c) for c in range(0xE000, 0xF8FF) if c not in fonts._parsed(fonts.sans_path()).cmap
    )
    doc = PdfDocument(Marking(department="納税課", reference="同意書番号 1"))
    doc.paragraph(f"外字{absent}を含む氏名")
    with caplog.at_level(logging.WARNING):
        doc.to_bytes()
    assert doc.missing_characters == (absent,)
    assert "1 character(s)" in caplog.text
    assert absent not in caplog.text and "外字" not in caplog.text


def test_base_blocks_compose_a_generic_document(poppler):
    """The blocks later documents (hearing sheet, case packet) are made of."""
    doc = PdfDocument(Marking(department="生活福祉課", reference="ケース 7", title="ケース資料"))
    doc.title("ケース資料")
    doc.key_values([("対象者", "𠮷田 髙﨑"), ("滞納額", "123,456円")])
    doc.heading("1　収支の状況")
    doc.paragraph("手取り収入と支出の内訳です。" * 8)
    doc.bullets(["家賃の比率が高い", "民間債務の返済がある"])
    rows = [("家賃", "68,000円"), ("食費と日用品と交通費と通信費の合計", "40,000円")]
    expected = doc.table_height(rows, (40, 30), headings=("費目", "月額"))
    top = doc.pdf.get_y()
    doc.table(rows, (40, 30), headings=("費目", "月額"))
    assert abs(doc.pdf.get_y() - 2 - top - expected) < 0.5  # table() adds a 2 mm gap
    doc.new_page()
    doc.note("2ページ目")
    pages = poppler.pages(doc.to_bytes())
    assert len(pages) == 2
    assert "123,456円" in pages[0] and "家賃の比率が高い" in pages[0]
    assert all("取扱注意" in page and "生活福祉課" in page for page in pages)
    assert page_number(pages[1]) == (2, 2)


def test_fpdf2_default_bold_table_headings_still_work(poppler):
    """Code that uses fpdf2's table directly gets the Regular face registered as bold."""
    doc = PdfDocument(Marking(department="納税課"))
    with doc.pdf.table() as table:
        table.row().cell("見出し")
        table.row().cell("本文")
    pdf = doc.to_bytes()
    assert "見出し" in poppler.pages(pdf)[0]
    assert all("NotoSansJP" in row["name"] for row in poppler.fonts(pdf))
