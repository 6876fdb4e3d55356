"""Files the hub generates that are too large to hold in memory, kept and read in chunks.

A case packet of hundreds of scanned pages is tens of megabytes: :func:`keep_generated`
encrypts it into the storage from a file on disk, chunk by chunk (the same format as
:func:`hub.storage.store`), and :func:`read_into` decrypts a stored file into an open file,
checking the tag and the SHA-256 at the end. The hub made these files, so only their type is
checked (by the first bytes); the upload checks (scripts in PDFs, macros in Word files) are
for files that come from outside.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import tempfile
from pathlib import Path
from typing import BinaryIO

import filetype
from sqlalchemy.orm import Session

from hub import audit
from hub.models import StoredFile, User
from hub.storage import crypto
from hub.storage.errors import StoredFileUnreadable
from hub.storage.names import sanitize_filename, with_extension
from hub.storage.sniff import DOCX, EXTENSIONS, PDF
from hub.storage.store import _PURPOSE, _TMP_PREFIX, _WRITTEN, Storage, storage_for

#: What the hub generates and keeps this way.
GENERATED_TYPES = frozenset({PDF, DOCX})


class _Hashing:
    """A binary stream that hashes and counts what passes through it."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream, self.sha256, self.size = stream, hashlib.sha256(), 0

    def read(self, n: int = -1) -> bytes:
        chunk = self.stream.read(n)
        self.sha256.update(chunk)
        self.size += len(chunk)
        return chunk

    def write(self, chunk: bytes) -> int:
        self.sha256.update(chunk)
        self.size += len(chunk)
        return self.stream.write(chunk)


def keep_generated(
    session: Session,
    actor: User | None,
    source: BinaryIO,
    original_name: str,
    *,
    purpose: str,
    department_id: int | None = None,
    storage: Storage | None = None,
) -> StoredFile:
    """Encrypt a generated PDF or DOCX from ``source`` (a seekable file, read from its
    start) into the storage; flush its row and audit it.

    Like :func:`hub.storage.store`, a rollback of the transaction removes the file again.
    """
    if not _PURPOSE.fullmatch(purpose):
        raise ValueError(f"invalid purpose {purpose!r}")
    storage = storage or storage_for(session)
    source.seek(0)
    kind = filetype.guess_mime(source.read(8192))
    source.seek(0)
    if kind not in GENERATED_TYPES:
        raise ValueError(f"not a generated PDF or DOCX: {kind}")
    storage_key = secrets.token_hex(16)
    target = storage.path_for(storage_key)
    storage.root.mkdir(mode=0o700, parents=True, exist_ok=True)
    target.parent.mkdir(mode=0o700, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=_TMP_PREFIX)
    try:
        with os.fdopen(fd, "wb") as out:
            hashed = _Hashing(source)
            # _Hashing reads like the file it wraps (read() only): all the stream needs.
            crypto.encrypt_stream(storage.key, hashed, out, storage_key)  # type: ignore[arg-type]
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    session.info.setdefault(_WRITTEN, []).append(target)
    if department_id is None and actor is not None:
        department_id = actor.department_id
    stored = StoredFile(
        purpose=purpose,
        original_name=with_extension(sanitize_filename(original_name), EXTENSIONS[kind]),
        content_type=kind,
        size=hashed.size,
        sha256=hashed.sha256.hexdigest(),
        storage_key=storage_key,
        created_by_id=actor.id if actor is not None else None,
        department_id=department_id,
    )
    session.add(stored)
    session.flush()
    reason = f"{purpose}: {kind}, {hashed.size} bytes, generated"
    who = "" if actor else "scheduler"
    audit.record(session, actor, "file.store", stored, reason=reason, login_id=who)
    return stored


def scratch(session: Session | None = None, *, storage: Storage | None = None) -> BinaryIO:
    """An anonymous temporary file beside the stored files, for a plaintext being generated
    or read: it has no name, so nothing is left behind if the process dies."""
    storage = storage or storage_for(session)
    storage.root.mkdir(mode=0o700, parents=True, exist_ok=True)
    return tempfile.TemporaryFile(dir=storage.root)


def read_into(
    session: Session | None,
    stored: StoredFile,
    target: BinaryIO,
    *,
    storage: Storage | None = None,
) -> None:
    """Decrypt a stored file into ``target`` (an open temporary file) in chunks.

    ``target`` holds the plaintext only once this returns; on StoredFileUnreadable throw it
    away unread.
    """
    storage = storage or storage_for(session)
    hashed = _Hashing(target)
    try:
        with open(storage.path_for(stored.storage_key), "rb") as source:
            crypto.decrypt_stream(
                [storage.key, *storage.old_keys],
                source,
                hashed,  # type: ignore[arg-type]  # a writer with write() only, as above
                stored.storage_key,
            )
        if hashed.sha256.hexdigest() != stored.sha256:
            raise crypto.DecryptionFailed("content does not match the recorded SHA-256")
    except (OSError, ValueError, crypto.DecryptionFailed) as exc:
        if session is not None:
            reason = str(exc) if isinstance(exc, crypto.DecryptionFailed) else type(exc).__name__
            audit.record(session, None, "file.read", stored, outcome=audit.FAILED, reason=reason)
        raise StoredFileUnreadable() from exc
