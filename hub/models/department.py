"""Departments (所管課) and the public claims (債権) they collect."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import Base, utcnow


class DepartmentKind(enum.StrEnum):
    COLLECTION = "collection"  #: 公債権所管
    SUPPORT = "support"  #: 生活困窮者等支援所管
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"collection": "公債権所管", "support": "支援所管", "other": "その他"}[self.value]


class Department(Base):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Short ASCII code used in logins, the API and configuration (e.g. ``nozei``).
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[DepartmentKind] = mapped_column(
        Enum(
            DepartmentKind,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    contact_phone: Mapped[str] = mapped_column(String(30), default="")
    #: Department address for notification mails (never personal data in them).
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    is_active: Mapped[bool] = mapped_column(default=True)
    #: A case share leaves the department only after a manager approves it (承認).
    requires_approval: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    claim_types: Mapped[list[ClaimType]] = relationship(back_populates="department")

    def __repr__(self) -> str:
        return f"<Department {self.code}>"


class ClaimType(Base):
    __tablename__ = "claim_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    #: 消滅時効の年数 (地方税 5年, 国保料・介護保険料 2年).
    limitation_years: Mapped[int]
    #: 強制徴収公債権 (滞納処分ができる債権) かどうか.
    is_enforced: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=0)

    department: Mapped[Department] = relationship(back_populates="claim_types")
