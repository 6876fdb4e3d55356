"""The mailbox's share of a case packet: its exchanges, the policy, feedback, requests and
attached files, cut like the rest of the packet; and sending a packet as a share.

Connected to :mod:`hub.documents.printing.signals` when imported (``hub.app.load_models``).

For the generating department's own copy: what it sent, and what it received while the
consent still covers it (those messages are the packet's *sources*, checked again before
every download). For another department: the generating department's own records only,
cut to what the consent lets it give that department on the day — the exchanges between the
two (a message the recipient sent is listed without its subject: it is the recipient's
content), the latest policy, the feedback and requests sent to it, and the files sent with
categories the recipient may have. Nothing another department wrote goes into a packet for a
third.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.documents.categories import InformationCategory
from hub.documents.packet.contract import Attachment, TimelineRow
from hub.documents.printing import signals
from hub.documents.printing.models import PacketJob
from hub.documents.printing.parts import MailParts, Scope, file_attachment
from hub.documents.render.exchanges import feedback_fields
from hub.mailbox import printing
from hub.mailbox.compose import Draft
from hub.mailbox.models import (
    Delivery,
    DeliveryState,
    DocumentKind,
    Message,
    MessageDocument,
    MessageKind,
    MessageStatus,
)
from hub.mailbox.read import still_covered
from hub.mailbox.send import dispatch
from hub.models import StoredFile, User

RECALLED = "（取消し）"
OWN_CONTENT = "（{dept}からの連絡）"
COLLECTION_DECISION = InformationCategory.COLLECTION_DECISION.value


class _Collect:
    """Accumulates the parts while walking the case's messages, oldest first."""

    def __init__(self, session: Session, scope: Scope) -> None:
        self.session, self.scope = session, scope
        self.timeline: list[TimelineRow] = []
        self.feedback: list = []
        self.requests: list = []
        self.attachments: list[Attachment] = []
        self.files: set[int] = set()
        self.bytes = 0
        self.categories: set[str] = set()
        self.sources: list[int] = []
        self.policy: tuple[Message, MessageDocument] | None = None

    def row(self, message: Message, recipients: list[str], subject: str, state: str) -> None:
        self.timeline.append(
            TimelineRow(
                on=printing._day(message),
                kind=message.kind.label,
                sender=message.sender_department.name,
                recipients=tuple(recipients),
                subject=subject,
                categories=tuple(InformationCategory(c).label for c in message.categories),
                state=state,
            )
        )

    def content(self, message: Message, visible: set[str] | None) -> None:
        """Add what the message carries: feedback, request, files (and note a policy)."""
        if message.kind == MessageKind.FEEDBACK:
            for doc in message.documents:
                if doc.kind == DocumentKind.FEEDBACK:
                    self._feedback(message, doc, visible)
        if message.kind == MessageKind.SHARING_REQUEST and message.sharing_request_id:
            viewer = self.scope.recipient.id
            self.requests.append(printing.request_data(self.session, viewer, message))
        for doc in message.documents:
            if (
                doc.kind == DocumentKind.POLICY
                and message.sender_department_id == self.scope.owner.id
            ):
                self.policy = (message, doc)
            if doc.kind == DocumentKind.ATTACHMENT and doc.stored_file is not None:
                if visible is None or set(doc.categories) <= visible:
                    self._file(message, doc.stored_file, doc.title, doc.categories)

    def _feedback(self, message: Message, doc: MessageDocument, visible: set[str] | None) -> None:
        """Feedback as sent; for another department its rows the consent lets it have."""
        user = self.scope.actor
        if user is None:
            return
        own = visible is None
        data = printing.feedback_data(self.session, user, message, doc, quote_parent=own)
        carried = set(doc.categories)
        if visible is not None:
            shown = [InformationCategory(c) for c in visible]
            fields, withheld = feedback_fields(doc.content or {}, shown)
            if not fields:
                return
            data = replace(data, fields=fields, withheld=withheld)
            carried &= visible
        self.feedback.append(data)
        self.categories |= carried

    def _file(
        self, message: Message, stored: StoredFile, title: str, categories: list[str]
    ) -> None:
        if stored.id in self.files or stored.content_type != "application/pdf":
            return
        self.files.add(stored.id)
        self.attachments.append(
            file_attachment(self.session, stored, f"{title}（連絡番号{message.id}）")
        )
        self.bytes += stored.size
        self.categories |= set(categories)

    def parts(self, day: date) -> MailParts:
        policy = None
        if self.policy is not None and self.scope.shows(COLLECTION_DECISION):
            message, doc = self.policy
            policy = printing.policy_data(message, doc, day)
            self.categories.add(COLLECTION_DECISION)
        return MailParts(
            policy=policy,
            timeline=tuple(self.timeline),
            feedback=tuple(self.feedback),
            requests=tuple(self.requests),
            attachments=tuple(self.attachments),
            attachment_bytes=self.bytes,
            categories=frozenset(self.categories),
            sources=tuple(self.sources),
        )


def _messages(session: Session, case_id: int) -> list[Message]:
    return list(
        session.scalars(
            select(Message)
            .where(Message.case_id == case_id, Message.status == MessageStatus.SENT)
            .order_by(Message.id)
        )
    )


