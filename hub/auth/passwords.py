"""Password hashing with argon2 and the password rules."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from hub.config import Config
from hub.errors import InvalidInput

MIN_LENGTH = 12
MAX_LENGTH = 128


def hasher_for(config: Config) -> PasswordHasher:
    return PasswordHasher(
        time_cost=config.argon2_time_cost,
        memory_cost=config.argon2_memory_cost,
        parallelism=config.argon2_parallelism,
    )


def check_strength(password: str, field: str = "password") -> None:
    """Refuse passwords that are too short or too long."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput(fields={field: f"パスワードは{MIN_LENGTH}文字以上にしてください。"})
    if len(password) > MAX_LENGTH:
        raise InvalidInput(fields={field: f"パスワードは{MAX_LENGTH}文字以内にしてください。"})


def verify(hasher: PasswordHasher, password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A hash of a random password: verifying against it costs the same time as a real user,
# so response times do not tell whether a login ID exists.
_DUMMY_PASSWORD = "not-a-real-password-tsunagu"  # noqa: S105
