"""The python-docx layer and the consent form DOCX: A4, Japanese fonts, table, fields."""

from __future__ import annotations

import io
import re

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm

from hub.documents.render.consent_form import TABLE_HEADINGS, TITLE, consent_text
from hub.documents.render.fonts import WORD_BODY_FONT, WORD_HEADING_FONT
from hub.documents.render.page import Marking
from hub.documents.render.word import WordDocument

THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def short(short_docx):
    return docx.Document(io.BytesIO(short_docx))


@pytest.fixture(scope="module")
def long(long_docx):
    return docx.Document(io.BytesIO(long_docx))


def body_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(parts)


def test_every_section_is_a4_portrait_with_20mm_margins(short, long):
    for document in (short, long):
        for section in document.sections:
            assert abs(section.page_width - Mm(210)) < Mm(0.5)
            assert abs(section.page_height - Mm(297)) < Mm(0.5)
            for margin in (section.left_margin, section.right_margin, section.top_margin):
                assert abs(margin - Mm(20)) < Mm(0.5)


def test_east_asian_font_is_set_without_theme_fonts(short):
    styles = short.styles.element
    defaults = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = defaults.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == WORD_BODY_FONT
    assert defaults.find(qn("w:lang")).get(qn("w:eastAsia")) == "ja-JP"
    for element in styles.iter(qn("w:rFonts")):
        assert not any(element.get(qn(attr)) for attr in THEME_ATTRS), element.attrib
    assert _east_asia(short.styles["Normal"]) in (None, WORD_BODY_FONT)
    assert _east_asia(short.styles["Heading 1"]) == WORD_HEADING_FONT
    assert _east_asia(short.styles["Title"]) == WORD_HEADING_FONT


def _east_asia(style) -> str | None:
    fonts = style.element.find(qn("w:rPr") + "/" + qn("w:rFonts"))
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def test_content_is_all_there(short, short_data):
    text = squeeze(body_text(short))
    for expected in (
        TITLE,
        "世田谷区長あて",
        short_data.resident_name,
        short_data.resident_kana,
        "令和8年11月21日まで",
        "昭和55年4月1日（1980年）",
        "令和年月日",
        short_data.statement_text,
        *short_data.purposes,
        short_data.withdrawal_clause,
    ):
        assert squeeze(expected) in text, expected


def test_scope_table_has_every_row_and_a_repeating_heading(long, long_data):
    table = long.tables[0]
    rows = [tuple(cell.text for cell in row.cells) for row in table.rows]
    assert rows[0] == TABLE_HEADINGS
    assert rows[1:] == list(consent_text(long_data).table_rows)
    first = table.rows[0]._tr.trPr
    assert first.find(qn("w:tblHeader")) is not None
    assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows)
    assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"


def test_header_and_footer_carry_marking_and_page_fields(long):
    for section in long.sections:
        header = section.header.paragraphs[0]
        assert "取扱注意" in header.text and "納税課" in header.text
        footer = section.footer.paragraphs[0]
        instructions = " ".join(t.text for t in footer._p.iter(qn("w:instrText")))
        assert "PAGE" in instructions.split() and "NUMPAGES" in instructions.split()
        assert "取扱注意" in footer.text and "同意書番号 12" in footer.text
        assert " / " in footer.text


def test_signature_table_keeps_together(short):
    signature = short.tables[1]
    labels = [row.cells[0].text for row in signature.rows]
    assert labels == ["記入日", "住所", "氏名（自署）", "生年月日"]
    for row in signature.rows[:-1]:
        for cell in row.cells:
            assert all(p.paragraph_format.keep_with_next for p in cell.paragraphs)


def test_properties_carry_no_personal_data(short, short_data):
    props = short.core_properties
    assert props.title == TITLE
    assert props.author == "納税課"
    flat = " ".join(
        str(getattr(props, name) or "")
        for name in ("title", "author", "subject", "keywords", "comments", "last_modified_by")
    )
    assert short_data.resident_name not in flat


def test_base_blocks_compose_a_generic_document():
    doc = WordDocument(Marking(department="生活福祉課", reference="ケース 7", title="ケース資料"))
    doc.title("ケース資料")
    doc.key_values([("対象者", "𠮷田 髙﨑"), ("滞納額", "123,456円")])
    doc.heading("1　収支の状況")
    doc.paragraph("一行目\n二行目", indent_mm=4)
    doc.bullets(["家賃の比率が高い"])
    doc.table([("家賃", "68,000円")], (60, 40), headings=("費目", "月額"))
    doc.page_break()
    doc.note("2ページ目")
    reopened = docx.Document(io.BytesIO(doc.to_bytes()))
    assert reopened.paragraphs[0].text == "ケース資料"  # no empty paragraph before the title
    assert [c.text for c in reopened.tables[0].rows[1].cells] == ["滞納額", "123,456円"]
    assert "一行目\n二行目" in [p.text for p in reopened.paragraphs]
    assert reopened.sections[0].header.paragraphs[0].text.endswith("生活福祉課")
