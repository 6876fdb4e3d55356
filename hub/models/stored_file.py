"""Stored files: uploads and generated documents kept encrypted by :mod:`hub.storage`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, utcnow


class StoredFile(Base):
    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Why the file is kept (``consent_form``, ``signed_scan``, ``attachment``, …); the
    #: owning service decides who may read it from this and the object that refers to it.
    purpose: Mapped[str] = mapped_column(String(32))
    #: The uploader's file name after sanitising, for display and downloads only: it never
    #: names anything on disk.
    original_name: Mapped[str] = mapped_column(String(255))
    #: MIME type sniffed from the bytes, never taken from the browser or the file name.
    content_type: Mapped[str] = mapped_column(String(100))
    #: Size of the plaintext in bytes.
    size: Mapped[int] = mapped_column(BigInteger)
    #: SHA-256 (hex) of the plaintext; checked on every read.
    sha256: Mapped[str] = mapped_column(String(64))
    #: Random server-side name of the encrypted file under the storage root, also bound
    #: into the encryption as associated data (a file moved to another name fails to open).
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: None for files the hub generates itself (scheduled jobs).
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The department the uploader acted for; None for hub-wide files.
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)

    def __repr__(self) -> str:
        return f"<StoredFile {self.id} {self.purpose} {self.content_type}>"
