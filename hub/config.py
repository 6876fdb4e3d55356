"""Typed configuration: defaults, then ``TSUNAGU_*`` environment variables, then an instance file.

Nothing here is read at import time; :func:`load_config` builds a frozen :class:`Config`.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import dataclasses
import os
import secrets
import tempfile
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

ENV_PREFIX = "TSUNAGU_"
INSTANCE_FILE = "tsunagu.toml"
SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name
STORAGE_KEY_FILE = "storage_key"


class ConfigError(RuntimeError):
    """The configuration cannot start the hub; the message says what to set."""


@dataclass(frozen=True)
class Config:
    #: ``development`` generates and keeps a secret key; ``production`` requires one.
    env: str = "development"
    instance_path: str = "instance"
    database_url: str = ""
    secret_key: str = field(default="", repr=False)
    #: Idle minutes after which a browser session ends.
    session_idle_minutes: int = 30
    session_cookie_secure: bool = False
    #: Failed logins in a row that lock an account, and for how long.
    login_max_failures: int = 5
    login_lock_minutes: int = 15
    #: Flask-Limiter rule for login attempts per client address.
    login_rate_limit: str = "20 per minute"
    #: ``memory://`` is per process; use ``redis://127.0.0.1:6379/0`` with several workers.
    ratelimit_storage_url: str = "memory://"
    page_size: int = 20
    #: Reverse proxies in front of the hub whose X-Forwarded-For to trust (0: none).
    proxy_count: int = 0
    #: argon2 cost; tests lower it, production keeps the library defaults.
    argon2_time_cost: int = 3
    argon2_memory_cost: int = 65536
    argon2_parallelism: int = 4
    log_level: str = "INFO"
    #: Folder for stored files (encrypted); empty means ``<instance>/files``.
    storage_path: str = ""
    #: AES-256 key for files at rest: 32 bytes as hex or base64. Required in production.
    storage_key: str = field(default="", repr=False)
    #: Earlier storage keys, comma-separated, still accepted for reading after a rotation.
    storage_old_keys: str = field(default="", repr=False)
    #: Largest accepted upload, in bytes.
    upload_max_bytes: int = 20 * 1024 * 1024
    testing: bool = False
    #: Freeze the clock at this ISO time (Japan time if no zone): tests and demos only, refused
    #: in production.
    fixed_now: str = ""
    #: The hub's address as staff open it; links in mails are made from it.
    base_url: str = "http://127.0.0.1:5000"
    #: Outgoing mail (the outbox job). No host: mails wait in the outbox, nothing is sent.
    smtp_host: str = ""
    smtp_port: int = 25
    #: ``none``, ``starttls`` or ``ssl``.
    smtp_security: str = "none"
    smtp_username: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_timeout: int = 30
    mail_from: str = "tsunagu-hub@localhost"
    #: Ed25519 key that signs audit checkpoints: 32 bytes as hex/base64, or a PEM file path in
    #: ``audit_key_file``. Development: generated once into ``instance/audit_key`` (0600).
    audit_key: str = field(default="", repr=False)
    audit_key_file: str = ""
    #: Folder the checkpoints are appended to (JSON lines); empty: ``<instance>/audit``.
    audit_export_dir: str = ""
    #: Run every polling job this often (seconds) instead of its own interval (tests, demos).
    scheduler_poll_seconds: int = 0
    #: Rows a job handles per transaction.
    job_batch_size: int = 500
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def instance_dir(self) -> Path:
        return Path(self.instance_path).resolve()

    @property
    def audit_dir(self) -> Path:
        if self.audit_export_dir:
            return Path(self.audit_export_dir).resolve()
        return self.instance_dir / "audit"

    @property
    def storage_dir(self) -> Path:
        if self.storage_path:
            return Path(self.storage_path).resolve()
        return self.instance_dir / "files"


def _coerce(value: str, target: Any) -> Any:
    if target is bool or target == "bool":
        return value.strip().lower() in {"1", "true", "yes", "on"}
    if target is int or target == "int":
        return int(value)
    return value


def _env_values(environ: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for f in fields(Config):
        key = ENV_PREFIX + f.name.upper()
        if key in environ and f.name != "extra":
            values[f.name] = _coerce(environ[key], f.type)
    return values


def _file_values(instance_dir: Path) -> dict[str, Any]:
    path = instance_dir / INSTANCE_FILE
    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    known = {f.name for f in fields(Config)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"{path}: unknown settings {', '.join(unknown)}")
    return data


def _ensure_secret_key(cfg: Config) -> Config:
    if cfg.secret_key:
        return cfg
    if cfg.is_production:
        raise ConfigError(
            "TSUNAGU_SECRET_KEY is not set. In production the hub refuses to start without a "
            "secret key: set TSUNAGU_SECRET_KEY (e.g. python -c 'import secrets; "
            "print(secrets.token_hex(32))') or secret_key in instance/tsunagu.toml."
        )
    key = key_in_file(cfg.instance_dir / SECRET_KEY_FILE)
    return dataclasses.replace(cfg, secret_key=key)


def key_in_file(path: Path) -> str:
    """The development key kept in ``path``, made on first use.

    Written whole under a temporary name and linked into place (which fails if the file is
    there): workers starting together all read the same, complete key, and none fails.
    """
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # 0600
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32) + "\n")
            with contextlib.suppress(FileExistsError):  # another worker's came first: use it
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    return path.read_text().strip()


def decode_storage_key(text: str) -> bytes:
    """Decode a 32-byte storage key written as hex or base64; raise ConfigError otherwise."""
    text = text.strip()
    candidates = []
    if len(text) == 64:
        try:
            candidates.append(bytes.fromhex(text))
        except ValueError:
            pass
    try:
        candidates.append(base64.b64decode(text.replace("-", "+").replace("_", "/"), validate=True))
    except (binascii.Error, ValueError):
        pass
    for key in candidates:
        if len(key) == 32:
            return key
    raise ConfigError(
        "The storage key must be 32 bytes written as 64 hex characters or as base64 "
        "(e.g. python -c 'import secrets; print(secrets.token_hex(32))')."
    )


def ensure_storage_key(cfg: Config) -> Config:
    """Check the storage keys; in development generate one into the instance folder once."""
    for old in filter(None, (k.strip() for k in cfg.storage_old_keys.split(","))):
        decode_storage_key(old)
    if cfg.storage_key:
        decode_storage_key(cfg.storage_key)
        return cfg
    if cfg.is_production:
        raise ConfigError(
            "TSUNAGU_STORAGE_KEY is not set. In production the hub refuses to start without a "
            "key for encrypting stored files: set TSUNAGU_STORAGE_KEY (e.g. python -c 'import "
            "secrets; print(secrets.token_hex(32))') or storage_key in instance/tsunagu.toml, "
            "and keep a copy in a safe place: files cannot be read without it."
        )
    key = key_in_file(cfg.instance_dir / STORAGE_KEY_FILE)
    decode_storage_key(key)
    return dataclasses.replace(cfg, storage_key=key)


def load_config(
    overrides: dict[str, Any] | None = None, environ: dict[str, str] | None = None
) -> Config:
    """Build the configuration from defaults, environment, instance file and overrides."""
    environ = dict(os.environ if environ is None else environ)
    values: dict[str, Any] = _env_values(environ)
    values.update(overrides or {})
    instance_dir = Path(values.get("instance_path", Config.instance_path)).resolve()
    file_values = _file_values(instance_dir)
    values = {**values, **file_values, **(overrides or {})}
    values["instance_path"] = str(instance_dir)
    if values.get("env", "development") not in {"development", "production"}:
        raise ConfigError("TSUNAGU_ENV must be 'development' or 'production'")
    if values.get("env") == "production" and values.get("fixed_now"):
        raise ConfigError("TSUNAGU_FIXED_NOW freezes the clock: it is for tests, not production")
    if values.get("smtp_security", "none") not in {"none", "starttls", "ssl"}:
        raise ConfigError("TSUNAGU_SMTP_SECURITY must be 'none', 'starttls' or 'ssl'")
    if not values.get("database_url"):
        values["database_url"] = f"sqlite:///{instance_dir / 'tsunagu.sqlite3'}"
    cfg = Config(**values)
    return ensure_storage_key(_ensure_secret_key(cfg))
