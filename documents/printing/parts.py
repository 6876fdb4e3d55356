"""What a case packet holds for one recipient, part by part, cut by the consent gate.

A packet holds the generating department's records about the case (it is the case's lead:
the hearing sheet, the 共通目安, the consents it obtained, what it sent) as the gate lets that
department give the recipient on the day — the same question the mailbox asks before a
share. For its own copy it holds everything the department may read of the case, what it
received included (checked again before every download). The mailbox's parts come from
``hub.mailbox.packets`` through :mod:`.signals`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from typing import BinaryIO

from fpdf import FPDF
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import storage
from hub.documents.categories import InformationCategory
from hub.documents.consent import paper_form
from hub.documents.consent.disclosure import Cut
from hub.documents.consent.models import Consent, ConsentStatus
from hub.documents.hearing import services as hearing
from hub.documents.hearing.visible import Cuts, visible
from hub.documents.packet.contract import Attachment, ConsentScope, TimelineRow
from hub.documents.printing.sheet import sheet_contract
from hub.documents.render.consent_form import StatementRow
from hub.documents.render.exchanges import FeedbackData, SharingRequestData
from hub.documents.render.hearing_sheet import HearingSheetData
from hub.documents.render.policy import PolicyData
from hub.models import Case, Department, StoredFile, User
from hub.storage import JPEG, PNG

LIFE = InformationCategory.LIFE_SITUATION.value


@dataclass(frozen=True)
class Scope:
    """Whose records, for whom, on which day, and what the gate lets the one give the other."""

    case: Case
    owner: Department
    recipient: Department
    #: What the owner may give the recipient on ``day`` (everything for its own copy).
    cut: Cut
    day: date
    actor: User | None

    @property
    def is_own(self) -> bool:
        return self.owner.id == self.recipient.id

    def shows(self, category: str) -> bool:
        return self.cut.shows(category)


@dataclass(frozen=True)
class MailParts:
    """What the mailbox adds: the owner's policy, the exchanges, feedback, requests, files."""

    policy: PolicyData | None = None
    timeline: tuple[TimelineRow, ...] = ()
    feedback: tuple[FeedbackData, ...] = ()
    requests: tuple[SharingRequestData, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    #: Size of the attached files (decides whether the packet is made in the background).
    attachment_bytes: int = 0
    #: The information categories of what is included.
    categories: frozenset[str] = frozenset()
    #: Messages received from other departments whose content is included (own copy only).
    sources: tuple[int, ...] = ()


@dataclass
class OwnParts:
    """What the generating department's own records add."""

    sheet: HearingSheetData | None = None
    consents: tuple[ConsentScope, ...] = ()
    attachments: list[Attachment] = field(default_factory=list)
    attachment_bytes: int = 0
    categories: set[str] = field(default_factory=set)


def file_attachment(session: Session, stored: StoredFile, title: str) -> Attachment:
    """A stored file to merge, read (and decrypted) only while it is merged.

    The read does not use the session, so a packet can be built with no transaction open
    (the scheduler commits progress while it builds). A scanned image becomes a PDF page.
    """
    keeper = storage.storage_for(session)

    def source() -> BinaryIO:
        try:
            data = storage.read(None, stored, storage=keeper)
        except storage.StoredFileUnreadable as exc:  # listed as 「ファイルを開けません」
            raise OSError("stored file unreadable") from exc
        if stored.content_type in (PNG, JPEG):
            data = image_pdf(data)
        return io.BytesIO(data)

    pages = 1 if stored.content_type in (PNG, JPEG) else None
    return Attachment(title, source, pages=pages)


def image_pdf(data: bytes) -> bytes:
    """One A4 page with the image fitted inside 10 mm margins (a signed scan sent as a photo)."""
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.image(io.BytesIO(data), x=10, y=10, w=190, h=277, keep_aspect_ratio=True)
    return bytes(pdf.output())


def own_parts(session: Session, scope: Scope, cuts: Cuts) -> OwnParts:
    """The latest hearing sheet and the 共通目安, the consents and their signed scans."""
    parts = OwnParts()
    latest = hearing.latest(session, scope.case.id)
    if latest is not None:
        owner_cut = cuts.of(latest.department_id)
        seen = visible(latest, owner_cut)
        parts.sheet = sheet_contract(session, scope.case, seen, cuts, issued_on=scope.day)
        parts.categories |= {c for c in seen.present if owner_cut.shows(c)}
        if parts.sheet.criteria and not parts.sheet.criteria_withheld:
            parts.categories.add(LIFE)
    scopes = []
    for consent in _consents(session, scope):
        grants = [
            g
            for g in consent.grants
            if scope.is_own or scope.recipient.id in (g.from_department_id, g.to_department_id)
        ]
        if not grants:
            continue
        rows = tuple(
            StatementRow(r.from_department.name, r.to_department.name, r.labels)
            for r in paper_form.rows_of(session, consent, grants)
        )
        scopes.append(
            ConsentScope(
                consent_number=consent.id,
                obtaining_department=consent.obtaining_department.name,
                obtained_on=consent.obtained_on,
                valid_until=consent.valid_until,
                status=consent.status_on(scope.day).label,
                rows=rows,
                purposes=tuple(consent.purposes) if scope.is_own else (),
            )
        )
        if consent.scan is not None and _scan_goes(consent, scope):
            title = f"署名済み同意書（同意書番号 {consent.id}）"
            parts.attachments.append(file_attachment(session, consent.scan, title))
            parts.attachment_bytes += consent.scan.size
    parts.consents = tuple(scopes)
    return parts


def _consents(session: Session, scope: Scope) -> list[Consent]:
    """The resident's consents the generating department obtained (not drafts)."""
    return list(
        session.scalars(
            select(Consent)
            .where(
                Consent.resident_id == scope.case.resident_id,
                Consent.obtaining_department_id == scope.owner.id,
                Consent.status != ConsentStatus.DRAFT,
            )
            .order_by(Consent.id)
        )
    )


def _scan_goes(consent: Consent, scope: Scope) -> bool:
    """The signed form goes to another department as the mailbox shares it: while the consent
    is in force that day (the packet gives the recipient at least one category)."""
    if scope.is_own:
        return True
    return consent.status_on(scope.day) == ConsentStatus.ACTIVE and (
        consent.obtained_on is not None and consent.obtained_on <= scope.day
    )
