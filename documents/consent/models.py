"""Consent records, their scope (grants) and the sharing requests made under them."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import Base, utcnow
from hub.models import Department, Resident, StoredFile, User


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class ConsentStatus(enum.StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"

    @property
    def label(self) -> str:
        return {"draft": "作成中", "active": "有効", "withdrawn": "撤回", "expired": "期限切れ"}[
            self.value
        ]


class ConsentMethod(enum.StrEnum):
    SIGNED_FORM = "signed_form"

    @property
    def label(self) -> str:
        return "署名した同意書"


class WithdrawalMethod(enum.StrEnum):
    WRITTEN = "written"
    ORAL = "oral"

    @property
    def label(self) -> str:
        return {"written": "書面", "oral": "口頭"}[self.value]


class Consent(Base):
    """A resident's written consent to share information between departments."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    #: The department that explained the form and took the signature (同意を取得した所管課).
    obtaining_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    #: The staff member who took the consent; printed on the form as 担当.
    obtained_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: 同意日: the day the resident signed, as written on the signed form. Set on activation;
    #: the consent covers nothing before it.
    obtained_on: Mapped[date | None]
    #: How consent was given; only a signed form counts (seed 000 ③: 同意書).
    method: Mapped[ConsentMethod] = mapped_column(
        _enum(ConsentMethod), default=ConsentMethod.SIGNED_FORM
    )
    status: Mapped[ConsentStatus] = mapped_column(_enum(ConsentStatus), default=ConsentStatus.DRAFT)
    #: 利用の目的, as printed on the form (from the configured list or written by staff).
    purposes: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: 有効期限: the last day the consent covers (inclusive). Past it, it covers nothing, even
    #: before the expiry job marks it expired.
    valid_until: Mapped[date]
    #: 目的外利用・提供の内容 exactly as printed on the form the resident signed; generated from
    #: the scope when the form is made and never regenerated from later wording.
    statement_text: Mapped[str] = mapped_column(Text, default="")
    #: The withdrawal clause with the obtaining department's contact, as printed.
    withdrawal_clause: Mapped[str] = mapped_column(Text, default="")
    #: When the form was generated: from then on the scope, purposes and validity are frozen.
    form_generated_at: Mapped[datetime | None]
    form_pdf_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    form_docx_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    #: The scan of the form the resident signed: the proof of consent; activation needs it.
    scan_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    activated_at: Mapped[datetime | None]
    activated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: 撤回日: from this day on the consent covers nothing (irreversible).
    withdrawn_on: Mapped[date | None]
    #: The staff member who took the withdrawal.
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawal_method: Mapped[WithdrawalMethod | None] = mapped_column(_enum(WithdrawalMethod))
    withdrawal_reason: Mapped[str] = mapped_column(Text, default="")
    withdrawn_at: Mapped[datetime | None]
    #: When the expiry job marked the consent expired (validity already ended that day).
    expired_at: Mapped[datetime | None]
    #: When the retention job deleted its form and signed scan (the record itself stays).
    files_purged_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    resident: Mapped[Resident] = relationship(lazy="joined")
    obtaining_department: Mapped[Department] = relationship(lazy="joined")
    obtained_by: Mapped[User] = relationship(foreign_keys=[obtained_by_id])
    activated_by: Mapped[User | None] = relationship(foreign_keys=[activated_by_id])
    withdrawn_by: Mapped[User | None] = relationship(foreign_keys=[withdrawn_by_id])
    form_pdf: Mapped[StoredFile | None] = relationship(foreign_keys=[form_pdf_id])
    form_docx: Mapped[StoredFile | None] = relationship(foreign_keys=[form_docx_id])
    scan: Mapped[StoredFile | None] = relationship(foreign_keys=[scan_id])
    grants: Mapped[list[ConsentGrant]] = relationship(
        back_populates="consent",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="ConsentGrant.id",
    )

    @property
    def is_draft(self) -> bool:
        return self.status == ConsentStatus.DRAFT

    @property
    def is_form_generated(self) -> bool:
        return self.form_generated_at is not None

    def status_on(self, day: date) -> ConsentStatus:
        """The status as it stands on ``day``: an active consent past its end is expired."""
        if self.status == ConsentStatus.ACTIVE and day > self.valid_until:
            return ConsentStatus.EXPIRED
        return self.status

    def files(self) -> dict[str, StoredFile | None]:
        return {"form_pdf": self.form_pdf, "form_docx": self.form_docx, "scan": self.scan}

    def __repr__(self) -> str:
        return f"<Consent {self.id} {self.status.value}>"


class ConsentGrant(Base):
    """One permission of a consent: ``from`` may give ``category`` to ``to``."""

    __tablename__ = "consent_grants"
    __table_args__ = (
        # Also the index covers() walks: consent, sender, recipient, category.
        UniqueConstraint("consent_id", "from_department_id", "to_department_id", "category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consent_id: Mapped[int] = mapped_column(ForeignKey("consents.id", ondelete="CASCADE"))
    #: 提供元: the department that may give the information.
    from_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    #: 提供先: the department that may receive it.
    to_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    #: 情報の区分 (documents.categories.InformationCategory value).
    category: Mapped[str] = mapped_column(String(32))

    consent: Mapped[Consent] = relationship(back_populates="grants")


class SharingRequest(Base):
    """情報共有の依頼: a department asks others to share information with it, within consent."""

    __tablename__ = "sharing_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    #: The department asking, which will receive the information.
    requesting_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    #: The consents whose scope covered every item when the request was made.
    consent_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    requesting_department: Mapped[Department] = relationship(lazy="joined")
    requested_by: Mapped[User] = relationship()
    items: Mapped[list[SharingRequestItem]] = relationship(
        back_populates="request",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="SharingRequestItem.id",
    )

    def items_for(self, department_id: int) -> list[SharingRequestItem]:
        """What a department may see of the request: all of it for the requester, else only
        what was asked of that department (not what others were asked)."""
        if department_id == self.requesting_department_id:
            return list(self.items)
        return [item for item in self.items if item.department_id == department_id]

    def by_department(self, viewer_department_id: int) -> dict[int, list[str]]:
        """The categories asked of each department the viewer may see, in the order asked."""
        asked: dict[int, list[str]] = {}
        for item in self.items_for(viewer_department_id):
            asked.setdefault(item.department_id, []).append(item.category)
        return asked


class SharingRequestItem(Base):
    __tablename__ = "sharing_request_items"
    __table_args__ = (UniqueConstraint("request_id", "department_id", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("sharing_requests.id", ondelete="CASCADE"))
    #: The department asked to share (提供元).
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    category: Mapped[str] = mapped_column(String(32))

    request: Mapped[SharingRequest] = relationship(back_populates="items")
    department: Mapped[Department] = relationship(lazy="joined")
