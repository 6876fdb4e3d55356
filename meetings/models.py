"""Meetings: a case conference (ケース会議), and a joint study session (勉強会) of a series,
on the same rows.

A meeting is organised by one department, polls its participant departments on 3–10
candidate slots, and once a slot is decided carries ``starts_at``/``ends_at``, a stable
calendar ``uid`` and a ``sequence`` that grows on every move. Reminders are stored as offsets
in opening days (-1: the working day before, 0: the day) and recomputed when it moves.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import Base, utcnow
from hub.models import Case, Department, StoredFile, User


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class MeetingKind(enum.StrEnum):
    CONFERENCE = "conference"
    STUDY = "study"

    @property
    def label(self) -> str:
        return {"conference": "ケース会議", "study": "勉強会"}[self.value]


class MeetingStatus(enum.StrEnum):
    #: Candidate slots are out; departments answer.
    POLLING = "polling"
    #: The answers tie: the organiser chooses the slot.
    CHOOSING = "choosing"
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {
            "polling": "日程調整中",
            "choosing": "主催課が日程を選択",
            "scheduled": "日程決定",
            "cancelled": "中止",
        }[self.value]


class Answer(enum.StrEnum):
    YES = "yes"
    MAYBE = "maybe"
    NO = "no"

    @property
    def mark(self) -> str:
        return {"yes": "○", "maybe": "△", "no": "×"}[self.value]


class Meeting(Base):
    __tablename__ = "meetings"
    __table_args__ = (
        Index("ix_meetings_status_answer_deadline", "status", "answer_deadline"),
        Index("ix_meetings_starts_at", "starts_at"),
        # One session per date of a series' rhythm, whichever scheduler proposes it.
        UniqueConstraint("series_id", "occurrence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[MeetingKind] = mapped_column(_enum(MeetingKind), default=MeetingKind.CONFERENCE)
    #: The case a conference is about; None for a study session.
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    organiser_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: 会議の目的 — case content: shown only within the consent.
    purpose: Mapped[str] = mapped_column(Text, default="")
    #: The information categories the conference will cover (hub.documents.categories).
    agenda: Mapped[list[str]] = mapped_column(JSON, default=list)
    place: Mapped[str] = mapped_column(String(200), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    duration_minutes: Mapped[int] = mapped_column(default=60)
    answer_deadline: Mapped[datetime]
    status: Mapped[MeetingStatus] = mapped_column(
        _enum(MeetingStatus), default=MeetingStatus.POLLING
    )
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    #: The calendar UID, fixed at creation (RFC 5545: the same event on every update).
    uid: Mapped[str] = mapped_column(String(200), unique=True)
    #: RFC 5545 SEQUENCE: 0 for the first invitation, +1 on every move.
    sequence: Mapped[int] = mapped_column(default=0)
    #: The sequence whose invitation (or cancellation) is queued; None: none queued yet.
    sent_sequence: Mapped[int | None]
    cancel_sent_at: Mapped[datetime | None]
    #: When the organiser was reminded to record the minutes (once, after the meeting).
    minutes_chased_at: Mapped[datetime | None]
    #: The study series a session belongs to, and the date its rhythm aimed at.
    series_id: Mapped[int | None] = mapped_column(ForeignKey("study_series.id"), index=True)
    occurrence: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    case: Mapped[Case | None] = relationship()
    series: Mapped[StudySeries | None] = relationship(back_populates="sessions")
    organiser: Mapped[Department] = relationship(lazy="joined")
    participants: Mapped[list[Participant]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", lazy="selectin"
    )
    slots: Mapped[list[Slot]] = relationship(
        back_populates="meeting",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="Slot.starts_at",
    )
    reminders: Mapped[list[Reminder]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan"
    )
    minutes: Mapped[Minutes | None] = relationship(cascade="all, delete-orphan")
    actions: Mapped[list[ActionItem]] = relationship(
        cascade="all, delete-orphan", order_by="ActionItem.id"
    )

    people: Mapped[list[MeetingPerson]] = relationship(
        cascade="all, delete-orphan", order_by="MeetingPerson.department_id, MeetingPerson.user_id"
    )
    attendance: Mapped[list[Attendance]] = relationship(
        cascade="all, delete-orphan", order_by="Attendance.department_id, Attendance.user_id"
    )
    materials: Mapped[list[Material]] = relationship(
        cascade="all, delete-orphan", order_by="Material.id"
    )

    @property
    def title(self) -> str:
        """The calendar title: kind and case number or series title, never a resident's name."""
        if self.series is not None:
            return f"{self.kind.label}「{self.series.title}」"
        where = f"（ケース{self.case_id}）" if self.case_id else ""
        return f"{self.kind.label}{where}"

    @property
    def department_ids(self) -> list[int]:
        """Every department at the table, the organiser first."""
        others = [p.department_id for p in self.participants if not p.is_organiser]
        return [self.organiser_department_id, *sorted(others)]

    def is_visible_to_department(self, department_id: int | None) -> bool:
        return department_id in self.department_ids


class Participant(Base):
    __tablename__ = "meeting_participants"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), primary_key=True)
    department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id"), primary_key=True, index=True
    )
    is_organiser: Mapped[bool] = mapped_column(default=False)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When the organiser was told the consent no longer covers this department.
    uncovered_notified_at: Mapped[datetime | None]

    meeting: Mapped[Meeting] = relationship(back_populates="participants")
    department: Mapped[Department] = relationship(lazy="joined")


