"""Signed, expiring download links for a case packet (ids only, never personal data)."""

from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from hub.errors import Forbidden

#: Binds tokens to this use: a token signed for a consent file does not open a packet.
SALT = "tsunagu.packet-download"
EXPIRED = (
    "ダウンロード用のリンクの有効期限が切れました。"
    "作成状況の画面を開き直してからダウンロードしてください。"
)
INVALID = "ダウンロード用のリンクが正しくありません。作成状況の画面からダウンロードしてください。"


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def sign(secret_key: str, packet_id: int, user_id: int) -> str:
    """A token naming the packet and the one user who may download it."""
    return _serializer(secret_key).dumps([packet_id, user_id])


def verify(secret_key: str, token: str, max_age_seconds: int, packet_id: int, user_id: int) -> None:
    """Refuse (403) a tampered, foreign, expired token or one for another packet or user."""
    try:
        value = _serializer(secret_key).loads(token, max_age=max_age_seconds)
    except SignatureExpired:
        raise Forbidden(EXPIRED, code="link_expired") from None
    except BadSignature:
        raise Forbidden(INVALID, code="link_invalid") from None
    if value != [packet_id, user_id]:
        raise Forbidden(INVALID, code="link_invalid")
