"""Signed, expiring download links for a consent's files (ids only, never personal data)."""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from hub.errors import Forbidden

#: Binds tokens to this use: a token signed for anything else does not open a consent file.
SALT = "tsunagu.consent-file-download"
EXPIRED = (
    "ダウンロード用のリンクの有効期限が切れました。"
    "同意の画面を開き直してからダウンロードしてください。"
)
INVALID = "ダウンロード用のリンクが正しくありません。同意の画面からダウンロードしてください。"


@dataclass(frozen=True)
class Link:
    consent_id: int
    file_id: int
    user_id: int


def _serializer(secret_key: str, salt: str = SALT) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=salt)


def sign(secret_key: str, link: Link) -> str:
    """Return a token naming the consent, the file and the user who may use it."""
    return _serializer(secret_key).dumps([link.consent_id, link.file_id, link.user_id])


def verify(secret_key: str, token: str, max_age_seconds: int) -> Link:
    """Read a token; a tampered, foreign or expired one is refused (403)."""
    try:
        value = _serializer(secret_key).loads(token, max_age=max_age_seconds)
    except SignatureExpired:
        raise Forbidden(EXPIRED, code="link_expired") from None
    except BadSignature:
        raise Forbidden(INVALID, code="link_invalid") from None
    if not (
        isinstance(value, list)
        and len(value) == 3
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        raise Forbidden(INVALID, code="link_invalid")
    return Link(*value)
