"""The encrypted file format: AES-256-GCM, one random nonce per file, the name bound in.

Layout: ``MAGIC (4) | VERSION (1) | key id (4) | nonce (12) | ciphertext + tag (16)``.
The whole header and the file's storage key are the associated data, so changing any header
byte, any ciphertext byte, or moving the file to another name makes decryption fail.
The key id is a short hash of the key: it picks the right key after a rotation and tells a
missing key apart from tampering. It reveals nothing useful about a 256-bit key.
"""

from __future__ import annotations

import hashlib
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"TSGF"
VERSION = 1
_NONCE = 12
_HEADER = len(MAGIC) + 1 + 4 + _NONCE


class DecryptionFailed(Exception):
    """The data is not a readable file of ours; the message says why (no content in it)."""


def key_id(key: bytes) -> bytes:
    """Return the 4-byte identifier written into files encrypted with this key."""
    return hashlib.sha256(b"tsunagu.storage-key-id:" + key).digest()[:4]


def encrypt(key: bytes, plaintext: bytes, name: str) -> bytes:
    """Encrypt plaintext for the file called ``name`` with a fresh random nonce."""
    header = MAGIC + bytes([VERSION]) + key_id(key) + secrets.token_bytes(_NONCE)
    return header + AESGCM(key).encrypt(header[-_NONCE:], plaintext, header + name.encode())


def decrypt(keys: list[bytes], blob: bytes, name: str) -> bytes:
    """Decrypt a file with whichever of ``keys`` it was written with; raise DecryptionFailed."""
    if len(blob) < _HEADER + 16 or not blob.startswith(MAGIC):
        raise DecryptionFailed("not an encrypted hub file")
    if blob[len(MAGIC)] != VERSION:
        raise DecryptionFailed(f"unknown format version {blob[len(MAGIC)]}")
    header = blob[:_HEADER]
    wanted = header[len(MAGIC) + 1 : len(MAGIC) + 5]
    key = next((k for k in keys if key_id(k) == wanted), None)
    if key is None:
        raise DecryptionFailed("encrypted with a key the hub does not have")
    try:
        return AESGCM(key).decrypt(header[-_NONCE:], blob[_HEADER:], header + name.encode())
    except InvalidTag:
        raise DecryptionFailed("authentication failed (altered or moved file)") from None
