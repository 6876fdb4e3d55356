"""The directory of counselling windows (相談先) and case-packet jobs (ケース記録一式)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import Base, utcnow
from hub.models import Case, Department, StoredFile, User


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class CounsellingWindow(Base):
    """A counselling window the administrator keeps in the directory (seed 002 相談先一覧表)."""

    __tablename__ = "counselling_windows"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    #: 「こんなときに」: what a resident would go there for, in plain words.
    what_for: Mapped[str] = mapped_column(Text, default="")
    #: Words staff look a window up by (仕事, 家賃, 借金 …), separated by 「、」.
    keywords: Mapped[str] = mapped_column(String(500), default="")
    place: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    hours: Mapped[str] = mapped_column(String(100), default="")
    #: A web address, 「予約制」 …
    note: Mapped[str] = mapped_column(String(300), default="")
    #: 共通目安 numbers (1–6): a case judged 該当 on one of them is offered this window.
    criteria: Mapped[list[int]] = mapped_column(JSON, default=list)
    #: Hearing-sheet facts that suggest it (keys of hub.documents.printing.facts.FACTS).
    facts: Mapped[list[str]] = mapped_column(JSON, default=list)
    sort_order: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PacketMethod(enum.StrEnum):
    """How a packet leaves the generating department (a disclosure unless it is its own)."""

    OWN = "own"
    SHARE = "share"
    PAPER = "paper"

    @property
    def label(self) -> str:
        return {"own": "自所管課の控え", "share": "連絡で提供", "paper": "紙で提供"}[self.value]


class PacketFormat(enum.StrEnum):
    PDF = "pdf"
    DOCX = "docx"

    @property
    def label(self) -> str:
        return {"pdf": "PDF", "docx": "Word（.docx）"}[self.value]


class PacketStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    #: The build broke (a bug, the disk); the error says so without personal data.
    FAILED = "failed"
    #: The consent no longer gave the recipient anything when it was built, or a share was
    #: refused; the error says why.
    REFUSED = "refused"
    #: Built, then its file was removed after the download period (packets.keep_hours).
    EXPIRED = "expired"

    @property
    def label(self) -> str:
        return {
            "queued": "作成待ち",
            "running": "作成中",
            "done": "作成済み",
            "failed": "作成できませんでした",
            "refused": "作成しませんでした",
            "expired": "保存期間終了",
        }[self.value]


class PacketJob(Base):
    """One case packet asked for: made in the request when small, else by the scheduler.

    The web request writes the row; the scheduler claims queued rows, builds the file,
    keeps it encrypted through hub.storage and records the outcome. Progress (``done`` of
    ``total``) is committed while it builds, for the browser's progress bar.
    """

    __tablename__ = "packet_jobs"
    __table_args__ = (
        Index("ix_packet_jobs_status_id", "status", "id"),
        Index("ix_packet_jobs_resident_id_id", "resident_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"))
    #: The case's lead, whose records the packet holds (its author in the PDF metadata).
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: Stamped on every page; the generating department itself for its own copy.
    recipient_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    method: Mapped[PacketMethod] = mapped_column(_enum(PacketMethod))
    format: Mapped[PacketFormat] = mapped_column(_enum(PacketFormat))
    status: Mapped[PacketStatus] = mapped_column(_enum(PacketStatus), default=PacketStatus.QUEUED)
    #: The day the consent gate was asked for the contents (the build's day).
    day: Mapped[date | None]
    #: The information categories the packet carries (what the gate gave the recipient).
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: The categories left out for the recipient (named on the cover).
    withheld: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: The consents that let the department give the recipient those categories.
    consent_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    #: Messages received from other departments whose content is in the packet: checked
    #: again against consent before every download.
    sources: Mapped[list[int]] = mapped_column(JSON, default=list)
    #: The optional PDF password, encrypted with the storage key until the file is built,
    #: then erased (never logged, never shown again).
    password_box: Mapped[str] = mapped_column(Text, default="")
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    pages: Mapped[int] = mapped_column(default=0)
    #: Titles of attachments that could not be attached (listed in the packet too).
    failed_attachments: Mapped[list[str]] = mapped_column(JSON, default=list)
    stored_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    #: 連絡で提供: the number of the mailbox share that carries it (the mailbox's own row
    #: points back with ``message_documents.packet_job_id``).
    message_id: Mapped[int | None]
    #: Japanese, for the screen: why it was refused or failed (no personal data).
    error: Mapped[str] = mapped_column(Text, default="")
    #: 紙で提供: when the printout was first downloaded to be handed over (the provision).
    handed_over_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    #: After this the file is deleted (the row stays for the 提供記録 and the audit).
    expires_at: Mapped[datetime | None]
    #: host:pid of the process that built it.
    runner: Mapped[str] = mapped_column(String(80), default="")

    case: Mapped[Case] = relationship(lazy="joined")
    department: Mapped[Department] = relationship(foreign_keys=[department_id], lazy="joined")
    recipient: Mapped[Department] = relationship(
        foreign_keys=[recipient_department_id], lazy="joined"
    )
    requested_by: Mapped[User] = relationship()
    stored_file: Mapped[StoredFile | None] = relationship()

    @property
    def is_disclosure(self) -> bool:
        return self.method != PacketMethod.OWN

    @property
    def is_finished(self) -> bool:
        return self.status not in (PacketStatus.QUEUED, PacketStatus.RUNNING)

    @property
    def percent(self) -> int:
        if self.status == PacketStatus.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0
