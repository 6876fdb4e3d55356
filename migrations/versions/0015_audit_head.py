"""audit: the chain's head row exists from the start

The sealer (hub.audit.seal) serialises on the head row's lock. Without a row, two sealers
sealing for the very first time at once would both insert it and one would fail; with the row
made here, the second waits for the first and finds the events sealed.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: hub.models.audit.GENESIS_HASH, written out: a migration does not import the models.
GENESIS_HASH = "0" * 64


def upgrade() -> None:
    op.execute(
        sa.text(
            "INSERT INTO audit_head (id, last_seq, last_hash) "
            "SELECT 1, 0, :genesis WHERE NOT EXISTS (SELECT 1 FROM audit_head WHERE id = 1)"
        ).bindparams(genesis=GENESIS_HASH)
    )


def downgrade() -> None:
    # Only the empty head this migration made; a chain that has begun keeps its head.
    op.execute(sa.text("DELETE FROM audit_head WHERE id = 1 AND last_seq = 0"))
