"""hearing sheets and criteria judgements

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22

Versions of the 共通ヒアリングシート (one row per saved version, unique per case) and staff's
共通目安 decisions, each tied to the sheet version it was made on.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hub.db

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OUTCOME = sa.Enum('met', 'not_met', 'unknown', name='outcome', native_enum=False, length=16)


def upgrade() -> None:
    op.create_table('hearing_sheets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('created_at', hub.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_hearing_sheets_author_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_hearing_sheets_case_id_cases')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_hearing_sheets_department_id_departments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hearing_sheets')),
    sa.UniqueConstraint('case_id', 'version', name='uq_hearing_sheets_case_id_version')
    )
    with op.batch_alter_table('hearing_sheets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hearing_sheets_case_id'), ['case_id'], unique=False)

    op.create_table('criteria_judgements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('sheet_id', sa.Integer(), nullable=False),
    sa.Column('criterion', sa.Integer(), nullable=False),
    sa.Column('suggestion', _OUTCOME, nullable=False),
    sa.Column('suggestion_reason', sa.Text(), nullable=False),
    sa.Column('decision', _OUTCOME, nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('judged_by_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('judged_at', hub.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint('criterion BETWEEN 1 AND 6', name=op.f('ck_criteria_judgements_criterion_range')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_criteria_judgements_case_id_cases')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_criteria_judgements_department_id_departments')),
    sa.ForeignKeyConstraint(['judged_by_id'], ['users.id'], name=op.f('fk_criteria_judgements_judged_by_id_users')),
    sa.ForeignKeyConstraint(['sheet_id'], ['hearing_sheets.id'], name=op.f('fk_criteria_judgements_sheet_id_hearing_sheets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_criteria_judgements'))
    )
    with op.batch_alter_table('criteria_judgements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_criteria_judgements_case_id'), ['case_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('criteria_judgements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_criteria_judgements_case_id'))
    op.drop_table('criteria_judgements')
    with op.batch_alter_table('hearing_sheets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hearing_sheets_case_id'))
    op.drop_table('hearing_sheets')
