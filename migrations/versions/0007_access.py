"""access model: where a hearing-sheet version started from

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('hearing_sheets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_note', sa.Text(), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('hearing_sheets', schema=None) as batch_op:
        batch_op.drop_column('source_note')
