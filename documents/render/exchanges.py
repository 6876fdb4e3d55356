"""フィードバック票 and 情報共有依頼書, printed as they were sent through the mailbox.

The contracts hold the frozen content of the message (never today's data): who sent it, when,
the due date, what it said, and the answers. ``feedback_fields`` turns the mailbox's stored
feedback content into printed rows and leaves out the private-debt rows a reader may not see.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from hub.documents.categories import InformationCategory
from hub.jp import wareki

from .blocks import Block, Content, Heading, KeyValues, Note, Table, Title, withheld
from .emit import render_docx, render_pdf
from .page import TEXT_WIDTH_MM, Cell, Marking

FEEDBACK_TITLE = "フィードバック票"
REQUEST_TITLE = "情報共有依頼書"
#: The stored feedback content (mailbox) → printed label; the category of each row.
FEEDBACK_FIELDS = (
    ("done", "実施した支援・対応", InformationCategory.SUPPORT_STATUS),
    ("support_status_label", "支援の状況", InformationCategory.SUPPORT_STATUS),
    ("debt_status_label", "民間債権の支払状況", InformationCategory.PRIVATE_DEBTS),
    ("debt_note", "民間債権の支払状況（詳細）", InformationCategory.PRIVATE_DEBTS),
    ("next_steps", "今後の予定", InformationCategory.SUPPORT_STATUS),
    ("free_text", "その他", InformationCategory.SUPPORT_STATUS),
)
REPLY_STATES = {
    "answered": "回答済み",
    "shared": "共有済み",
    "declined": "辞退",
    "waiting": "未回答",
}
REPLY_HEADINGS = ("所管課", "状況", "日付", "内容・理由")
REPLY_COLUMNS_MM = (40.0, 22.0, 30.0, TEXT_WIDTH_MM - 92.0)


@dataclass(frozen=True)
class Reply:
    """What one department did with a request: answered, shared, declined (why), or nothing."""

    department: str
    state: str  # a key of REPLY_STATES
    on: date | None = None
    text: str = ""


@dataclass(frozen=True)
class FeedbackData:
    message_number: int
    case_reference: str
    resident_name: str
    sender_department: str
    sender_staff: str
    sent_on: date
    recipients: tuple[str, ...]
    #: The share that asked for feedback, and by when.
    request_subject: str
    requested_on: date | None
    due_on: date | None
    #: Label / text as sent (see ``feedback_fields``).
    fields: tuple[tuple[str, str], ...]
    withheld: tuple[str, ...] = ()
    body: str = ""
    #: Receipts: who opened it, when.
    replies: tuple[Reply, ...] = ()


@dataclass(frozen=True)
class SharingRequestData:
    request_number: int
    case_reference: str
    resident_name: str
    requesting_department: str
    requested_by: str
    requested_on: date
    due_on: date | None
    #: Each department asked and the category labels asked of it.
    asked: tuple[tuple[str, tuple[str, ...]], ...]
    consent_numbers: tuple[int, ...]
    note: str = ""
    replies: tuple[Reply, ...] = ()


def feedback_fields(
    content: Mapping[str, Any], visible: Collection[InformationCategory] | None = None
) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """Printed rows of a stored feedback content, and the category labels left out."""
    shown = set(InformationCategory) if visible is None else set(visible)
    rows, hidden = [], []
    for key, label, category in FEEDBACK_FIELDS:
        if category not in shown:
            if category.label not in hidden:
                hidden.append(category.label)
            continue
        if content.get(key):
            rows.append((label, str(content[key])))
    return tuple(rows), tuple(hidden)


def _replies(replies: tuple[Reply, ...]) -> Table:
    rows = tuple(
        (r.department, REPLY_STATES.get(r.state, r.state), wareki(r.on) or "—", r.text)
        for r in replies
    )
    return Table(rows, REPLY_COLUMNS_MM, REPLY_HEADINGS)


def feedback_blocks(data: FeedbackData) -> tuple[Block, ...]:
    """Every printed text of the feedback form, in order."""
    out: list[Block] = [
        Note(f"送信日　{wareki(data.sent_on)}　連絡番号 {data.message_number}", align="R"),
        Title(FEEDBACK_TITLE),
        KeyValues(
            (
                ("ケース", data.case_reference),
                ("対象者", data.resident_name),
                ("送信元", f"{data.sender_department}　{data.sender_staff}".strip()),
                ("宛先", "、".join(data.recipients)),
                ("依頼された連絡", data.request_subject or "—"),
                ("依頼日", wareki(data.requested_on) or "—"),
                ("回答期限", wareki(data.due_on) or "—"),
            )
        ),
        Heading("フィードバックの内容"),
    ]
    if data.withheld:
        out.append(withheld(data.withheld))
    if data.fields:
        out.append(KeyValues(data.fields, label_width=46.0))
    if data.body:
        out.append(KeyValues((("本文", data.body),), label_width=46.0))
    if data.replies:
        out += [Heading("受信の状況"), _replies(data.replies)]
    return tuple(out)


def request_blocks(data: SharingRequestData) -> tuple[Block, ...]:
    """Every printed text of the sharing request, in order."""
    consents = "、".join(f"同意書番号 {n}" for n in data.consent_numbers) or "—"
    out: list[Block] = [
        Note(f"依頼日　{wareki(data.requested_on)}　依頼番号 {data.request_number}", align="R"),
        Title(REQUEST_TITLE),
        KeyValues(
            (
                ("ケース", data.case_reference),
                ("対象者", data.resident_name),
                ("依頼元", f"{data.requesting_department}　{data.requested_by}".strip()),
                ("回答期限", wareki(data.due_on) or "—"),
                ("根拠となる同意", consents),
            )
        ),
        Heading("依頼する情報"),
        Table(
            tuple((dept, Cell("、".join(labels), phrase_end="、")) for dept, labels in data.asked),
            (50.0, TEXT_WIDTH_MM - 50.0),
            ("依頼先（提供元）", "情報の区分"),
        ),
    ]
    if data.note:
        out += [Heading("依頼の理由・連絡事項"), KeyValues((("内容", data.note),))]
    if data.replies:
        out += [Heading("回答の状況"), _replies(data.replies)]
    return tuple(out)


def render_feedback_pdf(data: FeedbackData) -> bytes:
    return render_pdf(Content(_feedback_marking(data), feedback_blocks(data)))


def render_feedback_docx(data: FeedbackData) -> bytes:
    return render_docx(Content(_feedback_marking(data), feedback_blocks(data)))


def render_request_pdf(data: SharingRequestData) -> bytes:
    return render_pdf(Content(_request_marking(data), request_blocks(data)))


def render_request_docx(data: SharingRequestData) -> bytes:
    return render_docx(Content(_request_marking(data), request_blocks(data)))


def _feedback_marking(data: FeedbackData) -> Marking:
    reference = f"{data.case_reference}　連絡番号 {data.message_number}"
    return Marking(department=data.sender_department, reference=reference, title=FEEDBACK_TITLE)


def _request_marking(data: SharingRequestData) -> Marking:
    reference = f"{data.case_reference}　依頼番号 {data.request_number}"
    return Marking(department=data.requesting_department, reference=reference, title=REQUEST_TITLE)
