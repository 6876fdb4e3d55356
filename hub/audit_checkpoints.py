"""Signed checkpoints of the audit chain (監査ログの封印).

The hash chain (hub.audit) finds an edited, deleted or reordered row — unless whoever edits
also recomputes every hash after it, which anyone with database access can. A checkpoint signs
the chain's head (sequence number and hash) with an Ed25519 key that is not in the database
and appends it to a file outside it; ``tsunagu audit verify`` then checks that the chain still
has, at each checkpoint's sequence number, the hash that was signed. A recomputed chain no
longer matches, and forging a checkpoint needs the key.

:func:`chain_head` is the one place that says what "the head" is (today ``audit_head``; when
sealing moves to a sequencer, the sealed head).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import audit
from hub.config import Config, ConfigError
from hub.models import AuditCheckpoint, AuditEvent, AuditHead
from hub.models.audit import GENESIS_HASH

KEY_FILE = "audit_key"
EXPORT_FILE = "checkpoints.jsonl"


def _raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> str:
    return hashlib.sha256(_raw(key)).hexdigest()[:16]


def _decode_seed(text: str) -> Ed25519PrivateKey:
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ConfigError("The audit key file must hold an Ed25519 private key.")
        return key
    for decode in (bytes.fromhex, base64.b64decode):
        try:
            seed = decode(text)
        except (ValueError, binascii.Error):
            continue
        if len(seed) == 32:
            return Ed25519PrivateKey.from_private_bytes(seed)
    raise ConfigError(
        "The audit key must be an Ed25519 PEM file or 32 bytes as hex/base64 "
        "(e.g. python -c 'import secrets; print(secrets.token_hex(32))')."
    )


def signing_key(cfg: Config) -> Ed25519PrivateKey:
    """The checkpoint key from the configuration; in development made once in the instance."""
    if cfg.audit_key:
        return _decode_seed(cfg.audit_key)
    if cfg.audit_key_file:
        return _decode_seed(Path(cfg.audit_key_file).read_text())
    if cfg.is_production:
        raise ConfigError(
            "TSUNAGU_AUDIT_KEY_FILE (or TSUNAGU_AUDIT_KEY) is not set: audit checkpoints are "
            "signed with a key kept outside the database. Generate one with "
            "`openssl genpkey -algorithm ed25519 -out audit_key.pem` and keep a copy apart."
        )
    path = cfg.instance_dir / KEY_FILE
    if not path.is_file():
        cfg.instance_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(os.urandom(32).hex() + "\n")
    return _decode_seed(path.read_text())


def chain_head(session: Session) -> tuple[int, str]:
    """The chain's head as committed: (last sequence number, its hash)."""
    head = session.get(AuditHead, 1)
    return (head.last_seq, head.last_hash) if head else (0, GENESIS_HASH)


def statement(seq: int, hash_: str, at: datetime) -> bytes:
    """The exact bytes signed."""
    return f"tsunagu-audit-checkpoint\nseq={seq}\nhash={hash_}\nat={at.isoformat()}".encode()


def _line(row: AuditCheckpoint, public: Ed25519PublicKey) -> str:
    return json.dumps(
        {
            "seq": row.seq,
            "hash": row.hash,
            "at": row.created_at.isoformat(),
            "signature": row.signature,
            "key_id": row.key_id,
            "public_key": _raw(public).hex(),
        },
        sort_keys=True,
    )


def checkpoint(session: Session, key: Ed25519PrivateKey, now: datetime, export_dir: Path):
    """Sign the head, store the checkpoint and append it to the export file (JSON lines)."""
    seq, hash_ = chain_head(session)
    signature = key.sign(statement(seq, hash_, now)).hex()
    public = key.public_key()
    export = export_dir / EXPORT_FILE
    row = AuditCheckpoint(
        seq=seq,
        hash=hash_,
        created_at=now,
        signature=signature,
        key_id=key_id(public),
        exported_to=str(export)[:255],
    )
    session.add(row)
    session.flush()
    export_dir.mkdir(parents=True, exist_ok=True)
    with export.open("a", encoding="utf-8") as fh:
        fh.write(_line(row, public) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    audit.record(session, None, "audit.checkpoint", row, login_id="scheduler", reason=f"seq {seq}")
    return row


@dataclass(frozen=True)
class Signed:
    seq: int
    hash: str
    at: datetime
    signature: str
    source: str


def read_export(path: Path) -> list[Signed]:
    """The checkpoints of an export file (the copy outside the database)."""
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            data = json.loads(line)
            at = datetime.fromisoformat(data["at"])
            found.append(
                Signed(data["seq"], data["hash"], at, data["signature"], f"{path}:{number}")
            )
    return found


def verify(
    session: Session, public: Ed25519PublicKey, extra: Sequence[Signed] = ()
) -> tuple[int, list[str]]:
    """Check every checkpoint (the database's and ``extra``) against the chain.

    Returns how many were checked and the problems found (empty: all hold).
    """
    rows = [
        Signed(r.seq, r.hash, r.created_at, r.signature, f"checkpoint {r.id}")
        for r in session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id))
    ]
    problems = []
    for cp in [*rows, *extra]:
        try:
            public.verify(bytes.fromhex(cp.signature), statement(cp.seq, cp.hash, cp.at))
        except (InvalidSignature, ValueError):
            problems.append(f"{cp.source}: 署名が正しくありません（番号 {cp.seq}）")
            continue
        actual = (
            GENESIS_HASH
            if cp.seq == 0
            else session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == cp.seq))
        )
        if actual != cp.hash:
            problems.append(
                f"{cp.source}: 番号 {cp.seq} のハッシュが封印時と異なります"
                "（連鎖が作り直されています）"
            )
    return len(rows) + len(extra), problems
