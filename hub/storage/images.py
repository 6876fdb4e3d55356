"""PNG and JPEG structure checks by bytes (the hub has no image library, and needs none).

A file passes when its chunks or segments are complete and consistent from the signature to
the end marker. That refuses truncated uploads and files that only start like an image.
"""

from __future__ import annotations

import struct
import zlib

from hub.storage.errors import UploadRejected

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: Later steps (packets, stamping) may decode images: refuse decompression bombs here.
MAX_PIXELS = 100_000_000
_TOO_MANY_PIXELS = (
    "画像の画素数が大きすぎます（上限 1 億画素）。解像度を下げてからアップロードしてください。"
)
# JPEG start-of-frame markers carry the size; C4 (DHT), C8 (JPG) and CC (DAC) are not frames.
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})


def _malformed() -> UploadRejected:
    return UploadRejected("image_malformed")


def _check_size(width: int, height: int) -> None:
    if width <= 0 or height <= 0:
        raise _malformed()
    if width * height > MAX_PIXELS:
        raise UploadRejected("image_malformed", _TOO_MANY_PIXELS)


def check_png(data: bytes) -> None:
    """Walk the PNG chunks: IHDR first, CRCs right, IDAT present, IEND last, nothing after."""
    if not data.startswith(PNG_SIGNATURE):
        raise _malformed()
    pos, first, has_data = len(PNG_SIGNATURE), True, False
    while True:
        if pos + 12 > len(data):
            raise _malformed()
        length, kind = struct.unpack_from(">I4s", data, pos)
        end = pos + 12 + length
        if length > 0x7FFFFFFF or not kind.isalpha() or end > len(data):
            raise _malformed()
        body = data[pos + 8 : end - 4]
        if zlib.crc32(kind + body) != struct.unpack_from(">I", data, end - 4)[0]:
            raise _malformed()
        if first:
            if kind != b"IHDR" or length != 13:
                raise _malformed()
            _check_size(*struct.unpack_from(">II", body))
            first = False
        has_data = has_data or kind == b"IDAT"
        pos = end
        if kind == b"IEND":
            break
    # Bytes after IEND would make the file a polyglot (PNG and something else at once).
    if not has_data or pos != len(data):
        raise _malformed()


def _skip_entropy_data(data: bytes, pos: int) -> int:
    """Return the position of the marker that ends the compressed scan data at ``pos``."""
    while True:
        pos = data.find(b"\xff", pos)
        if pos < 0 or pos + 1 >= len(data):
            raise _malformed()
        following = data[pos + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:  # stuffed byte or restart marker
            pos += 2
        elif following == 0xFF:  # fill byte before a marker
            pos += 1
        else:
            return pos


def check_jpeg(data: bytes) -> None:
    """Walk the JPEG segments from SOI to EOI; a frame header must give a sane size."""
    if not data.startswith(b"\xff\xd8"):
        raise _malformed()
    pos, has_frame = 2, False
    while True:
        if pos >= len(data) or data[pos] != 0xFF:
            raise _malformed()
        while pos < len(data) and data[pos] == 0xFF:
            pos += 1
        if pos >= len(data):
            raise _malformed()
        marker = data[pos]
        pos += 1
        if marker == 0xD9:  # EOI
            break
        if marker in _STANDALONE:
            continue
        if pos + 2 > len(data):
            raise _malformed()
        (length,) = struct.unpack_from(">H", data, pos)
        if length < 2 or pos + length > len(data):
            raise _malformed()
        if marker in _SOF:
            if length < 8:
                raise _malformed()
            height, width = struct.unpack_from(">HH", data, pos + 3)
            _check_size(width, height)
            has_frame = True
        pos += length
        if marker == 0xDA:  # SOS: compressed data follows until the next marker
            if not has_frame:
                raise _malformed()
            pos = _skip_entropy_data(data, pos)
    trailer = data[pos:]
    # Phones append further pictures (MPF) after the first EOI; other trailing data is refused.
    if not has_frame or (trailer.strip(b"\x00") and not trailer.startswith(b"\xff\xd8")):
        raise _malformed()
