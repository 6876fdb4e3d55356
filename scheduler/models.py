"""What the scheduler keeps: each job run (for the admin page) and the consent reminders'
done marks. Feedback reminders live with the mailbox (hub.mailbox.models.FeedbackReminder)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, utcnow


class RunOutcome(enum.StrEnum):
    RUNNING = "running"
    OK = "ok"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {"running": "実行中", "ok": "正常", "failed": "失敗"}[self.value]


class JobRun(Base):
    """One run of a job: when, by which process, how many rows, and the error if it failed."""

    __tablename__ = "job_runs"
    __table_args__ = (Index("ix_job_runs_job_id", "job", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[RunOutcome] = mapped_column(
        Enum(
            RunOutcome, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]
        )
    )
    #: ``schedule`` (the scheduler process), ``manual`` (CLI or admin page).
    trigger: Mapped[str] = mapped_column(String(16), default="schedule")
    is_dry_run: Mapped[bool] = mapped_column(default=False)
    #: host:pid of the process that ran it.
    runner: Mapped[str] = mapped_column(String(80), default="")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    rows: Mapped[int] = mapped_column(default=0)
    #: The exception's type and message (never personal data: jobs raise without it).
    error: Mapped[str] = mapped_column(String(500), default="")


class ConsentReminderStage(enum.StrEnum):
    #: X days before the validity ends: the obtaining department is told what will be recalled.
    WARNING = "warning"
    #: The day after the last day: marked expired, shares recalled, both sides told.
    EXPIRED = "expired"


class ConsentReminder(Base):
    """The consent job's done mark: one row per consent and stage."""

    __tablename__ = "consent_reminders"
    __table_args__ = (UniqueConstraint("consent_id", "stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consent_id: Mapped[int] = mapped_column(ForeignKey("consents.id"))
    stage: Mapped[ConsentReminderStage] = mapped_column(
        Enum(
            ConsentReminderStage,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    #: The consent's last day (有効期限) the reminder counted from.
    valid_until: Mapped[date]
    #: The shares it listed: [{"message_id", "from", "to"}] (numbers and department ids only).
    shares: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
