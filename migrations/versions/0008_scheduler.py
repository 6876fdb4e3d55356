"""scheduler: job runs, feedback and consent reminders, outbox retries, audit checkpoints,
legal hold and retention marks

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04

Adds columns only with ALTER TABLE ADD COLUMN (SQLite batch mode does not rebuild a table for
that), and never touches ``messages`` (whose FTS5 triggers a rebuild would lose).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hub.db


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('audit_checkpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', hub.db.UTCDateTime(), nullable=False),
    sa.Column('signature', sa.String(length=128), nullable=False),
    sa.Column('key_id', sa.String(length=16), nullable=False),
    sa.Column('exported_to', sa.String(length=255), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_checkpoints'))
    )
    with op.batch_alter_table('audit_checkpoints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_checkpoints_seq'), ['seq'], unique=False)

    op.create_table('job_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sa.String(length=32), nullable=False),
    sa.Column('outcome', sa.Enum('running', 'ok', 'failed', name='runoutcome', native_enum=False, length=16), nullable=False),
    sa.Column('trigger', sa.String(length=16), nullable=False),
    sa.Column('is_dry_run', sa.Boolean(), nullable=False),
    sa.Column('runner', sa.String(length=80), nullable=False),
    sa.Column('started_at', hub.db.UTCDateTime(), nullable=False),
    sa.Column('finished_at', hub.db.UTCDateTime(), nullable=True),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('error', sa.String(length=500), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_runs'))
    )
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.create_index('ix_job_runs_job_id', ['job', 'id'], unique=False)

    op.create_table('consent_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consent_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.Enum('warning', 'expired', name='consentreminderstage', native_enum=False, length=16), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('shares', sa.JSON(), nullable=False),
    sa.Column('created_at', hub.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['consent_id'], ['consents.id'], name=op.f('fk_consent_reminders_consent_id_consents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_reminders')),
    sa.UniqueConstraint('consent_id', 'stage', name=op.f('uq_consent_reminders_consent_id'))
    )
    op.create_table('feedback_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('delivery_id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.Enum('before', 'due', 'escalation', name='reminderstage', native_enum=False, length=24), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('is_sent', sa.Boolean(), nullable=False),
    sa.Column('created_at', hub.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['delivery_id'], ['deliveries.id'], name=op.f('fk_feedback_reminders_delivery_id_deliveries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_feedback_reminders_department_id_departments')),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_feedback_reminders_message_id_messages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_reminders')),
    sa.UniqueConstraint('delivery_id', 'stage', name=op.f('uq_feedback_reminders_delivery_id'))
    )
    with op.batch_alter_table('feedback_reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_reminders_message_id'), ['message_id'], unique=False)

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('legal_hold', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('anonymised_at', hub.db.UTCDateTime(), nullable=True))

    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('files_purged_at', hub.db.UTCDateTime(), nullable=True))

    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_deliveries_open_due', ['feedback_due', 'id'], unique=False, postgresql_where=sa.text("feedback_due IS NOT NULL AND feedback_received_at IS NULL AND declined_at IS NULL AND state = 'delivered'"), sqlite_where=sa.text("feedback_due IS NOT NULL AND feedback_received_at IS NULL AND declined_at IS NULL AND state = 'delivered'"))

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('link_path', sa.String(length=200), nullable=False, server_default=''))
        batch_op.create_index('ix_notifications_message_id', ['message_id'], unique=False)

    with op.batch_alter_table('outbox_mails', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.Enum('queued', 'sending', 'sent', 'failed', name='outboxstatus', native_enum=False, length=24), server_default='queued', nullable=False))
        batch_op.add_column(sa.Column('next_attempt_at', hub.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('mail_id', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('failed_at', hub.db.UTCDateTime(), nullable=True))
        batch_op.create_index('ix_outbox_mails_status_next_attempt_at_id', ['status', 'next_attempt_at', 'id'], unique=False)
    op.execute("UPDATE outbox_mails SET status = 'sent' WHERE sent_at IS NOT NULL")

    with op.batch_alter_table('residents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('legal_hold', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('anonymised_at', hub.db.UTCDateTime(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('residents', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')
        batch_op.drop_column('legal_hold')

    with op.batch_alter_table('outbox_mails', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_mails_status_next_attempt_at_id')
        batch_op.drop_column('failed_at')
        batch_op.drop_column('mail_id')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('status')

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_message_id')
        batch_op.drop_column('link_path')

    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_deliveries_open_due', postgresql_where=sa.text("feedback_due IS NOT NULL AND feedback_received_at IS NULL AND declined_at IS NULL AND state = 'delivered'"), sqlite_where=sa.text("feedback_due IS NOT NULL AND feedback_received_at IS NULL AND declined_at IS NULL AND state = 'delivered'"))

    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.drop_column('files_purged_at')

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')
        batch_op.drop_column('legal_hold')

    with op.batch_alter_table('feedback_reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_reminders_message_id'))

    op.drop_table('feedback_reminders')
    op.drop_table('consent_reminders')
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_job_runs_job_id')

    op.drop_table('job_runs')
    with op.batch_alter_table('audit_checkpoints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_checkpoints_seq'))

    op.drop_table('audit_checkpoints')
