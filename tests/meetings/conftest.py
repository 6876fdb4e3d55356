"""The meetings fixtures live in tests/meetkit.py (shared with the access tests)."""

from meetkit import clock, job, met, smtp, world  # noqa: F401
