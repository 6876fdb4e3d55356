"""A PostgreSQL database of a benchmark's own beside the one named, dropped afterwards.

In ``bench/support/`` so that ``make bench`` (every ``bench/*.py``) does not run it.
"""

from __future__ import annotations

import argparse
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


def add_postgres_url(parser: argparse.ArgumentParser) -> None:
    """``--postgres-url``: the server a benchmark makes its throwaway database on."""
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("TSUNAGU_BENCH_POSTGRES_URL", ""),
        help="a database beside which a throwaway one is made (TSUNAGU_BENCH_POSTGRES_URL)",
    )
