"""Login, lockout, password changes and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload

from hub import audit
from hub.auth import passwords
from hub.config import Config
from hub.db import is_postgres, utcnow
from hub.errors import AccountLocked, AuthFailed, InvalidInput, NotFound
from hub.models import ApiToken, User

TOKEN_PREFIX = "tsu_"  # noqa: S105 - a prefix, not a secret


def authenticate(
    session: Session,
    config: Config,
    hasher: PasswordHasher,
    login_id: str,
    password: str,
    *,
    now: datetime | None = None,
) -> User:
    """Check a login; count failures, lock the account after too many, audit every attempt."""
    now = now or utcnow()
    login_id = (login_id or "").strip()[:64]
    user = session.scalar(select(User).where(User.login_id == login_id)) if login_id else None
    if user is None or not user.is_active:
        passwords.verify(hasher, _dummy_hash(hasher), password or "")
        audit.record(
            session,
            None,
            "login",
            outcome=audit.FAILED,
            login_id=login_id,
            reason="unknown or disabled user",
        )
        raise AuthFailed()
    if user.locked_until and user.locked_until > now:
        audit.record(session, user, "login", user, outcome=audit.DENIED, reason="account locked")
        raise AccountLocked(_locked_message(user.locked_until, now))
    if not passwords.verify(hasher, user.password_hash, password or ""):
        user.failed_login_count += 1
        reason = "wrong password"
        if user.failed_login_count >= config.login_max_failures:
            user.locked_until = now + timedelta(minutes=config.login_lock_minutes)
            user.failed_login_count = 0
            reason = "wrong password; account locked"
        # The counter must survive the failed request's rollback, so commit it here.
        session.info.setdefault("commit_on_failure", True)
        audit.record(session, user, "login", user, outcome=audit.FAILED, reason=reason)
        if user.locked_until and user.locked_until > now:
            raise AccountLocked(_locked_message(user.locked_until, now))
        raise AuthFailed()
    user.failed_login_count = 0
    user.locked_until = None
    user.last_login_at = now
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    audit.record(session, user, "login", user)
    return user


def _locked_message(until: datetime, now: datetime) -> str:
    minutes = max(1, int((until - now).total_seconds() // 60) + 1)
    return (
        "ログインに続けて失敗したため、アカウントを一時的にロックしました。"
        f"約{minutes}分後に再度お試しいただくか、システム管理者に連絡してください。"
    )


_dummy_cache: dict[int, str] = {}


def _dummy_hash(hasher: PasswordHasher) -> str:
    key = id(hasher)
    if key not in _dummy_cache:
        _dummy_cache[key] = hasher.hash(passwords._DUMMY_PASSWORD)
    return _dummy_cache[key]


def change_password(
    session: Session, hasher: PasswordHasher, user: User, current: str, new: str, confirm: str
) -> None:
    """Change one's own password after checking the current one."""
    if not passwords.verify(hasher, user.password_hash, current or ""):
        raise InvalidInput(fields={"current_password": "現在のパスワードが正しくありません。"})
    if new != confirm:
        raise InvalidInput(fields={"new_password_confirm": "確認用のパスワードが一致しません。"})
    passwords.check_strength(new or "", "new_password")
    user.password_hash = hasher.hash(new)
    user.must_change_password = False
    audit.record(session, user, "password.change", user)
    session.flush()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, user: User, name: str) -> tuple[ApiToken, str]:
    """Create an API token for a user; the plain token is returned once, only its hash is kept."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput(fields={"name": "トークンの名前を入力してください。"})
    if len(name) > 100:
        raise InvalidInput(fields={"name": "トークンの名前は100文字以内にしてください。"})
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=hash_token(plain), prefix=plain[:10])
    session.add(token)
    session.flush()
    audit.record(session, user, "api_token.create", token)
    return token, plain


def revoke_token(session: Session, user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound()
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(session, user, "api_token.revoke", token)
    session.flush()
    return token


#: One statement, built once: the token with its user (joined). Every API request runs it.
_TOKEN_WITH_USER = (
    select(ApiToken)
    .options(joinedload(ApiToken.user))
    .where(ApiToken.token_hash == bindparam("token_hash"))
)


def user_for_token(session: Session, plain: str) -> User | None:
    """Return the active user of an active token, or None."""
    if not plain.startswith(TOKEN_PREFIX) or len(plain) > 100:
        return None
    token = session.scalar(_TOKEN_WITH_USER, {"token_hash": hash_token(plain)})
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    now = utcnow()
    # Write last use at most once a minute: reads stay reads.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        _mark_used(session, token, now)
    return token.user


def _mark_used(session: Session, token: ApiToken, now: datetime) -> None:
    """Mark the token used, unless another request is marking it right now.

    At the minute's turn every concurrent request of the token sees the old mark; on
    PostgreSQL the row lock of the first would queue all the others until its request
    commits. ``SKIP LOCKED``: the others leave the mark to it and go on.
    """
    if is_postgres(session):
        mine = session.scalar(
            select(ApiToken.id).where(ApiToken.id == token.id).with_for_update(skip_locked=True)
        )
        if mine is None:
            return
    token.last_used_at = now
