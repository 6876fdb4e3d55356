"""The case packet (ケース記録一式) read back from the produced files: pages, bookmarks, stamps,
metadata, encryption, what a recipient may not see, the DOCX, and the way it streams."""

from __future__ import annotations

import dataclasses
import io
import re
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from hub.documents.categories import InformationCategory as C
from hub.documents.packet.assemble import write_packet_pdf
from hub.documents.packet.contract import Attachment
from hub.documents.packet.word import write_packet_docx

from . import printed_samples as samples
from .checks import docx_text, has_row, page_number, squeeze
from .printed_samples import MARKERS, NAME

RECIPIENT = "ぷらっとホーム世田谷"
STAMPS = ("取扱注意", "提供先", RECIPIENT, "令和8年12月4日作成", "ケース7")
#: What ぷらっとホーム世田谷 may see in the cut packet.
VISIBLE = [C.ARREARS, C.HOUSEHOLD_BUDGET, C.LIFE_SITUATION, C.SUPPORT_STATUS]


@pytest.fixture(scope="module")
def attachments(tmp_path_factory) -> tuple[Attachment, ...]:
    folder: Path = tmp_path_factory.mktemp("attachments")
    good = folder / "scan.pdf"
    good.write_bytes(samples.attachment_pdf(3, "ATTACHMENT-A"))
    broken = folder / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage, not a PDF")
    turned = samples.attachment_pdf(2, "ATTACHMENT-B", rotate=90)
    wide = samples.attachment_pdf(1, "ATTACHMENT-C", size=(297, 210))
    return (
        Attachment("署名済み同意書（同意書番号 12）", good),
        Attachment("壊れた添付.pdf", broken),
        samples.memory_attachment(turned, "横向きの資料"),
        samples.memory_attachment(wide, "A4横の資料"),
    )


@pytest.fixture(scope="module")
def built(attachments):
    calls: list[tuple[int, int, int]] = []
    out = io.BytesIO()
    result = write_packet_pdf(
        samples.packet(attachments=attachments),
        out,
        progress=lambda done, total: calls.append((done, total, out.tell())),
    )
    return out.getvalue(), result, calls


@pytest.fixture(scope="module")
def pages(poppler, built) -> list[str]:
    return poppler.pages(built[0], layout=True)


def test_pages_count_and_numbers(built, pages):
    pdf, result, _calls = built
    assert len(PdfReader(io.BytesIO(pdf)).pages) == result.pages == len(pages)
    attached = [a for a in result.attachments if a.pages]
    assert [a.pages for a in result.attachments] == [3, 0, 2, 1]
    assert result.pages == attached[0].first_page - 1 + 6
    for number, page in enumerate(pages, 1):
        assert page_number(page) == (number, len(pages)), number


def test_every_page_is_stamped_including_attached_pages(built, pages):
    _pdf, result, _calls = built
    for number, page in enumerate(pages, 1):
        for stamp in STAMPS:
            assert stamp in squeeze(page), (number, stamp)
    first = result.attachments[0].first_page
    assert "ATTACHMENT-A page 1 of 3" in pages[first - 1]
    assert "ATTACHMENT-A page 3 of 3" in pages[first + 1]
    turned = result.attachments[2].first_page
    assert "ATTACHMENT-B page 2 of 2" in pages[turned]


def test_attached_pages_keep_their_size_and_rotation(built):
    _pdf, result, _calls = built
    reader = PdfReader(io.BytesIO(built[0]))
    turned = reader.pages[result.attachments[2].first_page - 1]
    wide = reader.pages[result.attachments[3].first_page - 1]
    assert turned.rotation == 90
    assert round(float(wide.mediabox.width)) == 842 and round(float(wide.mediabox.height)) == 595


def test_a_broken_attachment_is_listed_and_the_packet_still_builds(built, pages):
    _pdf, result, _calls = built
    broken = result.attachments[1]
    assert broken.pages == 0 and broken.first_page is None
    assert broken.error == "PDFとして読み取れません"
    text = squeeze("".join(pages))
    assert "壊れた添付.pdf（添付できませんでした）" in text  # contents
    assert has_row(pages[14].splitlines(), "壊れた添付.pdf", "添付できませんでした")  # the list


