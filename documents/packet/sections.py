"""The packet's cover and sections as blocks, in the order of the issue: the latest hearing
sheet, the criteria, the consent scope, the policy, the timeline, feedback, requests, minutes,
and the list of attachments. Both the PDF and the DOCX packet print exactly these blocks."""

from __future__ import annotations

from dataclasses import dataclass

from hub.documents.render import exchanges, hearing_sheet, meetings, policy
from hub.documents.render.blocks import (
    Block,
    Bullets,
    Heading,
    KeyValues,
    Note,
    Paragraph,
    Table,
    Title,
    withheld,
)
from hub.documents.render.page import TEXT_WIDTH_MM, Cell
from hub.jp import local, wareki

from .contract import AttachmentResult, ConsentScope, PacketData

TITLE = "ケース記録一式"
MARK = "取扱注意・個人情報"
SCOPE_HEADINGS = ("提供元", "提供先", "情報の区分")
SCOPE_COLUMNS_MM = (42.0, 42.0, TEXT_WIDTH_MM - 84.0)
TIMELINE_HEADINGS = ("日付", "種類", "送信元 → 宛先", "件名", "情報の区分", "状態")
TIMELINE_COLUMNS_MM = (22.0, 20.0, 36.0, 42.0, 30.0, 20.0)
ATTACHMENT_HEADINGS = ("番号", "資料名", "ページ", "状態")
#: 「添付できませんでした（PDFとして読み取れません）」 fits one line at 9 pt.
ATTACHMENT_COLUMNS_MM = (10.0, 62.0, 14.0, TEXT_WIDTH_MM - 86.0)
NOT_ATTACHED = "添付できませんでした"


@dataclass(frozen=True)
class Part:
    """One document of a section, on pages of its own; ``title`` names its bookmark."""

    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Section:
    title: str
    parts: tuple[Part, ...]


def generated_text(data: PacketData) -> str:
    when = local(data.generated_at)
    assert when is not None
    return f"{wareki(when.date())} {when:%H:%M}"


def cover_blocks(data: PacketData) -> tuple[Block, ...]:
    """The cover: what, about whom, for whom, by whom, when; what was left out."""
    own = data.recipient_department == data.generating_department
    purpose = (
        f"この資料は、{data.generating_department}の記録として作成しました。"
        if own
        else f"この資料は、{data.recipient_department}への提供のために作成しました。"
        "対象者ご本人の同意の範囲内で利用し、複製・再提供はしないでください。"
    )
    out: list[Block] = [
        Title(TITLE),
        Paragraph(f"【{MARK}】", align="C"),
        KeyValues(
            (
                ("ケース", data.case_reference),
                ("対象者", data.resident_name),
                ("関係所管課", "、".join(data.departments)),
                ("提供先", data.recipient_department),
                ("作成", f"{data.generating_department}　{data.generated_by}".strip()),
                ("作成日時", generated_text(data)),
            ),
            label_width=34.0,
        ),
    ]
    if data.withheld:
        out.append(withheld(data.withheld))
    out.append(Paragraph(purpose + "不要になったときは、確実に廃棄してください。"))
    return tuple(out)


def sections(
    data: PacketData, attachments: tuple[AttachmentResult, ...], *, merged: bool = True
) -> list[Section]:
    """The packet's sections that have content, in order.

    ``merged``: the attachments follow in this file (PDF); else they are only listed (DOCX).
    """
    out: list[Section] = []
    sheet = data.hearing_sheet
    if sheet is not None:
        blocks = hearing_sheet.sheet_blocks(sheet, with_criteria=False)
        out.append(Section(hearing_sheet.TITLE, (Part("", blocks),)))
        criteria = hearing_sheet.criteria_blocks(sheet, heading=False)
        if criteria:
            blocks = (Title(hearing_sheet.CRITERIA_TITLE), *criteria)
            out.append(Section(hearing_sheet.CRITERIA_TITLE, (Part("", blocks),)))
    if data.consents:
        out.append(Section("同意の範囲", (Part("", _consents(data.consents)),)))
    if data.policy is not None:
        out.append(Section(policy.TITLE, (Part("", policy.policy_blocks(data.policy)),)))
    if data.timeline:
        out.append(Section("連絡の経過", (Part("", _timeline(data)),)))
    if data.feedback:
        parts = tuple(
            Part(f"{wareki(f.sent_on)} {f.sender_department}", exchanges.feedback_blocks(f))
            for f in data.feedback
        )
        out.append(Section("フィードバック", parts))
    if data.requests:
        parts = tuple(
            Part(f"{wareki(r.requested_on)} {r.requesting_department}", exchanges.request_blocks(r))
            for r in data.requests
        )
        out.append(Section("情報共有の依頼", parts))
    if data.minutes:
        parts = tuple(
            Part(f"{wareki(m.held_on)}", meetings.minutes_blocks(m)) for m in data.minutes
        )
        out.append(Section("ケース会議 議事録", parts))
    if attachments:
        blocks = _attachment_list(attachments, merged)
        out.append(Section("添付資料一覧", (Part("", blocks),)))
    return out


def _consents(consents: tuple[ConsentScope, ...]) -> tuple[Block, ...]:
    out: list[Block] = [Title("同意の範囲")]
    for consent in consents:
        out.append(Heading(f"同意書番号 {consent.consent_number}（{consent.status}）"))
        out.append(
            KeyValues(
                (
                    ("取得した所管課", consent.obtaining_department),
                    ("同意日", wareki(consent.obtained_on) or "—"),
                    ("有効期限", f"{wareki(consent.valid_until)}まで"),
                )
            )
        )
        rows = tuple(
            (r.from_department, r.to_department, Cell("、".join(r.categories), phrase_end="、"))
            for r in consent.rows
        )
        out.append(Table(rows, SCOPE_COLUMNS_MM, SCOPE_HEADINGS))
        if consent.purposes:
            out.append(Bullets(consent.purposes))
    return tuple(out)


def _timeline(data: PacketData) -> tuple[Block, ...]:
    rows = tuple(
        (
            wareki(row.on),
            row.kind,
            f"{row.sender}\n→ {'、'.join(row.recipients)}",
            row.subject,
            Cell("、".join(row.categories), phrase_end="、"),
            row.state,
        )
        for row in data.timeline
    )
    return (
        Title("連絡の経過"),
        Note(f"{len(data.timeline):,}件（古い順）"),
        Table(rows, TIMELINE_COLUMNS_MM, TIMELINE_HEADINGS, size=8.5),
    )


def _attachment_list(attachments: tuple[AttachmentResult, ...], merged: bool) -> tuple[Block, ...]:
    rows = tuple(
        (
            Cell(str(n), align="R"),
            a.title,
            Cell(f"{a.pages}" if a.pages else "—", align="R"),
            _state(a, merged),
        )
        for n, a in enumerate(attachments, 1)
    )
    note = (
        "添付資料は、この一覧の後に順に綴じています。各ページの上下に提供先と作成日を付記しています。"
        if merged
        else "添付資料はこのファイルに含まれません。PDF版のケース記録一式に綴じています。"
    )
    return (
        Title("添付資料一覧"),
        Note(note),
        Table(rows, ATTACHMENT_COLUMNS_MM, ATTACHMENT_HEADINGS, size=9.0),
    )


def _state(attachment: AttachmentResult, merged: bool) -> str:
    if attachment.error:
        return f"{NOT_ATTACHED}（{attachment.error}）"
    return "添付" if merged else "PDF版に添付"
