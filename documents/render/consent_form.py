"""The consent form (同意書): 個人情報の共有（目的外利用・提供）に関する同意書.

Seed 000 ③: so that no resident is surprised by an out-of-purpose use or provision of their
information, the form states exactly what is shared, from which department to which, for what,
and until when. The statement text is generated from the consent's scope by the consent service
and stored with the consent; this module prints it, the scope as a table and the purposes, and
leaves room for the resident's own hand (date, address, name, date of birth).

The wording lives in ``consent_text`` once and both renderers print the same texts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hub.jp import wareki

from .page import BLANK_DATE, TEXT_WIDTH_MM, Cell, Marking
from .pdf import BODY_PT, PT_MM, PdfDocument
from .word import WordDocument

TITLE = "個人情報の共有（目的外利用・提供）に関する同意書"
TABLE_HEADINGS = ("提供元", "提供先", "情報の区分")
BIRTH_DATE_BLANK = "大正・昭和・平成・令和　　年　　月　　日"
#: 提供元 and 提供先 fit 「ぷらっとホーム世田谷」 on one line; the categories take the rest.
SCOPE_COLUMNS_MM = (42.0, 42.0, TEXT_WIDTH_MM - 84.0)
SIGNATURE_COLUMNS_MM = (30.0, 88.0, TEXT_WIDTH_MM - 118.0)
#: Room to write an address or a name by hand.
WRITE_IN_ROW_MM = 12


@dataclass(frozen=True)
class StatementRow:
    from_department: str  # 提供元 e.g. "納税課"
    to_department: str  # 提供先 e.g. "ぷらっとホーム世田谷"
    categories: tuple[str, ...]  # Japanese labels e.g. ("滞納状況", "収支の状況")


@dataclass(frozen=True)
class ConsentFormData:
    consent_id: int
    city_name: str  # e.g. "世田谷区"
    resident_name: str
    resident_kana: str
    resident_address: str
    resident_birth_date: date | None
    atena_no: str
    obtaining_department: str
    obtaining_staff: str
    contact_phone: str
    rows: tuple[StatementRow, ...]
    purposes: tuple[str, ...]
    statement_text: str  # the generated 目的外利用・提供の内容, stored with the consent
    withdrawal_clause: str
    valid_until: date
    issued_on: date


@dataclass(frozen=True)
class ConsentText:
    """Every text printed on the form, in order; shared by the PDF and the Word renderer."""

    issued: str
    addressee: str
    intro: str
    statement: str
    table_rows: tuple[tuple[str, str, str], ...]
    purposes: tuple[str, ...]
    validity: str
    withdrawal: str
    signature_intro: str
    signature_rows: tuple[tuple[str, str, str], ...]
    contact: str
    office_use: str


def reference(data: ConsentFormData) -> str:
    return f"同意書番号 {data.consent_id}"


def consent_text(data: ConsentFormData) -> ConsentText:
    city = data.city_name
    birth = data.resident_birth_date
    return ConsentText(
        issued=f"作成日　{wareki(data.issued_on)}",
        addressee=f"{city}長　あて",
        intro=(
            f"私は、{city}から下記1の個人情報の共有（目的外利用・提供）について説明を受け、"
            f"その内容を理解しました。{city}が、下記2の目的のため、私の個人情報を下記1の"
            "とおり所管課の間で利用し、又は提供することに同意します。"
        ),
        statement=data.statement_text,
        table_rows=tuple(
            (row.from_department, row.to_department, "、".join(row.categories)) for row in data.rows
        ),
        purposes=data.purposes,
        validity=(
            f"この同意は、{wareki(data.valid_until)}まで"
            f"（{data.valid_until.year}年{data.valid_until.month}月{data.valid_until.day}日まで）"
            "有効です。"
        ),
        withdrawal=data.withdrawal_clause,
        signature_intro=f"ご本人が記入してください。右の欄は{city}に登録されている内容です（確認用）。",
        signature_rows=(
            ("記入日", BLANK_DATE, ""),
            ("住所", "", data.resident_address or ""),
            ("氏名（自署）", "", _lines(data.resident_name, data.resident_kana)),
            ("生年月日", BIRTH_DATE_BLANK, wareki(birth, with_western=True) if birth else ""),
        ),
        contact="　".join(
            part
            for part in (
                f"お問い合わせ先　{city} {data.obtaining_department}",
                f"（担当 {data.obtaining_staff}）" if data.obtaining_staff else "",
                f"電話 {data.contact_phone}" if data.contact_phone else "",
            )
            if part
        ).replace("　（", "（"),
        office_use=(
            f"{city}使用欄　宛名番号 {data.atena_no}　{reference(data)}"
            f"　取得 {data.obtaining_department} {data.obtaining_staff}"
        ),
    )


def _lines(*parts: str | None) -> str:
    """Non-empty parts on separate lines: a resident without kana gets no blank line."""
    return "\n".join(part for part in parts if part)


def _marking(data: ConsentFormData) -> Marking:
    return Marking(department=data.obtaining_department, reference=reference(data), title=TITLE)


def _render_pdf(text: ConsentText, marking: Marking) -> PdfDocument:
    pdf = PdfDocument(marking)
    pdf.note(text.issued, align="R")
    pdf.title(TITLE)
    pdf.paragraph(text.addressee, size=11)
    pdf.paragraph(text.intro, first_indent=BODY_PT * PT_MM)
    pdf.text("記", align="C")
    pdf.heading("1　目的外利用・提供の内容")
    pdf.paragraph(text.statement, indent=4)
    pdf.spacer(0.5)
    scope = [
        (src, dst, Cell(categories, phrase_end="、")) for src, dst, categories in text.table_rows
    ]
    pdf.table(scope, SCOPE_COLUMNS_MM, headings=TABLE_HEADINGS)
    pdf.heading("2　利用の目的")
    pdf.bullets(text.purposes)
    pdf.heading("3　同意の有効期間")
    pdf.paragraph(text.validity, indent=4)
    pdf.heading("4　同意の撤回")
    pdf.paragraph(text.withdrawal, indent=4)
    pdf.text("以上", align="R")
    rows = [
        (Cell(label, shaded=True), Cell(write_in), Cell(registered, muted=True))
        for label, write_in, registered in text.signature_rows
    ]
    # The signature block, its heading and the contact lines stay together on one page:
    # heading 9 + note 5.5 + table + 2 + contact 6.5 + office-use 4.5 (mm).
    table_mm = pdf.table_height(rows, SIGNATURE_COLUMNS_MM, min_row_height=WRITE_IN_ROW_MM)
    pdf.ensure_space(table_mm + 28)
    pdf.heading("同意者（ご本人）記入欄")
    pdf.note(text.signature_intro)
    pdf.spacer(1)
    pdf.table(rows, SIGNATURE_COLUMNS_MM, min_row_height=WRITE_IN_ROW_MM)
    pdf.paragraph(text.contact, size=9.5)
    pdf.note(text.office_use)
    return pdf


def render_consent_pdf(data: ConsentFormData) -> bytes:
    return _render_pdf(consent_text(data), _marking(data)).to_bytes()


def render_consent_docx(data: ConsentFormData) -> bytes:
    text = consent_text(data)
    doc = WordDocument(_marking(data))
    doc.note(text.issued, align="R")
    doc.title(TITLE)
    doc.paragraph(text.addressee)
    doc.paragraph(text.intro, first_indent_chars=1)
    doc.paragraph("記", align="C")
    doc.heading("1　目的外利用・提供の内容")
    doc.paragraph(text.statement, indent_mm=4)
    doc.table(text.table_rows, SCOPE_COLUMNS_MM, headings=TABLE_HEADINGS)
    doc.heading("2　利用の目的")
    doc.bullets(text.purposes)
    doc.heading("3　同意の有効期間")
    doc.paragraph(text.validity, indent_mm=4)
    doc.heading("4　同意の撤回")
    doc.paragraph(text.withdrawal, indent_mm=4)
    doc.paragraph("以上", align="R")
    doc.heading("同意者（ご本人）記入欄")
    doc.note(text.signature_intro, keep_with_next=True)
    rows = [
        (Cell(label, shaded=True), Cell(write_in), Cell(registered, muted=True))
        for label, write_in, registered in text.signature_rows
    ]
    doc.table(rows, SIGNATURE_COLUMNS_MM, min_row_height_mm=WRITE_IN_ROW_MM, keep_together=True)
    doc.paragraph(text.contact, size=9.5)
    doc.note(text.office_use)
    return doc.to_bytes()
