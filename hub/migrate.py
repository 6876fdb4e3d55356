"""Run Alembic from code: the migrations ship inside the package (hub.migrations)."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import inspect

from hub.db import Database


def alembic_config(url: str) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(resources.files("hub.migrations")))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(database: Database, revision: str = "heads") -> None:
    """Create or migrate the schema to the given revision."""
    if database.is_sqlite:
        # SQLite files live under instance/: make sure the folder exists.
        from pathlib import Path

        path = database.engine.url.database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    with database.engine.begin() as connection:
        cfg = alembic_config(database.url)
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def is_current(database: Database) -> bool:
    """True when the schema exists (the alembic version table is there)."""
    return inspect(database.engine).has_table("alembic_version")
