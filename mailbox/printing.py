"""Print what was sent through the mailbox: 徴収可否の判断・今後の方針, フィードバック票 and
情報共有依頼書, from the frozen content of the message (never today's data).

Printing is reading: it goes through :func:`hub.mailbox.read.open_message`, so the sender
prints its own copy and a recipient prints only while its delivery is still covered by
consent (a recalled share answers 409), and the first print is a first read.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from hub import audit, jp
from hub.documents.categories import InformationCategory
from hub.documents.consent.models import SharingRequest
from hub.documents.printing.output import Printout, parse_format, render
from hub.documents.render import exchanges, policy
from hub.documents.render.exchanges import FeedbackData, Reply, SharingRequestData
from hub.documents.render.policy import ClaimDecision, PolicyData
from hub.errors import NotFound
from hub.mailbox import access, read
from hub.mailbox.models import Delivery, DocumentKind, Message, MessageDocument, MessageKind
from hub.models import User

NOT_PRINTABLE = (
    "この連絡には印刷する様式がありません（印刷できるのは、今後の方針・フィードバック・"
    "情報共有の依頼です）。"
)


def _day(message: Message) -> date:
    when = jp.local(message.sent_at or message.created_at)
    assert when is not None
    return when.date()


def reference(message: Message) -> str:
    return f"ケース {message.case_id}" if message.case_id else ""


def policy_data(message: Message, document: MessageDocument, today: date) -> PolicyData:
    """The printed policy of a policy document, as sent."""
    content = document.content or {}
    claims = tuple(
        ClaimDecision(
            claim=c.get("claim", ""),
            arrears=None,
            decision=c.get("decision", ""),
            monthly=c.get("monthly"),
            months=c.get("months"),
            start=c.get("start", ""),
            until=c.get("until", ""),
            note=c.get("note", ""),
        )
        for c in content.get("claims") or []
    )
    return PolicyData(
        case_reference=reference(message),
        resident_name=message.resident.name if message.resident else "",
        department=message.sender_department.name,
        decided_by=message.sender_user.display_name,
        decided_on=_day(message),
        issued_on=today,
        pattern=content.get("pattern", ""),
        pattern_label=content.get("label", ""),
        note=content.get("note", ""),
        stop_execution=bool(content.get("stop_execution")),
        claims=claims,
    )


def _receipts(message: Message, viewer_id: int) -> tuple[Reply, ...]:
    """For the sender: whether each recipient opened it (the printed 受信の状況)."""
    if message.sender_department_id != viewer_id:
        return ()
    out = []
    for d in message.deliveries:
        opened = jp.local(d.first_read_at)
        text = "取消し" if d.is_recalled else ("開封済み" if opened else "未開封")
        out.append(Reply(d.department.name, "shared", opened.date() if opened else None, text))
    return tuple(out)


def feedback_data(
    session: Session,
    user: User,
    message: Message,
    document: MessageDocument,
    *,
    quote_parent: bool = True,
) -> FeedbackData:
    """The printed feedback form, as sent; the answered share's subject only while readable
    (and not at all with ``quote_parent=False``: in a packet for another department)."""
    fields, withheld = exchanges.feedback_fields(document.content or {})
    parent = (
        access.readable_message(session, user, message.parent_id)
        if message.parent_id and quote_parent
        else None
    )
    return FeedbackData(
        message_number=message.id,
        case_reference=reference(message),
        resident_name=message.resident.name if message.resident else "",
        sender_department=message.sender_department.name,
        sender_staff=message.sender_user.display_name,
        sent_on=_day(message),
        recipients=tuple(r.department.name for r in message.recipients),
        request_subject=f"{parent.subject}（連絡番号{parent.id}）" if parent else "",
        requested_on=_day(parent) if parent else None,
        due_on=parent.feedback_due if parent else None,
        fields=fields,
        withheld=withheld,
        body=message.body,
        replies=_receipts(message, user.department_id) if quote_parent else (),
    )


def _request_replies(message: Message, viewer_id: int) -> tuple[Reply, ...]:
    """Each asked department's answer the viewer may see: all for the requester, else its own."""
    mine = message.sender_department_id == viewer_id
    out = []
    for d in message.deliveries:
        if not mine and d.department_id != viewer_id:
            continue
        out.append(_reply(d))
    return tuple(out)


