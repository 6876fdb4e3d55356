"""個人情報の提供記録: every time a resident's information left a department, for the resident.

Printed for a disclosure request (開示請求, 個人情報保護法) or as the resident's own copy. One
row per provision: the date, from and to which department, the categories, the legal basis
(which consent, by number), how it was given, whether the recipient opened it, and whether it
was recalled. Phase 2 fills the rows from the deliveries and the audit records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hub.jp import wareki

from .blocks import Block, Content, Heading, KeyValues, Note, Paragraph, Table, Title
from .emit import render_docx, render_pdf
from .page import Cell, Marking

TITLE = "個人情報の提供記録"
PURPOSES = {
    "disclosure_request": "保有個人情報の開示請求に対する開示",
    "own_copy": "ご本人の控え",
}
HEADINGS = ("提供日", "提供元 → 提供先", "情報の区分", "根拠", "方法", "閲覧・取消し")
#: 170 mm; a date (「令和10年12月31日」) fits one line at 8.5 pt.
COLUMNS_MM = (28.0, 40.0, 32.0, 24.0, 10.0, 36.0)
TABLE_PT = 8.5


@dataclass(frozen=True)
class DisclosureRow:
    provided_on: date
    from_department: str
    to_department: str
    categories: tuple[str, ...]  # labels: 「滞納状況」「収支の状況」
    consent_number: int | None  # the consent it was given under (同意書番号)
    basis: str = "本人同意"  # the legal basis (生活困窮者自立支援法第9条 … later)
    method: str = "ハブ"  # 「ハブ」 (a mailbox share) or 「紙」 (紙で提供, handed over)
    read_on: date | None = None
    recalled_on: date | None = None
    #: Every consent it was given under, when more than one covered it (else ``consent_number``).
    consent_numbers: tuple[int, ...] = ()


@dataclass(frozen=True)
class DisclosureRecordData:
    city_name: str
    resident_name: str
    atena_no: str
    issuing_department: str
    issued_on: date
    purpose: str  # a key of PURPOSES
    rows: tuple[DisclosureRow, ...]
    period_from: date | None = None
    period_to: date | None = None
    request_number: str = ""  # the 開示請求's 受付番号
    contact: str = ""  # 「世田谷区 納税課 電話 03-5432-2215」
    #: Which provisions the record holds (「納税課が提供元または提供先となった提供です。」).
    scope_note: str = ""


def _period(data: DisclosureRecordData) -> str:
    if data.period_from or data.period_to:
        return f"{wareki(data.period_from) or '記録の最初'}〜{wareki(data.period_to) or '作成日'}"
    return "記録のあるすべての期間"


def record_blocks(data: DisclosureRecordData) -> tuple[Block, ...]:
    """Every printed text of the record, in order."""
    purpose = PURPOSES.get(data.purpose, data.purpose)
    if data.request_number:
        purpose += f"（受付番号 {data.request_number}）"
    out: list[Block] = [
        Note(f"作成日　{wareki(data.issued_on)}", align="R"),
        Title(TITLE),
        Paragraph(
            f"{data.city_name}の所管課の間で、あなたの個人情報を提供した記録です。"
            "提供の根拠は、あなたが署名した同意書（同意書番号）です。",
        ),
        KeyValues(
            (
                ("氏名", data.resident_name),
                ("宛名番号", data.atena_no),
                ("対象期間", _period(data)),
                ("件数", f"{len(data.rows):,}件"),
                ("作成の目的", purpose),
                ("作成した所管課", data.issuing_department),
            )
        ),
        Heading("提供の記録"),
    ]
    if data.scope_note:
        out.append(Note(data.scope_note))
    if data.rows:
        out.append(Table(tuple(_row(r) for r in data.rows), COLUMNS_MM, HEADINGS, TABLE_PT))
    else:
        out.append(Paragraph("対象期間に提供した記録はありません。", indent=True))
    out.append(
        Note(
            "方法：ハブ＝つなぐハブで共有、紙＝紙で提供（会議等で手渡し）。"
            "閲覧：提供先の所管課が最初に開いた日。"
            "取消し：同意の撤回・期間満了等により、提供先で閲覧できなくなった日。"
        )
    )
    if data.contact:
        out.append(Paragraph(f"お問い合わせ先　{data.contact}"))
    return tuple(out)


def _row(row: DisclosureRow) -> tuple[Cell | str, ...]:
    return (
        wareki(row.provided_on),
        f"{row.from_department}\n→ {row.to_department}",
        Cell("、".join(row.categories), phrase_end="、"),
        "\n".join(filter(None, (row.basis, _numbers(row)))),
        row.method,
        "\n".join(
            (
                f"閲覧 {wareki(row.read_on)}" if row.read_on else "未閲覧",
                f"取消し {wareki(row.recalled_on)}" if row.recalled_on else "",
            )
        ).strip(),
    )


def _numbers(row: DisclosureRow) -> str:
    numbers = row.consent_numbers or ((row.consent_number,) if row.consent_number else ())
    return f"同意書番号 {'、'.join(str(n) for n in numbers)}" if numbers else ""


def marking(data: DisclosureRecordData) -> Marking:
    return Marking(department=data.issuing_department, reference=TITLE, title=TITLE)


def render_disclosures_pdf(data: DisclosureRecordData) -> bytes:
    return render_pdf(Content(marking(data), record_blocks(data)))


def render_disclosures_docx(data: DisclosureRecordData) -> bytes:
    return render_docx(Content(marking(data), record_blocks(data)))
