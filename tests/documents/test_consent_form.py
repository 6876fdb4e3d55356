"""The 同意書: the contract other packages code against, its wording, and the DOCX as
LibreOffice lays it out (an independent renderer, close to what a city PC would show)."""

from __future__ import annotations

import dataclasses
import re
from datetime import date

import pytest

from hub.documents.render.consent_form import (
    BIRTH_DATE_BLANK,
    ConsentFormData,
    StatementRow,
    consent_text,
)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_contract_field_names_are_stable():
    assert [f.name for f in dataclasses.fields(StatementRow)] == [
        "from_department",
        "to_department",
        "categories",
    ]
    assert [f.name for f in dataclasses.fields(ConsentFormData)][:16] == [
        "consent_id",
        "city_name",
        "resident_name",
        "resident_kana",
        "resident_address",
        "resident_birth_date",
        "atena_no",
        "obtaining_department",
        "obtaining_staff",
        "contact_phone",
        "rows",
        "purposes",
        "statement_text",
        "withdrawal_clause",
        "valid_until",
        "issued_on",
    ]


def test_wording_follows_the_city_and_dates(make_consent):
    data = dataclasses.replace(make_consent(), city_name="豊田市", valid_until=date(2027, 3, 31))
    text = consent_text(data)
    assert text.addressee == "豊田市長　あて"
    assert "豊田市から" in text.intro
    assert text.validity.startswith("この同意は、令和9年3月31日まで")
    assert "2027年3月31日" in text.validity
    assert text.issued == "作成日　令和8年5月21日"
    assert text.table_rows[0] == (
        "納税課",
        "ぷらっとホーム世田谷",
        "滞納状況、納付計画、収支の状況",
    )
    assert data.obtaining_department in text.contact and data.contact_phone in text.contact
    assert data.atena_no in text.office_use and "同意書番号 12" in text.office_use


def test_signature_block_prefills_lightly_and_leaves_room_to_write(make_consent):
    rows = {label: rest for label, *rest in consent_text(make_consent()).signature_rows}
    assert rows["記入日"] == ["令和　　年　　月　　日", ""]
    assert rows["住所"][0] == "" and "世田谷四丁目" in rows["住所"][1]
    assert rows["氏名（自署）"] == ["", "𠮷田 髙﨑\nﾖｼﾀﾞ ﾀｶｻｷ"]
    assert rows["生年月日"] == [BIRTH_DATE_BLANK, "昭和55年4月1日（1980年）"]
    unknown = {
        label: rest for label, *rest in consent_text(make_consent(birth_date=None)).signature_rows
    }
    assert unknown["生年月日"] == [BIRTH_DATE_BLANK, ""]


def test_missing_optional_details_leave_no_gaps(make_consent):
    data = dataclasses.replace(make_consent(), resident_kana="", contact_phone="")
    text = consent_text(data)
    rows = {label: rest for label, *rest in text.signature_rows}
    assert rows["氏名（自署）"][1] == "𠮷田 髙﨑"
    assert text.contact == "お問い合わせ先　世田谷区 納税課（担当 山田 太郎）"


@pytest.fixture(scope="module")
def libreoffice_pages(libreoffice, poppler, short_docx, long_docx) -> dict[str, list[str]]:
    pdfs = libreoffice.to_pdf({"short": short_docx, "long": long_docx})
    return {name: poppler.pages(pdf) for name, pdf in pdfs.items()}


def test_libreoffice_opens_and_renders_the_docx(libreoffice_pages, short_data):
    pages = libreoffice_pages["short"]
    text = squeeze("".join(pages))
    assert squeeze(short_data.resident_name) in text
    assert "令和8年11月21日まで" in text
    assert "昭和55年4月1日" in text
    assert "取扱注意" in text


def test_libreoffice_computes_the_page_fields(libreoffice_pages):
    for pages in libreoffice_pages.values():
        total = len(pages)
        for number, page in enumerate(pages, start=1):
            squeezed = squeeze(page)
            assert f"{number}/{total}" in squeezed, squeezed[-60:]
            assert "取扱注意" in squeezed and "同意書番号12" in squeezed
    assert len(libreoffice_pages["long"]) >= 2