def _delivery(message: Message, department_id: int) -> Delivery | None:
    return next((d for d in message.deliveries if d.department_id == department_id), None)


def _read_state(deliveries: list[Delivery]) -> str:
    if any(d.is_recalled for d in deliveries):
        return "取消しあり"
    read = sum(1 for d in deliveries if d.is_read)
    return "既読" if read == len(deliveries) else f"既読 {read}/{len(deliveries)}"


def _own_copy(collect: _Collect, message: Message, day: date) -> None:
    owner = collect.scope.owner.id
    if message.sender_department_id == owner:
        names = [d.department.name for d in message.deliveries]
        collect.row(message, names, message.subject, _read_state(list(message.deliveries)))
        collect.content(message, None)
        return
    delivery = _delivery(message, owner)
    if delivery is None:
        return
    covered = delivery.state == DeliveryState.DELIVERED and (
        still_covered(collect.session, message, delivery, day) is None
    )
    if not covered:
        collect.row(message, [collect.scope.owner.name], RECALLED, "取消し")
        return
    collect.sources.append(message.id)
    collect.row(message, [collect.scope.owner.name], message.subject, "受信")
    collect.content(message, None)


def _for_recipient(collect: _Collect, message: Message) -> None:
    scope = collect.scope
    owner, recipient = scope.owner.id, scope.recipient.id
    allowed = set(scope.cut.allowed)
    if message.sender_department_id == owner:
        policy = next((d for d in message.documents if d.kind == DocumentKind.POLICY), None)
        if policy is not None:
            collect.policy = (message, policy)
        for doc in message.documents:
            if doc.kind == DocumentKind.ATTACHMENT and doc.stored_file is not None:
                if doc.categories and set(doc.categories) <= allowed:
                    collect._file(message, doc.stored_file, doc.title, doc.categories)
        delivery = _delivery(message, recipient)
        if delivery is None or delivery.is_recalled or not set(message.categories) <= allowed:
            return
        collect.row(
            message, [scope.recipient.name], message.subject, "既読" if delivery.is_read else "未読"
        )
        collect.categories |= set(message.categories)
        if message.kind == MessageKind.FEEDBACK:
            for doc in message.documents:
                if doc.kind == DocumentKind.FEEDBACK:
                    collect._feedback(message, doc, allowed)
        if message.kind == MessageKind.SHARING_REQUEST and message.sharing_request_id:
            collect.requests.append(printing.request_data(collect.session, recipient, message))
        return
    if message.sender_department_id == recipient and _delivery(message, owner) is not None:
        # The recipient's own message: listed (when, what kind), not quoted.
        subject = OWN_CONTENT.format(dept=scope.recipient.name)
        collect.timeline.append(
            TimelineRow(
                on=printing._day(message),
                kind=message.kind.label,
                sender=scope.recipient.name,
                recipients=(scope.owner.name,),
                subject=subject,
                state="受信",
            )
        )


@signals.packet_parts.connect
def mail_parts(scope: Scope, *, session: Session) -> MailParts:
    """The case's exchanges as the scope may hold them."""
    collect = _Collect(session, scope)
    for message in _messages(session, scope.case.id):
        if scope.is_own:
            _own_copy(collect, message, scope.day)
        else:
            _for_recipient(collect, message)
    return collect.parts(scope.day)


@signals.packet_sources.connect
def sources_changed(job: PacketJob, *, session: Session, user: User, day: date) -> str | None:
    """Why a received message the packet holds may no longer be read, or None."""
    for message_id in job.sources:
        message = session.get(Message, message_id)
        delivery = _delivery(message, job.department_id) if message is not None else None
        if message is None or delivery is None or delivery.is_recalled:
            return f"この一式に含まれる連絡（連絡番号{message_id}）は取り消されています"
        why = still_covered(session, message, delivery, day)
        if why is not None:
            return (
                f"この一式に含まれる連絡（連絡番号{message_id}）は"
                f"本人の同意の範囲外になりました（{why}）"
            )
    return None


@signals.packet_share.connect
def share(job: PacketJob, *, session: Session, user: User, stored: StoredFile, day: date) -> int:
    """Send the packet to its recipient as a share: checked by the gate like any share,
    recalled like any share when the consent ends; it then is in the 提供記録."""
    content: dict[str, Any] = {
        "pages": job.pages,
        "format": job.format.value,
        "withheld": list(job.withheld),
    }
    document = MessageDocument(
        kind=DocumentKind.PACKET,
        title=f"ケース記録一式（{job.recipient.name}宛て）",
        categories=list(job.categories),
        stored_file_id=stored.id,
        packet_job_id=job.id,
        content=content,
        sha256=stored.sha256,
    )
    draft = Draft(
        kind=MessageKind.SHARE,
        case=job.case,
        recipients=[job.recipient],
        subject=f"ケース記録一式（ケース{job.case_id}）",
        body=(
            f"{job.department.name}が本人の同意の範囲で作成したケース記録一式です"
            f"（{job.pages}ページ）。取扱いに注意し、不要になったら確実に廃棄してください。"
        ),
        feedback_due=None,
        documents=[document],
    )
    message = dispatch(session, user, draft, today=day)
    return message.id