def _reply(d: Delivery) -> Reply:
    if d.is_recalled:
        return Reply(d.department.name, "declined", d.recalled_on, "取消し（同意の範囲外）")
    if d.declined_at:
        when = jp.local(d.declined_at)
        return Reply(d.department.name, "declined", when.date() if when else None, d.decline_reason)
    if d.feedback_received_at:
        when = jp.local(d.feedback_received_at)
        number = f"連絡番号{d.feedback_message_id}" if d.feedback_message_id else ""
        return Reply(d.department.name, "shared", when.date() if when else None, number)
    return Reply(d.department.name, "waiting")


def request_data(session: Session, viewer_id: int, message: Message) -> SharingRequestData:
    """The printed 情報共有依頼書: what was asked of each department the viewer (a department
    id) may see — all of it for the requester, else what was asked of the viewer."""
    request = session.get(SharingRequest, message.sharing_request_id)
    if request is None:
        raise NotFound(NOT_PRINTABLE)
    names = {d.department_id: d.department.name for d in message.deliveries}
    asked = tuple(
        (
            names.get(dept_id, f"所管課{dept_id}"),
            tuple(_label(c) for c in categories),
        )
        for dept_id, categories in request.by_department(viewer_id).items()
    )
    return SharingRequestData(
        request_number=message.id,
        case_reference=reference(message),
        resident_name=message.resident.name if message.resident else "",
        requesting_department=message.sender_department.name,
        requested_by=message.sender_user.display_name,
        requested_on=_day(message),
        due_on=message.feedback_due,
        asked=asked,
        consent_numbers=tuple(request.consent_ids),
        note=request.note,
        replies=_request_replies(message, viewer_id),
    )


def _label(category: str) -> str:
    return InformationCategory(category).label


def print_message(session: Session, user: User, message_id: int, fmt: str | None) -> Printout:
    """Print the form a message carries, as sent: its 徴収可否の判断・今後の方針, its
    フィードバック票, or the 情報共有依頼書 it is. A recalled delivery answers 409 (the same
    check as opening it); a message with nothing to print, 404."""
    fmt = parse_format(fmt)
    view = read.open_message(session, user, message_id)
    if view.delivery is not None and view.is_recalled:  # only a received copy is recalled
        raise read.refused_recalled(session, user, "print.message", view.delivery)
    message, today = view.message, jp.today()
    kinds = {d.kind: d for d in view.documents}
    data: Any
    pdf: Callable[[Any], bytes]
    docx: Callable[[Any], bytes]
    if message.kind == MessageKind.SHARING_REQUEST and message.sharing_request_id:
        data = request_data(session, user.department_id, message)
        stem, pdf, docx = (
            "情報共有依頼書",
            exchanges.render_request_pdf,
            exchanges.render_request_docx,
        )
    elif DocumentKind.FEEDBACK in kinds:
        data = feedback_data(session, user, message, kinds[DocumentKind.FEEDBACK])
        stem, pdf, docx = (
            "フィードバック票",
            exchanges.render_feedback_pdf,
            exchanges.render_feedback_docx,
        )
    elif DocumentKind.POLICY in kinds:
        data = policy_data(message, kinds[DocumentKind.POLICY], today)
        stem, pdf, docx = (
            "徴収可否の判断・今後の方針",
            policy.render_policy_pdf,
            policy.render_policy_docx,
        )
    else:
        raise access.deny(
            session, user, "print.message", message_id, "nothing to print", NotFound(NOT_PRINTABLE)
        )
    audit.record(session, user, "print.message", message, reason=f"{stem} {fmt}")
    return render(fmt, f"{stem}_連絡番号{message.id}", data, pdf, docx)
