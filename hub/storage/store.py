"""The storage root, its keys, and storing and reading files through it."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import tempfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import IO

from flask import current_app, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session, SessionTransaction

from hub import audit
from hub.config import Config, decode_storage_key, ensure_storage_key
from hub.db import utcnow
from hub.models import StoredFile, User
from hub.storage import crypto
from hub.storage.errors import StoredFileUnreadable, UploadRejected
from hub.storage.names import sanitize_filename, with_extension
from hub.storage.sniff import EXTENSIONS, inspect

_INFO_KEY = "tsunagu.storage"
_WRITTEN = "tsunagu.storage_written"
_DISCARDED = "tsunagu.storage_discarded"
_STORAGE_KEY = re.compile(r"[0-9a-f]{32}")
_PURPOSE = re.compile(r"[a-z][a-z0-9_]{0,31}")
_TMP_PREFIX = ".tmp-"


@dataclass(frozen=True)
class Storage:
    """Where files live and the keys that encrypt them."""

    root: Path
    key: bytes = field(repr=False)  # never in logs or tracebacks
    #: Keys of earlier rotations, tried for reading only.
    old_keys: tuple[bytes, ...] = field(default=(), repr=False)
    max_bytes: int = 20 * 1024 * 1024

    @classmethod
    def from_config(cls, cfg: Config) -> Storage:
        """Build the storage from the configuration (development keys are made on demand)."""
        cfg = ensure_storage_key(cfg)
        old = [k.strip() for k in cfg.storage_old_keys.split(",") if k.strip()]
        return cls(
            root=cfg.storage_dir,
            key=decode_storage_key(cfg.storage_key),
            old_keys=tuple(decode_storage_key(k) for k in old),
            max_bytes=cfg.upload_max_bytes,
        )

    def path_for(self, storage_key: str) -> Path:
        """Return the file's path; refuse a name we did not make or a path outside the root."""
        if not _STORAGE_KEY.fullmatch(storage_key or ""):
            raise ValueError("not a storage key")
        root = self.root.resolve()
        # Two-letter folders keep any one directory small.
        path = (root / storage_key[:2] / storage_key).resolve()
        if not path.is_relative_to(root):  # a planted symlink, for instance
            raise ValueError("path outside the storage root")
        return path


def bind(session: Session, storage: Storage) -> None:
    """Use this storage for files stored or read through this session (jobs, CLI, tests)."""
    session.info[_INFO_KEY] = storage


def storage_for(session: Session | None) -> Storage:
    """Return the storage bound to the session, else the current app's (built on first use)."""
    if session is not None and _INFO_KEY in session.info:
        return session.info[_INFO_KEY]
    if has_app_context():
        extensions = current_app.extensions
        if _INFO_KEY not in extensions:
            extensions[_INFO_KEY] = Storage.from_config(extensions["tsunagu.config"])
        return extensions[_INFO_KEY]
    raise RuntimeError(
        "No file storage for this session: call hub.storage.bind(session, "
        "Storage.from_config(config)) first."
    )


def _size_label(limit: int) -> str:
    return f"{limit / 1024 / 1024:g} MB" if limit >= 1024 * 1024 else f"{limit:,} バイト"


def _read_capped(data: bytes | IO[bytes], limit: int) -> bytes:
    """Return the bytes, reading a stream no further than one byte past the limit."""
    if isinstance(data, bytes | bytearray | memoryview):
        blob = bytes(data)
    else:
        chunks, total = [], 0
        while total <= limit and (chunk := data.read(min(1024 * 1024, limit + 1 - total))):
            chunks.append(chunk)
            total += len(chunk)
        blob = b"".join(chunks)
    if len(blob) > limit:
        raise UploadRejected("too_large", limit=_size_label(limit))
    return blob


