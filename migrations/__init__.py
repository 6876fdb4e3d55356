"""Alembic migrations, shipped with the package so `tsunagu db upgrade` works when installed."""
