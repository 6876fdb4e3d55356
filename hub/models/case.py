"""Cases (ケース): one resident worked by a lead department and involved departments."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Enum, ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import Base, utcnow
from hub.models.department import Department
from hub.models.resident import Resident

if TYPE_CHECKING:
    from hub.models.user import User


class CaseStatus(enum.StrEnum):
    OPEN = "open"
    MONITORING = "monitoring"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {"open": "対応中", "monitoring": "見守り", "closed": "終了"}[self.value]


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        # The dashboard's recent cases and the case list's first pages, newest change first:
        # read backwards until enough of the department's cases are found, not sorted whole.
        Index("ix_cases_updated_at", "updated_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    lead_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    status: Mapped[CaseStatus] = mapped_column(
        Enum(
            CaseStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]
        ),
        default=CaseStatus.OPEN,
    )
    #: 相談の概要 — short, no amounts or diagnoses (those belong in the hearing sheet).
    summary: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    #: 訴訟・不服申立て・監査等で保存が必要（リーガルホールド）: the retention job keeps it.
    legal_hold: Mapped[bool] = mapped_column(default=False)
    #: When the retention job removed its contents (the row stays, counted, without content).
    anonymised_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    resident: Mapped[Resident] = relationship(lazy="joined")
    lead_department: Mapped[Department] = relationship(lazy="joined")
    involvements: Mapped[list[CaseDepartment]] = relationship(
        back_populates="case", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def department_ids(self) -> set[int]:
        return {inv.department_id for inv in self.involvements}

    def is_visible_to(self, user: User) -> bool:
        """A case is visible to staff and managers of an involved department."""
        return user.can_read_cases and user.department_id in self.department_ids

    def is_led_by(self, user: User) -> bool:
        """The lead department owns the case's records: its summary, sheets, judgements."""
        return user.can_read_cases and user.department_id == self.lead_department_id


class CaseDepartment(Base):
    """A department involved in a case (the lead department is one too)."""

    __tablename__ = "case_departments"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id"), primary_key=True, index=True
    )
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    added_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    case: Mapped[Case] = relationship(back_populates="involvements")
    department: Mapped[Department] = relationship(lazy="joined")
