"""The encrypted file format: AES-256-GCM, one random nonce per file, the name bound in.

Layout: ``MAGIC (4) | VERSION (1) | key id (4) | nonce (12) | ciphertext + tag (16)``.
The whole header and the file's storage key are the associated data, so changing any header
byte, any ciphertext byte, or moving the file to another name makes decryption fail.
The key id is a short hash of the key: it picks the right key after a rotation and tells a
missing key apart from tampering. It reveals nothing useful about a 256-bit key.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
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


#: Bytes read and written at a time when a file is encrypted or decrypted as a stream.
CHUNK = 1024 * 1024
_TAG = 16


def encrypt_stream(key: bytes, source: BinaryIO, target: BinaryIO, name: str) -> None:
    """Encrypt ``source`` into ``target`` chunk by chunk: the same format as :func:`encrypt`.

    For files the hub generates that are too large to hold in memory (a case packet with
    hundreds of scanned pages); :func:`decrypt` and :func:`decrypt_stream` read both.
    """
    header = MAGIC + bytes([VERSION]) + key_id(key) + secrets.token_bytes(_NONCE)
    encryptor = Cipher(algorithms.AES(key), modes.GCM(header[-_NONCE:])).encryptor()
    encryptor.authenticate_additional_data(header + name.encode())
    target.write(header)
    while chunk := source.read(CHUNK):
        target.write(encryptor.update(chunk))
    target.write(encryptor.finalize())
    target.write(encryptor.tag)


def decrypt_stream(keys: list[bytes], source: BinaryIO, target: BinaryIO, name: str) -> None:
    """Decrypt a file of ours into ``target`` chunk by chunk; raise DecryptionFailed.

    GCM checks the tag only at the end: ``target`` holds unauthenticated bytes until this
    returns, so write it to a private temporary file and use it only after success.
    """
    header = source.read(_HEADER)
    if len(header) < _HEADER or not header.startswith(MAGIC):
        raise DecryptionFailed("not an encrypted hub file")
    if header[len(MAGIC)] != VERSION:
        raise DecryptionFailed(f"unknown format version {header[len(MAGIC)]}")
    wanted = header[len(MAGIC) + 1 : len(MAGIC) + 5]
    key = next((k for k in keys if key_id(k) == wanted), None)
    if key is None:
        raise DecryptionFailed("encrypted with a key the hub does not have")
    end = source.seek(0, os.SEEK_END)
    if end < _HEADER + _TAG:
        raise DecryptionFailed("not an encrypted hub file")
    source.seek(end - _TAG)
    tag = source.read(_TAG)
    source.seek(_HEADER)
    decryptor = Cipher(algorithms.AES(key), modes.GCM(header[-_NONCE:], tag)).decryptor()
    decryptor.authenticate_additional_data(header + name.encode())
    left = end - _TAG - _HEADER
    while left > 0:
        chunk = source.read(min(CHUNK, left))
        if not chunk:
            raise DecryptionFailed("file ends early")
        left -= len(chunk)
        target.write(decryptor.update(chunk))
    try:
        target.write(decryptor.finalize())
    except InvalidTag:
        raise DecryptionFailed("authentication failed (altered or moved file)") from None
