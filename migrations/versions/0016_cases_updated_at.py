"""cases: an index on (updated_at, id) for the lists newest change first

The dashboard's recent cases and the case list order the department's cases by their last
change. Without an index PostgreSQL read and sorted every case of the department (5 ms for
6,400 cases, growing with them); with it, it reads backwards until it has found enough.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_updated_at", ["updated_at", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_updated_at")