def _write_atomically(root: Path, path: Path, blob: bytes) -> None:
    """Write to a temporary file beside the target, then rename: readers never see half."""
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.parent.mkdir(mode=0o700, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=_TMP_PREFIX)  # mode 0600
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(blob)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def store(
    session: Session,
    actor: User | None,
    data: bytes | IO[bytes],
    original_name: str,
    *,
    purpose: str,
    allowed: set[str] | None = None,
    department_id: int | None = None,
    storage: Storage | None = None,
) -> StoredFile:
    """Check, encrypt and keep a file; flush its row and audit it (nothing kept if refused)."""
    if not _PURPOSE.fullmatch(purpose):
        raise ValueError(f"invalid purpose {purpose!r}")
    storage = storage or storage_for(session)
    try:
        plaintext = _read_capped(data, storage.max_bytes)
        content_type = inspect(plaintext, allowed)
    except UploadRejected as exc:
        # Kept although the request fails: a refused file may be an attack worth seeing.
        audit.record(
            session,
            actor,
            "file.store",
            outcome=audit.DENIED,
            reason=f"{purpose}: {exc.code}",
            object_type="stored_file",
        )
        raise
    name = with_extension(sanitize_filename(original_name), EXTENSIONS[content_type])
    storage_key = secrets.token_hex(16)
    path = storage.path_for(storage_key)
    _write_atomically(storage.root, path, crypto.encrypt(storage.key, plaintext, storage_key))
    session.info.setdefault(_WRITTEN, []).append(path)
    if department_id is None and actor is not None:
        department_id = actor.department_id
    stored = StoredFile(
        purpose=purpose,
        original_name=name,
        content_type=content_type,
        size=len(plaintext),
        sha256=hashlib.sha256(plaintext).hexdigest(),
        storage_key=storage_key,
        created_by_id=actor.id if actor is not None else None,
        department_id=department_id,
    )
    session.add(stored)
    session.flush()
    reason = f"{purpose}: {content_type}, {len(plaintext)} bytes"
    audit.record(session, actor, "file.store", stored, reason=reason)
    return stored


def read(session: Session | None, stored: StoredFile, *, storage: Storage | None = None) -> bytes:
    """Decrypt a stored file and check it against its recorded SHA-256."""
    storage = storage or storage_for(session)
    try:
        path = storage.path_for(stored.storage_key)
        plaintext = crypto.decrypt(
            [storage.key, *storage.old_keys], path.read_bytes(), stored.storage_key
        )
        if hashlib.sha256(plaintext).hexdigest() != stored.sha256:
            raise crypto.DecryptionFailed("content does not match the recorded SHA-256")
    except (OSError, ValueError, crypto.DecryptionFailed) as exc:
        if session is not None:
            reason = str(exc) if isinstance(exc, crypto.DecryptionFailed) else type(exc).__name__
            audit.record(session, None, "file.read", stored, outcome=audit.FAILED, reason=reason)
        raise StoredFileUnreadable() from exc
    return plaintext


def unreferenced_files(
    session: Session, *, older_than: timedelta = timedelta(days=1), storage: Storage | None = None
) -> list[Path]:
    """List files under the root that no row names, older than the grace period (for cleanup)."""
    storage = storage or storage_for(session)
    if not storage.root.is_dir():
        return []
    cutoff = (utcnow() - older_than).timestamp()
    known = set(session.scalars(select(StoredFile.storage_key)))
    return sorted(
        path
        for path in storage.root.glob("*/*")
        if path.is_file() and path.name not in known and path.stat().st_mtime < cutoff
    )


def discard(session: Session, stored: StoredFile, *, reason: str = "") -> None:
    """Delete a stored file: its row now, its file once the transaction commits (audited).

    A crash between the commit and the unlink leaves an unreferenced file, which
    :func:`unreferenced_files` finds and the retention job removes.
    """
    path = storage_for(session).path_for(stored.storage_key)
    audit.record(session, None, "file.delete", stored, login_id="scheduler", reason=reason[:255])
    session.delete(stored)
    session.info.setdefault(_DISCARDED, []).append(path)


# A rolled-back transaction leaves no row for the files it wrote: remove them at once.
# Files of committed transactions are forgotten here; the list lives on the session.
@event.listens_for(Session, "after_commit")
def _forget_written(session: Session) -> None:
    session.info.pop(_WRITTEN, None)
    for path in session.info.pop(_DISCARDED, []):
        path.unlink(missing_ok=True)


@event.listens_for(Session, "after_transaction_end")
def _remove_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:  # a savepoint: the outer transaction decides
        return
    session.info.pop(_DISCARDED, None)  # rolled back: the rows are still there, keep the files
    for path in session.info.pop(_WRITTEN, []):
        path.unlink(missing_ok=True)
