"""A PostgreSQL database of a benchmark's own beside the one named, dropped afterwards.

In ``bench/support/`` so that ``make bench`` (every ``bench/*.py``) does not run it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool


@contextmanager
def postgres(base: str, label: str) -> Iterator[str]:
    """Create ``<database>_bench_<label>_<pid>`` beside ``base``; yield its URL; drop it."""
    url = make_url(base)
    name = f"{url.database}_bench_{label}_{os.getpid()}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