def test_bookmarks_for_every_section_and_attachment(built):
    pdf, result, _calls = built
    reader = PdfReader(io.BytesIO(pdf))
    flat: list[tuple[str, int]] = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                flat.append((item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline)
    titles = [title for title, _page in flat]
    for expected in (
        "表紙",
        "目次",
        "1　共通ヒアリングシート",
        "2　共通目安の判断",
        "3　同意の範囲",
        "4　徴収可否の判断・今後の方針",
        "5　連絡の経過",
        "6　フィードバック",
        "7　情報共有の依頼",
        "8　ケース会議 議事録",
        "9　添付資料一覧",
    ):
        assert expected in titles, expected
    pages = dict(flat)
    assert pages["表紙"] == 1 and pages["目次"] == 2 and pages["1　共通ヒアリングシート"] == 3
    assert pages["添付1　署名済み同意書（同意書番号 12）"] == result.attachments[0].first_page
    assert pages["添付3　横向きの資料"] == result.attachments[2].first_page
    assert pages["添付2　壊れた添付.pdf（添付できませんでした）"] == pages["9　添付資料一覧"]
    assert len([t for t in titles if t.startswith("令和")]) == 5  # 3 feedback, request, minutes


def test_contents_page_numbers_match_the_bookmarks(built, pages):
    contents = squeeze(pages[1])
    reader = PdfReader(io.BytesIO(built[0]))
    for item in reader.outline:
        if not isinstance(item, list):
            page = reader.get_destination_page_number(item) + 1
            assert squeeze(item.title) + str(page) in contents, item.title


def test_metadata_names_the_department_never_the_resident(built):
    pdf, _result, _calls = built
    meta = PdfReader(io.BytesIO(pdf)).metadata
    assert meta.title == "ケース記録一式" and meta.author == "納税課"
    flat = " ".join(str(value) for value in meta.values())
    assert NAME not in flat and "𠮷" not in flat


def test_our_font_is_embedded_once(poppler, built):
    rows = poppler.fonts(built[0])
    ours = [r for r in rows if "NotoSansJP" in r["name"]]
    assert len(ours) == 1 and (ours[0]["emb"], ours[0]["sub"]) == ("yes", "yes")
    # The rest are the attachments' own fonts, copied as they were (here: Helvetica).
    assert {r["name"] for r in rows if r not in ours} <= {"Helvetica"}


def test_cover_says_what_for_whom_and_what_was_left_out(pages):
    cover = squeeze(pages[0])
    for expected in (
        "ケース記録一式",
        "取扱注意・個人情報",
        NAME.replace(" ", ""),
        "関係所管課納税課、国保・年金課、ぷらっとホーム世田谷",
        "提供先ぷらっとホーム世田谷",
        "作成納税課山田太郎",
        "作成日時令和8年12月4日10:30",
    ):
        assert expected in cover, expected


def test_progress_is_reported_while_the_file_is_written(built):
    _pdf, result, calls = built
    attached = sum(a.pages for a in result.attachments)
    # One step per attached page (the broken file's pages counted as 0), one for the rest.
    assert [c[:2] for c in calls] == [(n, attached + 1) for n in range(1, attached + 2)]
    written = [c[2] for c in calls]
    # Pages reach the output as they are merged, not in one piece at the end.
    assert 0 < written[0] < written[1] < written[-2] < written[-1]


@pytest.fixture(scope="module")
def cut():
    data = samples.packet(VISIBLE)
    pdf, word = io.BytesIO(), io.BytesIO()
    write_packet_pdf(data, pdf)
    write_packet_docx(data, word)
    return pdf.getvalue(), word.getvalue()


def test_a_recipients_packet_holds_nothing_it_may_not_see(poppler, cut):
    pdf, word = cut
    pages = poppler.pages(pdf, layout=True)
    texts = {"pdf": squeeze("".join(pages)), "docx": squeeze(docx_text(word))}
    for name, text in texts.items():
        for category in VISIBLE:
            assert MARKERS[category] in text, (name, category)
        for category in set(MARKERS) - set(VISIBLE):
            assert MARKERS[category] not in text, (name, category)
        # Named by category on the cover, never shown.
        assert "同意の範囲外のため記載していません：納付計画、民間債務の状況、財産の状況" in text
        assert "②生活再建の見込みあり" not in text and "債権ごとの判断" not in text


def test_password_encrypts_with_aes_256(poppler, attachments):
    out = io.BytesIO()
    data = dataclasses.replace(samples.packet(attachments=attachments[:1]), timeline=())
    write_packet_pdf(data, out, password="合言葉 2026")
    pdf = out.getvalue()
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.is_encrypted
    encrypt = reader.trailer["/Encrypt"].get_object()
    assert (encrypt["/V"], encrypt["/R"]) == (5, 6)  # AES-256 (PDF 2.0)
    assert encrypt["/CF"]["/StdCF"]["/CFM"] == "/AESV3"
    assert not reader.decrypt("wrong")
    assert reader.decrypt("合言葉 2026")
    assert "ATTACHMENT-A" in reader.pages[-1].extract_text()
    assert reader.metadata.title == "ケース記録一式"
    assert NAME.encode("utf-16-be") not in pdf and b"ATTACHMENT-A" not in pdf
    path = poppler.workdir / "encrypted.pdf"
    path.write_bytes(pdf)
    text = poppler._run("pdftotext", "-upw", "合言葉 2026", str(path), "-")
    assert "ケース記録一式" in text


def test_docx_packet_has_the_same_sections_and_lists_attachments(attachments):
    out = io.BytesIO()
    write_packet_docx(samples.packet(attachments=attachments), out)
    document = docx.Document(io.BytesIO(out.getvalue()))
    text = squeeze(docx_text(out.getvalue()))
    for expected in (
        "ケース記録一式",
        "取扱注意・個人情報",
        "提供先ぷらっとホーム世田谷",
        "1　共通ヒアリングシート",
        "9　添付資料一覧",
        "署名済み同意書（同意書番号12）",
        "PDF版に添付",
        "①月の余り",
        MARKERS[C.COLLECTION_DECISION],
    ):
        assert squeeze(expected) in text, expected
    assert document.core_properties.title == "ケース記録一式"
    assert document.core_properties.author == "納税課"
    breaks = [p for p in document.paragraphs if p.paragraph_format.page_break_before]
    assert len(breaks) >= 10  # every section and every part starts a page


def test_a_thousand_row_timeline(poppler):
    out = io.BytesIO()
    result = write_packet_pdf(samples.packet(timeline_rows=1000), out)
    pages = poppler.pages(out.getvalue(), layout=True)
    assert result.pages == len(pages) > 40
    numbers = {int(n) for n in re.findall(r"第(\d+)回", squeeze("".join(pages)))}
    assert numbers == set(range(1, 1001))


def test_an_attachment_that_fails_halfway_is_left_out_whole(poppler):
    good = samples.memory_attachment(samples.attachment_pdf(2, "ATTACHMENT-G"), "読める資料")
    damaged = samples.memory_attachment(samples.damaged_pdf(), "途中で壊れた資料")
    out = io.BytesIO()
    data = dataclasses.replace(samples.packet(attachments=(damaged, good)), timeline=())
    result = write_packet_pdf(data, out)
    assert result.attachments[0].error == "途中から読み取れません"
    assert result.attachments[0].pages == 0 and result.attachments[1].pages == 2
    pages = poppler.pages(out.getvalue(), layout=True)
    assert len(pages) == result.pages == result.attachments[1].first_page + 1
    text = squeeze("".join(pages))
    assert "DAMAGED" not in text and "ATTACHMENT-Gpage2of2" in text
    assert "途中で壊れた資料（添付できませんでした）" in text
    for number, page in enumerate(pages, 1):
        assert page_number(page) == (number, len(pages))
