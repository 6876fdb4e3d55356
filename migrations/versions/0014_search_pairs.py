"""mailbox: search finds two-character name parts on PostgreSQL; approvals by a partial index

PostgreSQL: the trigram index of messages.search_text gives way to one GIN index of the text
and of the text with every character doubled (hub.mailbox.models.search_pairs), which also
looks up words of two characters (モリ → モモリリ); a full name is then one index scan over all
its parts. SQLite keeps its FTS5 table; its empty placeholder index goes.
Both: the messages waiting for a manager's approval, per department, by a partial index.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_INDEX = "ix_messages_search_text_trgm"
SEARCH_INDEX = "ix_messages_search"
COLUMNS = r"search_text gin_trgm_ops, regexp_replace(search_text, '(.)', '\1\1', 'g') gin_trgm_ops"
PENDING = sa.text("status = 'pending_approval'")


def _pg_trgm() -> bool:
    """Whether pg_trgm is installed (migration 0006 installed it when the user could)."""
    found = op.get_bind().execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'"))
    if found.first() is not None:
        return True
    logging.getLogger("alembic").warning(
        "pg_trgm is not available: mailbox search works without its index, slower. Ask the "
        "database administrator to run CREATE EXTENSION pg_trgm, then CREATE INDEX %s ON "
        "messages USING gin (%s).",
        SEARCH_INDEX,
        COLUMNS,
    )
    return False


def upgrade() -> None:
    op.execute(f"DROP INDEX IF EXISTS {OLD_INDEX}")
    if op.get_bind().dialect.name == "postgresql" and _pg_trgm():
        op.execute(f"CREATE INDEX {SEARCH_INDEX} ON messages USING gin ({COLUMNS})")
    op.create_index(
        "ix_messages_pending_approval",
        "messages",
        ["sender_department_id", "id"],
        postgresql_where=PENDING,
        sqlite_where=PENDING,
    )


def downgrade() -> None:
    op.drop_index("ix_messages_pending_approval", table_name="messages")
    op.execute(f"DROP INDEX IF EXISTS {SEARCH_INDEX}")
    if op.get_bind().dialect.name == "postgresql":
        if _pg_trgm():
            op.execute(f"CREATE INDEX {OLD_INDEX} ON messages USING gin (search_text gin_trgm_ops)")
    else:
        op.create_index(OLD_INDEX, "messages", ["search_text"], sqlite_where=sa.text("0"))
