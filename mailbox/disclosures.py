"""提供記録: every time a resident's information left a department — from the deliveries of
case messages (shares, feedback, packets sent as shares) and the packets handed over on paper.

Who sees which rows: a department sees the provisions it made or received, never those between
other departments (that a resident is a client of a support department is itself personal data
the consent governs). A disclosure request (開示請求) is answered by each department involved
printing its own record; together they make the whole. See docs/architecture.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from hub import audit, jp, settings
from hub.documents.categories import InformationCategory
from hub.documents.consent import access
from hub.documents.consent import settings as consent_settings
from hub.documents.printing.models import PacketJob, PacketMethod
from hub.documents.printing.output import Printout, parse_format, render
from hub.documents.render.disclosures import (
    PURPOSES,
    DisclosureRecordData,
    DisclosureRow,
    render_disclosures_docx,
    render_disclosures_pdf,
)
from hub.errors import InvalidInput
from hub.mailbox.models import Delivery, Message, MessageKind, MessageStatus
from hub.models import Resident, User

#: Kinds of message that give information (a request asks; a notice has no resident).
PROVIDING = (MessageKind.SHARE, MessageKind.FEEDBACK)
NO_CATEGORY = "（同意書の写し・連絡文のみ）"


@dataclass(frozen=True)
class Record:
    resident: Resident
    rows: list[DisclosureRow]
    #: The message of each row (None for paper), for links on the page.
    messages: list[int | None]
    scope_note: str


def _day(value: datetime | None) -> date | None:
    local = jp.local(value)
    return local.date() if local else None


def _labels(categories: list[str]) -> tuple[str, ...]:
    return tuple(InformationCategory(c).label for c in categories) or (NO_CATEGORY,)


def _numbers(ids: list[int]) -> dict[str, Any]:
    ordered = tuple(sorted(ids))
    return {"consent_number": ordered[0] if ordered else None, "consent_numbers": ordered}


def record(
    session: Session,
    user: User,
    resident_id: int,
    *,
    period_from: date | None = None,
    period_to: date | None = None,
    action: str = "disclosures.view",
) -> Record:
    """The provisions of a resident's information the user's department made or received."""
    resident = access.resident(session, user, resident_id, action)
    dept = user.department_id
    found: list[tuple[date, int, DisclosureRow, int | None]] = []
    query = (
        select(Message, Delivery)
        .join(Delivery, Delivery.message_id == Message.id)
        .where(
            Message.resident_id == resident.id,
            Message.status == MessageStatus.SENT,
            Message.kind.in_(PROVIDING),
            or_(Message.sender_department_id == dept, Delivery.department_id == dept),
        )
        .order_by(Message.id, Delivery.id)
    )
    for message, delivery in session.execute(query):
        on = _day(message.sent_at) or jp.today()
        row = DisclosureRow(
            provided_on=on,
            from_department=message.sender_department.name,
            to_department=delivery.department.name,
            categories=_labels(message.categories),
            basis=message.basis.label,
            method="ハブ",
            read_on=_day(delivery.first_read_at),
            recalled_on=delivery.recalled_on,
            **_numbers(message.consent_ids),
        )
        found.append((on, message.id, row, message.id))
    paper = select(PacketJob).where(
        PacketJob.resident_id == resident.id,
        PacketJob.method == PacketMethod.PAPER,
        PacketJob.handed_over_at.is_not(None),
        or_(PacketJob.department_id == dept, PacketJob.recipient_department_id == dept),
    )
    for job in session.scalars(paper):
        on = _day(job.handed_over_at) or jp.today()
        row = DisclosureRow(
            provided_on=on,
            from_department=job.department.name,
            to_department=job.recipient.name,
            categories=_labels(job.categories),
            method="紙",
            **_numbers(job.consent_ids),
        )
        found.append((on, 0, row, None))
    found = [
        f
        for f in found
        if (period_from is None or f[0] >= period_from) and (period_to is None or f[0] <= period_to)
    ]
    found.sort(key=lambda f: (f[0], f[1]))
    note = (
        f"{user.department.name}が提供元または提供先となった提供です。"
        "他の所管課の間の提供は、それぞれの所管課の記録にあります。"
    )
    audit.record(session, user, action, resident, reason=f"{len(found)} rows")
    return Record(resident, [f[2] for f in found], [f[3] for f in found], note)


def _date(raw: Any, name: str, label: str) -> date | None:
    if raw in (None, ""):
        return None
    try:
        return jp.parse_date(str(raw))
    except ValueError:
        message = f"{label}は 2026-04-01 または 令和8年4月1日 の形で入力してください。"
        raise InvalidInput(fields={name: message}) from None


def print_record(
    session: Session,
    user: User,
    resident_id: int,
    *,
    purpose: str | None,
    fmt: str | None,
    period_from: Any = None,
    period_to: Any = None,
    request_number: str | None = None,
) -> Printout:
    """The printed 提供記録 (for a 開示請求 or the resident's own copy), audited."""
    fmt = parse_format(fmt)
    purpose = purpose or "own_copy"
    if purpose not in PURPOSES:
        raise InvalidInput(fields={"purpose": "作成の目的を選んでください。"})
    number = (request_number or "").strip()
    if len(number) > 30 or not number.isprintable():
        raise InvalidInput(fields={"number": "受付番号は30文字以内で入力してください。"})
    start = _date(period_from, "from", "対象期間の始め")
    end = _date(period_to, "to", "対象期間の終わり")
    if start and end and end < start:
        raise InvalidInput(fields={"to": "対象期間の終わりが始めより前になっています。"})
    found = record(
        session, user, resident_id, period_from=start, period_to=end, action="print.disclosures"
    )
    department = user.department
    data = DisclosureRecordData(
        city_name=settings.get(session, consent_settings.CITY_NAME.key),
        resident_name=found.resident.name,
        atena_no=found.resident.atena_no,
        issuing_department=department.name,
        issued_on=jp.today(),
        purpose=purpose,
        rows=tuple(found.rows),
        period_from=start,
        period_to=end,
        request_number=number,
        contact=(
            f"{department.name}　電話 {department.contact_phone}"
            if department.contact_phone
            else department.name
        ),
        scope_note=found.scope_note,
    )
    stem = f"提供記録_{department.name}_{jp.today():%Y%m%d}"
    return render(fmt, stem, data, render_disclosures_pdf, render_disclosures_docx)
