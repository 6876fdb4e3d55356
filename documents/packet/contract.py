"""What a packet holds: plain data, filled by the caller from the database and cut views.

Whatever is in a ``PacketData`` is printed; deciding what a recipient may see is the caller's
job (the consent gate), and ``withheld`` names the categories it left out, printed on the
cover. Fields may be added with defaults, never renamed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from hub.documents.render.consent_form import StatementRow
from hub.documents.render.exchanges import FeedbackData, SharingRequestData
from hub.documents.render.hearing_sheet import HearingSheetData
from hub.documents.render.meetings import MinutesData
from hub.documents.render.policy import PolicyData

#: Reports pages done and pages in all, for a progress bar.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Attachment:
    """An uploaded PDF to merge, read only while it is being merged.

    ``source`` is a path or a function returning a new readable, seekable binary stream (for
    example ``lambda: io.BytesIO(storage.read(session, stored_file))``); it may be called more
    than once, and the stream is closed after use.
    """

    title: str  # 「署名済み同意書（同意書番号 12）」
    source: Path | Callable[[], BinaryIO]
    #: Its page count if known (e.g. recorded at upload): the progress total is then known
    #: without opening it twice.
    pages: int | None = None


@dataclass(frozen=True)
class ConsentScope:
    """One consent and its grants, as the scope table of the packet prints them."""

    consent_number: int
    obtaining_department: str
    obtained_on: date | None
    valid_until: date
    status: str  # 「有効」「撤回」「期限切れ」
    rows: tuple[StatementRow, ...]
    purposes: tuple[str, ...] = ()


@dataclass(frozen=True)
class TimelineRow:
    """One exchange of the case (連絡の経過), oldest first."""

    on: date
    kind: str  # 「情報共有」「フィードバック」「情報共有の依頼」
    sender: str
    recipients: tuple[str, ...]
    subject: str
    categories: tuple[str, ...] = ()  # labels
    state: str = ""  # 「既読」「確認済み」「取消し（同意撤回）」


@dataclass(frozen=True)
class PacketData:
    case_reference: str  # 「ケース 7」
    resident_name: str
    departments: tuple[str, ...]  # the case's departments
    generating_department: str  # the author in the metadata
    generated_by: str
    generated_at: datetime  # timezone-aware; printed in Japan time
    #: Stamped on every page; the case's own department for its own copy.
    recipient_department: str
    #: Category labels left out for this recipient (printed on the cover, never their content).
    withheld: tuple[str, ...] = ()
    hearing_sheet: HearingSheetData | None = None
    consents: tuple[ConsentScope, ...] = ()
    policy: PolicyData | None = None
    timeline: tuple[TimelineRow, ...] = ()
    feedback: tuple[FeedbackData, ...] = ()
    requests: tuple[SharingRequestData, ...] = ()
    minutes: tuple[MinutesData, ...] = ()
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class AttachmentResult:
    title: str
    pages: int  # 0 when it could not be attached
    first_page: int | None = None  # in the packet, 1-based
    error: str = ""  # Japanese, shown in the packet: why it could not be attached


@dataclass(frozen=True)
class PacketResult:
    pages: int
    attachments: tuple[AttachmentResult, ...]
    #: Characters the font could not draw (drawn as boxes); never logged.
    missing_characters: tuple[str, ...] = ()
