"""共通ヒアリングシート versions and the staff's 共通目安 judgements."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Enum, ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import Base, utcnow
from hub.models import Department, User


class Outcome(enum.StrEnum):
    """A suggestion of the rules, or (met / not_met only) a decision of staff."""

    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return {"met": "該当", "not_met": "非該当", "unknown": "判断材料なし"}[self.value]


def _enum(kind: type[enum.Enum]) -> Enum:
    return Enum(kind, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class HearingSheet(Base):
    """One saved version of a case's hearing sheet; versions are never changed afterwards."""

    __tablename__ = "hearing_sheets"
    __table_args__ = (
        UniqueConstraint("case_id", "version", name="uq_hearing_sheets_case_id_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    #: 版: 1, 2, … within the case; each save adds the next one.
    version: Mapped[int]
    #: The sections, as checked by sections.parse_sheet (structured, never a free-text blob).
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: Derived figures and the proposed joint plan, computed when saved with the settings then
    #: in force (calc.compute), so an old version shows what its author saw.
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: The department the author acted for when saving (a user may move departments). It owns
    #: the version: others see it only as far as the resident's consent lets it give them.
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    #: Where the version started from, when it was pre-filled from a sheet another department
    #: shared (e.g. 「納税課から共有された共通ヒアリングシート第2版（連絡番号5）をもとに作成」).
    source_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship(lazy="joined")
    department: Mapped[Department] = relationship(lazy="joined")


class CriteriaJudgement(Base):
    """Staff's decision on one 共通目安 for a case, on one sheet version; the newest counts."""

    __tablename__ = "criteria_judgements"
    __table_args__ = (CheckConstraint("criterion BETWEEN 1 AND 6", name="criterion_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    #: The sheet version the decision was made on.
    sheet_id: Mapped[int] = mapped_column(ForeignKey("hearing_sheets.id"))
    #: 共通目安の番号 1–6 (seed 000 §4⑴②; 6 is その他, for staff alone to judge).
    criterion: Mapped[int]
    #: What the rules suggested from that version, and why (kept as shown to the judge).
    suggestion: Mapped[Outcome] = mapped_column(_enum(Outcome))
    suggestion_reason: Mapped[str] = mapped_column(Text, default="")
    #: met or not_met.
    decision: Mapped[Outcome] = mapped_column(_enum(Outcome))
    #: Staff's reason; required when the decision is not what the rules suggested.
    reason: Mapped[str] = mapped_column(Text, default="")
    judged_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: The department the judge acted for.
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    judged_at: Mapped[datetime] = mapped_column(default=utcnow)

    sheet: Mapped[HearingSheet] = relationship(lazy="joined")
    judged_by: Mapped[User] = relationship(lazy="joined")
    department: Mapped[Department] = relationship(lazy="joined")

    @property
    def is_overruled(self) -> bool:
        return self.decision != self.suggestion


#: What staff may decide (a suggestion may also be "unknown").
DECISIONS = (Outcome.MET, Outcome.NOT_MET)
