"""Residents (対象者) whose cases the departments work together."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, utcnow


class Resident(Base):
    __tablename__ = "residents"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: 宛名番号: the city's resident number, digits only.
    atena_no: Mapped[str] = mapped_column(String(15), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    #: Full-width katakana.
    kana: Mapped[str] = mapped_column(String(100))
    #: Search keys: NFKC, hiragana folded to katakana, no spaces (see hub.jp.fold).
    name_key: Mapped[str] = mapped_column(String(100), index=True)
    kana_key: Mapped[str] = mapped_column(String(100), index=True)
    birth_date: Mapped[date | None]
    address: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    #: The department that registered the resident can see them before any case exists.
    created_by_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    #: 訴訟・不服申立て・監査等で保存が必要（リーガルホールド）: the retention job keeps them.
    legal_hold: Mapped[bool] = mapped_column(default=False)
    #: When the retention job removed the personal data (name, kana, 宛名番号, address, …).
    anonymised_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
