"""mailbox: messages, deliveries, documents as shared, notifications, outbox; approval flag

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22

The inbox walks ``ix_deliveries_inbox`` (department, read_rank, id, message_id) by keyset; recall finds
the messages sent under a consent by ``ix_message_consents_consent_id``.
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hub.db


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


SEARCH_INDEX = 'ix_messages_search_text_trgm'


#: SQLite's trigram full-text index of messages.search_text, kept by triggers (hub.mailbox.inbox
#: narrows a search with it; the LIKE on messages stays the rule).
SQLITE_SEARCH = (
    "CREATE VIRTUAL TABLE messages_search USING fts5(search_text, content='messages', "
    "content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER messages_search_insert AFTER INSERT ON messages BEGIN "
    "INSERT INTO messages_search(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER messages_search_delete AFTER DELETE ON messages BEGIN "
    "INSERT INTO messages_search(messages_search, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER messages_search_update AFTER UPDATE OF search_text ON messages BEGIN "
    "INSERT INTO messages_search(messages_search, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO messages_search(rowid, search_text) VALUES (new.id, new.search_text); END",
)


def _pg_trgm() -> bool:
    """Whether pg_trgm is installed, installing it if this database user may (else False)."""
    bind = op.get_bind()
    installed = "SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'"
    if bind.execute(sa.text(installed)).first() is not None:
        return True
    try:
        with bind.begin_nested():
            bind.execute(sa.text('CREATE EXTENSION IF NOT EXISTS pg_trgm'))
    except sa.exc.DBAPIError as exc:
        logging.getLogger('alembic').warning(
            'pg_trgm is not available (%s): mailbox search works without its index, slower. '
            'Ask the database administrator to run CREATE EXTENSION pg_trgm, then '
            'CREATE INDEX %s ON messages USING gin (search_text gin_trgm_ops).',
            str(exc.orig).strip(), SEARCH_INDEX,
        )
        return False
    return True


def _create_search_index() -> None:
    """Trigram GIN index for the search on PostgreSQL; on SQLite an FTS5 trigram table."""
    if op.get_bind().dialect.name == 'postgresql':
        if _pg_trgm():
            op.create_index(SEARCH_INDEX, 'messages', ['search_text'], unique=False,
                            postgresql_using='gin', postgresql_ops={'search_text': 'gin_trgm_ops'})
    else:
        op.create_index(SEARCH_INDEX, 'messages', ['search_text'], unique=False,
                        sqlite_where=sa.text('0'))
        for statement in SQLITE_SEARCH:
            op.execute(statement)


def upgrade() -> None:
    op.create_table('outbox_mails',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('link_path', sa.String(length=200), nullable=False),
    sa.Column('created_at', hub.db.UTCDateTime(), nullable=False),
    sa.Column('sent_at', hub.db.UTCDateTime(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_outbox_mails_department_id_departments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_mails'))
    )
    with op.batch_alter_table('outbox_mails', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_mails_sent_at_id', ['sent_at', 'id'], unique=False)

    op.create_table('messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('share', 'sharing_request', 'feedback', 'notice', name='messagekind', native_enum=False, length=24), nullable=False),
    sa.Column('status', sa.Enum('pending_approval', 'returned', 'sent', name='messagestatus', native_enum=False, length=24), nullable=False),
    sa.Column('basis', sa.Enum('consent', 'none', name='legalbasis', native_enum=False, length=24), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('resident_id', sa.Integer(), nullable=True),
    sa.Column('thread_id', sa.Integer(), nullable=True),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('sender_department_id', sa.Integer(), nullable=False),
    sa.Column('sender_user_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('feedback_due', sa.Date(), nullable=True),
    sa.Column('categories', sa.JSON(), nullable=False),
    sa.Column('consent_ids', sa.JSON(), nullable=False),
    sa.Column('sharing_request_id', sa.Integer(), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approval_comment', sa.Text(), nullable=False),
    sa.Column('decided_at', hub.db.UTCDateTime(), nullable=True),
    sa.Column('created_at', hub.db.UTCDateTime(), nullable=False),
    sa.Column('sent_at', hub.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_messages_approved_by_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_messages_case_id_cases')),
    sa.ForeignKeyConstraint(['parent_id'], ['messages.id'], name=op.f('fk_messages_parent_id_messages')),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_messages_resident_id_residents')),
    sa.ForeignKeyConstraint(['sender_department_id'], ['departments.id'], name=op.f('fk_messages_sender_department_id_departments')),
    sa.ForeignKeyConstraint(['sender_user_id'], ['users.id'], name=op.f('fk_messages_sender_user_id_users')),
    sa.ForeignKeyConstraint(['sharing_request_id'], ['sharing_requests.id'], name=op.f('fk_messages_sharing_request_id_sharing_requests')),
    sa.ForeignKeyConstraint(['thread_id'], ['messages.id'], name=op.f('fk_messages_thread_id_messages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages')),
    sa.UniqueConstraint('sender_user_id', 'idempotency_key', name=op.f('uq_messages_sender_user_id'))
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index('ix_messages_case_id_id', ['case_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_messages_resident_id'), ['resident_id'], unique=False)
        batch_op.create_index('ix_messages_sender_department_id_id', ['sender_department_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_messages_thread_id'), ['thread_id'], unique=False)
    _create_search_index()

    op.create_table('deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('delivered', 'recalled', name='deliverystate', native_enum=False, length=24), nullable=False),
    sa.Column('read_rank', sa.Integer(), nullable=False),
    sa.Column('delivered_at', hub.db.UTCDateTime(), nullable=False),
    sa.Column('first_read_at', hub.db.UTCDateTime(), nullable=True),
    sa.Column('first_read_by_id', sa.Integer(), nullable=True),
    sa.Column('acknowledged_at', hub.db.UTCDateTime(), nullable=True),
    sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
    sa.Column('feedback_due', sa.Date(), nullable=True),
    sa.Column('feedback_message_id', sa.Integer(), nullable=True),
    sa.Column('feedback_received_at', hub.db.UTCDateTime(), nullable=True),
    sa.Column('declined_at', hub.db.UTCDateTime(), nullable=True),
    sa.Column('decline_reason', sa.Text(), nullable=False),
    sa.Column('recalled_at', hub.db.UTCDateTime(), nullable=True),
    sa.Column('recalled_on', sa.Date(), nullable=True),
    sa.Column('recall_reason', sa.Text(), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('work_status', sa.Enum('todo', 'doing', 'done', name='workstatus', native_enum=False, length=24), nullable=False),
    sa.Column('updated_at', hub.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['acknowledged_by_id'], ['users.id'], name=op.f('fk_deliveries_acknowledged_by_id_users')),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_deliveries_assignee_id_users')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_deliveries_department_id_departments')),
    sa.ForeignKeyConstraint(['feedback_message_id'], ['messages.id'], name=op.f('fk_deliveries_feedback_message_id_messages')),
    sa.ForeignKeyConstraint(['first_read_by_id'], ['users.id'], name=op.f('fk_deliveries_first_read_by_id_users')),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_deliveries_message_id_messages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deliveries')),
    sa.UniqueConstraint('message_id', 'department_id', name=op.f('uq_deliveries_message_id'))
    )
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_deliveries_owed', ['department_id', 'feedback_due', 'feedback_received_at', 'declined_at', 'state'], unique=False)
        batch_op.create_index('ix_deliveries_inbox', ['department_id', 'read_rank', 'id', 'message_id'], unique=False)

    op.create_table('message_consents',
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('consent_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['consent_id'], ['consents.id'], name=op.f('fk_message_consents_consent_id_consents')),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_message_consents_message_id_messages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('message_id', 'consent_id', name=op.f('pk_message_consents'))
    )
    with op.batch_alter_table('message_consents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_message_consents_consent_id'), ['consent_id'], unique=False)

    op.create_table('message_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('hearing_sheet', 'consent_form', 'feedback', 'policy', 'attachment', name='documentkind', native_enum=False, length=24), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('categories', sa.JSON(), nullable=False),
    sa.Column('hearing_sheet_id', sa.Integer(), nullable=True),
    sa.Column('consent_id', sa.Integer(), nullable=True),
    sa.Column('stored_file_id', sa.Integer(), nullable=True),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['consent_id'], ['consents.id'], name=op.f('fk_message_documents_consent_id_consents')),
    sa.ForeignKeyConstraint(['hearing_sheet_id'], ['hearing_sheets.id'], name=op.f('fk_message_documents_hearing_sheet_id_hearing_sheets')),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_message_documents_message_id_messages'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stored_file_id'], ['stored_files.id'], name=op.f('fk_message_documents_stored_file_id_stored_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_documents'))
    )
    with op.batch_alter_table('message_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_message_documents_message_id'), ['message_id'], unique=False)

    op.create_table('message_recipients',
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_message_recipients_department_id_departments')),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_message_recipients_message_id_messages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('message_id', 'department_id', name=op.f('pk_message_recipients'))
    )
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('new_message', 'approval_needed', 'approved', 'returned', 'recalled', 'feedback_received', 'feedback_due', name='notificationkind', native_enum=False, length=24), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.String(length=200), nullable=False),
    sa.Column('created_at', hub.db.UTCDateTime(), nullable=False),
    sa.Column('read_at', hub.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_notifications_message_id_messages')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_user_id_read_at_id', ['user_id', 'read_at', 'id'], unique=False)

    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('requires_approval', sa.Boolean(), nullable=False, server_default=sa.false()))



def downgrade() -> None:
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.drop_column('requires_approval')

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_user_id_read_at_id')

    op.drop_table('notifications')
    op.drop_table('message_recipients')
    with op.batch_alter_table('message_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_message_documents_message_id'))

    op.drop_table('message_documents')
    with op.batch_alter_table('message_consents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_message_consents_consent_id'))

    op.drop_table('message_consents')
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_deliveries_inbox')
        batch_op.drop_index('ix_deliveries_owed')

    op.drop_table('deliveries')
    op.execute(f'DROP INDEX IF EXISTS {SEARCH_INDEX}')
    if op.get_bind().dialect.name == 'sqlite':
        for name in ('insert', 'delete', 'update'):
            op.execute(f'DROP TRIGGER IF EXISTS messages_search_{name}')
        op.execute('DROP TABLE IF EXISTS messages_search')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_messages_thread_id'))
        batch_op.drop_index('ix_messages_sender_department_id_id')
        batch_op.drop_index(batch_op.f('ix_messages_resident_id'))
        batch_op.drop_index('ix_messages_case_id_id')

    op.drop_table('messages')
    with op.batch_alter_table('outbox_mails', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_mails_sent_at_id')

    op.drop_table('outbox_mails')
