"""documents: the counselling-window directory, case-packet jobs, packets as mailbox documents

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04

``message_documents.packet_job_id`` needs a foreign key: on SQLite batch mode rebuilds that
table (it has no triggers; ``messages``, whose FTS5 triggers a rebuild would lose, is not
touched).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hub.db


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('counselling_windows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('what_for', sa.Text(), nullable=False),
    sa.Column('keywords', sa.String(length=500), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=30), nullable=False),
    sa.Column('hours', sa.String(length=100), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('criteria', sa.JSON(), nullable=False),
    sa.Column('facts', sa.JSON(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', hub.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', hub.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counselling_windows'))
    )
    op.create_table('packet_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('recipient_department_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.Enum('own', 'share', 'paper', name='packetmethod', native_enum=False, length=16), nullable=False),
    sa.Column('format', sa.Enum('pdf', 'docx', name='packetformat', native_enum=False, length=16), nullable=False),
    sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', 'refused', 'expired', name='packetstatus', native_enum=False, length=16), nullable=False),
    sa.Column('day', sa.Date(), nullable=True),
    sa.Column('categories', sa.JSON(), nullable=False),
    sa.Column('withheld', sa.JSON(), nullable=False),
    sa.Column('consent_ids', sa.JSON(), nullable=False),
    sa.Column('sources', sa.JSON(), nullable=False),
    sa.Column('password_box', sa.Text(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('failed_attachments', sa.JSON(), nullable=False),
    sa.Column('stored_file_id', sa.Integer(), nullable=True),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('handed_over_at', hub.db.UTCDateTime(), nullable=True),
    sa.Column('created_at', hub.db.UTCDateTime(), nullable=False),
    sa.Column('started_at', hub.db.UTCDateTime(), nullable=True),
    sa.Column('finished_at', hub.db.UTCDateTime(), nullable=True),
    sa.Column('expires_at', hub.db.UTCDateTime(), nullable=True),
    sa.Column('runner', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_packet_jobs_case_id_cases')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_packet_jobs_department_id_departments')),
    sa.ForeignKeyConstraint(['recipient_department_id'], ['departments.id'], name=op.f('fk_packet_jobs_recipient_department_id_departments')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_packet_jobs_requested_by_id_users')),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_packet_jobs_resident_id_residents')),
    sa.ForeignKeyConstraint(['stored_file_id'], ['stored_files.id'], name=op.f('fk_packet_jobs_stored_file_id_stored_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_packet_jobs'))
    )
    with op.batch_alter_table('packet_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_packet_jobs_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_packet_jobs_resident_id_id', ['resident_id', 'id'], unique=False)
        batch_op.create_index('ix_packet_jobs_status_id', ['status', 'id'], unique=False)

    with op.batch_alter_table('message_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('packet_job_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_message_documents_packet_job_id_packet_jobs'), 'packet_jobs', ['packet_job_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('message_documents', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_message_documents_packet_job_id_packet_jobs'), type_='foreignkey')
        batch_op.drop_column('packet_job_id')

    with op.batch_alter_table('packet_jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_packet_jobs_status_id')
        batch_op.drop_index('ix_packet_jobs_resident_id_id')
        batch_op.drop_index(batch_op.f('ix_packet_jobs_case_id'))

    op.drop_table('packet_jobs')
    op.drop_table('counselling_windows')
