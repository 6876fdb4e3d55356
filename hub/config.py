"""Typed configuration: defaults, then ``TSUNAGU_*`` environment variables, then an instance file.

Nothing here is read at import time; :func:`load_config` builds a frozen :class:`Config`.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

ENV_PREFIX = "TSUNAGU_"
INSTANCE_FILE = "tsunagu.toml"
SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name


class ConfigError(RuntimeError):
    """The configuration cannot start the hub; the message says what to set."""


@dataclass(frozen=True)
class Config:
    #: ``development`` generates and keeps a secret key; ``production`` requires one.
    env: str = "development"
    instance_path: str = "instance"
    database_url: str = ""
    secret_key: str = ""
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
    testing: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def instance_dir(self) -> Path:
        return Path(self.instance_path).resolve()


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
    path = cfg.instance_dir / SECRET_KEY_FILE
    if path.is_file():
        key = path.read_text().strip()
    else:
        cfg.instance_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key + "\n")
    return dataclasses.replace(cfg, secret_key=key)


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
    if not values.get("database_url"):
        values["database_url"] = f"sqlite:///{instance_dir / 'tsunagu.sqlite3'}"
    cfg = Config(**values)
    return _ensure_secret_key(cfg)
