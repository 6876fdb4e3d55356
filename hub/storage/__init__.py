"""The one gatekeeper for every uploaded or generated file.

:func:`store` sniffs the bytes (never the name or the browser's type), checks the file for its
type, encrypts it with AES-256-GCM, writes it atomically under a random name below the storage
root, flushes a :class:`~hub.models.StoredFile` row and audits ``file.store``. A refused file
leaves no file and no row, only a denied audit event. :func:`read` decrypts and checks the
SHA-256 recorded on the row. Names from users are for display only (:func:`sanitize_filename`,
:func:`content_disposition`); nothing on disk is named after them. Generated files too large
for memory (case packets) go in and out in chunks: :func:`keep_generated`, :func:`read_into`.

Which storage a call uses: the one bound to the session with :func:`bind` (scheduler, CLI,
tests), else the current Flask app's, built from its configuration on first use.

Orphans and cleanup: the file is written before its row is flushed, so a failed transaction
can leave a file no row names. A rollback (or a session closed without commit) in the same
process deletes the files that transaction wrote (session events in :mod:`hub.storage.store`).
What a crash leaves behind is ciphertext under a random name that no row refers to, bound to
that name, unreadable without the key and worthless without a row. The retention job removes
it: :func:`unreferenced_files` lists files older than a grace period (one day by default, so
that uploads still in flight are not raced) whose name is no row's ``storage_key``, and the
job deletes them (leftover ``.tmp-*`` files of interrupted writes are listed too). Deleting a
stored file is the same in reverse: delete the row, commit, then unlink the file.
"""

from hub.storage.errors import REJECTIONS, StoredFileUnreadable, UploadRejected
from hub.storage.names import content_disposition, sanitize_filename
from hub.storage.sniff import ALLOWED_TYPES, DOCX, JPEG, PDF, PNG
from hub.storage.store import (
    Storage,
    bind,
    discard,
    read,
    storage_for,
    store,
    unreferenced_files,
)
from hub.storage.stream import keep_generated, read_into, scratch

__all__ = [
    "ALLOWED_TYPES",
    "DOCX",
    "JPEG",
    "PDF",
    "PNG",
    "REJECTIONS",
    "Storage",
    "StoredFileUnreadable",
    "UploadRejected",
    "bind",
    "content_disposition",
    "discard",
    "keep_generated",
    "read",
    "read_into",
    "sanitize_filename",
    "scratch",
    "storage_for",
    "store",
    "unreferenced_files",
]
