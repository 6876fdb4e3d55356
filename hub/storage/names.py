"""File names from users: cleaned for display, and put safely into download headers."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

MAX_NAME_CHARS = 100
_MAX_EXT_CHARS = 10
#: Bidi embeddings/overrides/isolates make "invoice\u202eexe.pdf" display as "invoicefdp.exe".
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F)}
#: Characters Windows refuses in names; replaced so a downloaded file saves as it displays.
_WINDOWS_FORBIDDEN = re.compile(r'[<>:"|?*]')
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$", re.IGNORECASE)
_EXTENSION = re.compile(rf"\.[A-Za-z0-9]{{1,{_MAX_EXT_CHARS}}}$")
_ASCII_UNSAFE = re.compile(r"[^A-Za-z0-9._()\- ]+")


def _is_invisible(ch: str) -> bool:
    # Cc: control characters (CR/LF would split headers), Cf: format characters (bidi,
    # zero-width), Cs: lone surrogates, Zl/Zp: line and paragraph separators.
    return ch in _BIDI or unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Zl", "Zp"}


def split_extension(name: str) -> tuple[str, str]:
    """Split ``name`` into stem and a short alphanumeric extension (with its dot), if any."""
    match = _EXTENSION.search(name)
    if match is None or match.start() == 0:
        return name, ""
    return name[: match.start()], match.group()


def sanitize_filename(name: str) -> str:
    """Return a display-safe file name: one part, visible characters, NFC, at most 100 chars."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(ch for ch in name if not _is_invisible(ch))
    name = _WINDOWS_FORBIDDEN.sub("_", name)
    name = " ".join(name.split())
    # No hidden files, and Windows drops trailing dots and spaces itself.
    name = name.lstrip(". ").rstrip(". ")
    if _WINDOWS_RESERVED.match(name):
        name = "_" + name
    stem, ext = split_extension(name)
    stem = stem[: MAX_NAME_CHARS - len(ext)].rstrip(". ")
    if not stem:
        return "file" + ext.lower()
    return stem + ext


def with_extension(name: str, extensions: tuple[str, ...]) -> str:
    """Keep ``name`` if it ends with one of ``extensions``, else give it the first one."""
    stem, ext = split_extension(name)
    if ext.lower() in extensions:
        return name
    return sanitize_filename(stem[: MAX_NAME_CHARS - len(extensions[0])] + extensions[0])


def _ascii_fallback(name: str) -> str:
    # NFKD turns full-width letters and parentheses into ASCII; everything else becomes "_".
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    stem, ext = split_extension(_ASCII_UNSAFE.sub("_", ascii_name))
    if not re.search(r"[A-Za-z0-9]", stem):
        stem = "file"
    return stem + ext


def content_disposition(name: str, *, inline: bool = False) -> str:
    """Build a Content-Disposition header: an ASCII filename plus the UTF-8 filename* form."""
    clean = sanitize_filename(name)
    kind = "inline" if inline else "attachment"
    # RFC 6266: old clients read filename=, current ones prefer filename* (RFC 5987).
    fallback = _ascii_fallback(clean)
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(clean, safe='')}"
