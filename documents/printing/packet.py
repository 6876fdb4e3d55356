"""Gather a case packet's content for one recipient and write it to a file.

:func:`scope_for` asks the gate what the case's lead may give the recipient on the day;
:func:`gather` turns the lead's records and the mailbox's parts into a
:class:`~hub.documents.packet.contract.PacketData` holding exactly that, and :func:`write_to`
streams it to a file. Nothing here decides who may ask (see :mod:`.jobs`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import BinaryIO

from sqlalchemy.orm import Session

from hub.documents.categories import ORDER, InformationCategory
from hub.documents.consent import disclosure, gate
from hub.documents.hearing.visible import Cuts
from hub.documents.packet.assemble import write_packet_pdf
from hub.documents.packet.contract import PacketData, PacketResult, Progress
from hub.documents.packet.word import write_packet_docx
from hub.documents.printing import signals
from hub.documents.printing.parts import MailParts, Scope, own_parts
from hub.documents.printing.sheet import case_reference
from hub.models import Case, Department, User


@dataclass(frozen=True)
class Gathered:
    data: PacketData
    #: The information categories the packet carries, in display order.
    categories: list[str]
    #: The categories left out for the recipient (values, display order).
    withheld: list[str]
    consent_ids: list[int]
    sources: list[int]
    attachment_bytes: int


def scope_for(
    session: Session,
    actor: User | None,
    case: Case,
    recipient: Department,
    day: date,
    *,
    action: str,
) -> Scope:
    """What the case's lead may give ``recipient`` on ``day`` (audited as ``action``)."""
    cut = disclosure.cut_between(
        session,
        actor,
        case.resident_id,
        case.lead_department_id,
        recipient.id,
        action=action,
        obj=case,
        day=day,
    )
    return Scope(case, case.lead_department, recipient, cut, day, actor)


def _mail_parts(session: Session, scope: Scope) -> MailParts:
    found = signals.answers(signals.packet_parts, scope, session=session)
    return found[0] if found else MailParts()


def gather(session: Session, scope: Scope, *, generated_by: str, now: datetime) -> Gathered:
    """The packet's content for the scope's recipient, and what it carries and leaves out."""
    cuts = Cuts(
        session,
        scope.actor,
        scope.case,
        "packet.gather",
        scope.day,
        viewer_department_id=scope.recipient.id,
    )
    own = own_parts(session, scope, cuts)
    mail = _mail_parts(session, scope)
    carried = sorted(
        (own.categories | set(mail.categories)) & scope.cut.allowed,
        key=[c.value for c in ORDER].index,
    )
    withheld = [c.value for c in ORDER if not scope.shows(c.value)]
    consent_ids: list[int] = []
    if not scope.is_own and carried:
        decision = gate.covers(
            session, scope.case.resident_id, scope.owner.id, scope.recipient.id, carried, scope.day
        )
        consent_ids = decision.consent_ids
    case = scope.case
    data = PacketData(
        case_reference=case_reference(case),
        resident_name=case.resident.name,
        departments=_departments(scope),
        generating_department=scope.owner.name,
        generated_by=generated_by,
        generated_at=now,
        recipient_department=scope.recipient.name,
        withheld=tuple(InformationCategory(c).label for c in withheld),
        hearing_sheet=own.sheet,
        consents=own.consents,
        policy=mail.policy,
        timeline=mail.timeline,
        feedback=mail.feedback,
        requests=mail.requests,
        attachments=(*own.attachments, *mail.attachments),
    )
    return Gathered(
        data,
        carried,
        withheld,
        consent_ids,
        list(mail.sources),
        own.attachment_bytes + mail.attachment_bytes,
    )


def _departments(scope: Scope) -> tuple[str, ...]:
    """The cover's 関係所管課: the case's departments, its lead first, for its own copy; for
    another department only the lead and itself (which departments work the case says which
    of them the resident is a client of: not the recipient's to learn from a packet)."""
    if not scope.is_own:
        return (scope.owner.name, scope.recipient.name)
    case = scope.case
    involved = sorted(
        case.involvements,
        key=lambda i: (i.department_id != case.lead_department_id, i.department_id),
    )
    return tuple(i.department.name for i in involved)


def write_to(
    data: PacketData,
    out: BinaryIO,
    fmt: str,
    *,
    password: str | None = None,
    progress: Progress | None = None,
) -> PacketResult | None:
    """Write the packet to ``out`` (an empty binary file): PDF with its attachments, or DOCX."""
    if fmt == "pdf":
        return write_packet_pdf(data, out, password=password or None, progress=progress)
    write_packet_docx(data, out)
    return None