class Slot(Base):
    __tablename__ = "meeting_slots"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]

    meeting: Mapped[Meeting] = relationship(back_populates="slots")
    answers: Mapped[list[SlotAnswer]] = relationship(
        back_populates="slot", cascade="all, delete-orphan", lazy="selectin"
    )


class SlotAnswer(Base):
    """One department's ○/△/× for one slot (the newest answer replaces the old one)."""

    __tablename__ = "meeting_answers"

    slot_id: Mapped[int] = mapped_column(ForeignKey("meeting_slots.id"), primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), primary_key=True)
    answer: Mapped[Answer] = mapped_column(_enum(Answer))
    answered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)

    slot: Mapped[Slot] = relationship(back_populates="answers")


class Reminder(Base):
    """A reminder ``offset_days`` opening days from the meeting's day (-1 before, 0 on it)."""

    __tablename__ = "meeting_reminders"
    __table_args__ = (UniqueConstraint("meeting_id", "offset_days"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"))
    offset_days: Mapped[int]
    #: Computed from the offset and the meeting's start; recomputed (and unsent) on a move.
    due_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]

    meeting: Mapped[Meeting] = relationship(back_populates="reminders")


class ClaimDecision(enum.StrEnum):
    """徴収の判断 per claim, decided at the conference."""

    PAYMENT_PLAN = "payment_plan"
    GRACE = "grace"
    CONVERSION_GRACE = "conversion_grace"
    SUSPENSION = "suspension"
    CONTINUE = "continue"

    @property
    def label(self) -> str:
        return {
            "payment_plan": "納付計画",
            "grace": "徴収猶予",
            "conversion_grace": "換価の猶予",
            "suspension": "執行停止",
            "continue": "継続",
        }[self.value]


class ActionItem(Base):
    """今後の対応 decided at the conference: owner department, due date, its feedback request."""

    __tablename__ = "meeting_action_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    what: Mapped[str] = mapped_column(Text)
    owner_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    due_on: Mapped[date]
    #: The mailbox message that asks the owner for feedback by the due date.
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))

    owner: Mapped[Department] = relationship(lazy="joined")


class Minutes(Base):
    """議事録: who attended, what was shared, what was decided (policy, per claim)."""

    __tablename__ = "meeting_minutes"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), primary_key=True)
    #: 「納税課 山田」 … as typed by the recorder.
    attendees: Mapped[list[str]] = mapped_column(JSON, default=list)
    shared: Mapped[str] = mapped_column(Text, default="")
    #: 今後の方針: pattern 1, 2 or 3 (seed 000 ⑦), or None.
    policy_pattern: Mapped[int | None]
    #: Per claim: [{"claim": "特別区民税", "decision": "payment_plan"}, …].
    claim_decisions: Mapped[list[dict]] = mapped_column(JSON, default=list)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The shares that carried the minutes to the other departments (within the consent).
    message_ids: Mapped[list[int]] = mapped_column(JSON, default=list)


class StudySeries(Base):
    """勉強会のシリーズ (seed 000 ⑤): departments meeting on a rhythm, the host rotating.

    The rhythm is "every ``interval_months`` months, the ``week_of_month``-th ``weekday``"
    (week 5: the last), counted from ``first_month``; the job proposes the next session's
    slots ``lead_days`` days ahead with the conferences' answer flow.
    """

    __tablename__ = "study_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    #: The department that defined the series (a manager's, or None: the administrator).
    owner_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    interval_months: Mapped[int] = mapped_column(default=3)
    week_of_month: Mapped[int] = mapped_column(default=2)
    #: 0 = Monday … 4 = Friday.
    weekday: Mapped[int] = mapped_column(default=2)
    first_month: Mapped[date]
    #: Local start time, "HH:MM".
    start_time: Mapped[str] = mapped_column(String(5), default="14:00")
    duration_minutes: Mapped[int] = mapped_column(default=90)
    place: Mapped[str] = mapped_column(String(200), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    lead_days: Mapped[int] = mapped_column(default=42)
    #: How many sessions were proposed: the next host is member ``proposed % len(members)``.
    proposed: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    members: Mapped[list[SeriesMember]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="SeriesMember.position"
    )
    sessions: Mapped[list[Meeting]] = relationship(
        back_populates="series", order_by="Meeting.occurrence"
    )

    @property
    def department_ids(self) -> list[int]:
        return [m.department_id for m in self.members]


class SeriesMember(Base):
    """A participating department and its place in the host rotation."""

    __tablename__ = "study_series_members"

    series_id: Mapped[int] = mapped_column(ForeignKey("study_series.id"), primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), primary_key=True)
    position: Mapped[int]

    department: Mapped[Department] = relationship(lazy="joined")


class MeetingPerson(Base):
    """出席予定者: a person a department at the table names for the meeting."""

    __tablename__ = "meeting_people"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))

    user: Mapped[User] = relationship(lazy="joined")


class Attendance(Base):
    """出席: a person who attended a session, with the department they came for."""

    __tablename__ = "meeting_attendance"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))

    user: Mapped[User] = relationship(lazy="joined")
    department: Mapped[Department] = relationship(lazy="joined")


class Material(Base):
    """資料: a file a participating department shared with a session (no resident data)."""

    __tablename__ = "meeting_materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    title: Mapped[str] = mapped_column(String(200))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: A resident's name was found in the text and the uploader confirmed the file anyway.
    name_warning_confirmed: Mapped[bool] = mapped_column(default=False)

    file: Mapped[StoredFile] = relationship(lazy="joined")
    department: Mapped[Department] = relationship(lazy="joined")
