"""Audit events, hash-chained so that a changed or deleted row is detected."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, utcnow

GENESIS_HASH = "0" * 64


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        # The sealer's queue: the events not on the chain yet, in id order (a small index).
        Index(
            "ix_audit_events_unsealed",
            "id",
            postgresql_where=text("seq IS NULL"),
            sqlite_where=text("seq IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Position in the chain, assigned by the sealer (hub.audit.seal) after the commit.
    seq: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(index=True)
    #: The login name as typed, for failed logins of unknown users too.
    login_id: Mapped[str] = mapped_column(String(64), default="")
    #: The department the user acted for at that moment.
    department_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(32), default="")
    object_id: Mapped[str] = mapped_column(String(64), default="")
    #: ``allowed``, ``denied`` or ``failed``.
    outcome: Mapped[str] = mapped_column(String(16))
    #: Why, in words without personal data (e.g. "department not involved").
    reason: Mapped[str] = mapped_column(String(255), default="")
    client_addr: Mapped[str] = mapped_column(String(64), default="")
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))


class AuditHead(Base):
    """The single row that holds the end of the chain; updating it serialises sealers."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)


class AuditCheckpoint(Base):
    """A signed statement of the chain's head (seq, hash) at a moment, with a key kept outside
    the database: rewriting the chain from its first row no longer matches the signed hash."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, index=True)
    hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Ed25519 signature (hex) over :func:`hub.audit_checkpoints.statement`.
    signature: Mapped[str] = mapped_column(String(128))
    #: SHA-256 (hex, first 16 characters) of the raw public key that verifies it.
    key_id: Mapped[str] = mapped_column(String(16))
    #: Where a copy went (the export file, the admin mail), for the administrator.
    exported_to: Mapped[str] = mapped_column(String(255), default="")
