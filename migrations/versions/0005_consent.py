"""consents: scope grants, signed forms and sharing requests

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22

The consents refer to stored files (revision 0002), hence ``depends_on``. covers() reads
``consents`` by ``ix_consents_resident_id`` and the grants by their unique constraint
(consent, sender, recipient, category), which doubles as its index.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hub.db

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('consents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('obtaining_department_id', sa.Integer(), nullable=False),
    sa.Column('obtained_by_id', sa.Integer(), nullable=False),
    sa.Column('obtained_on', sa.Date(), nullable=True),
    sa.Column('method', sa.Enum('signed_form', name='consentmethod', native_enum=False, length=16), nullable=False),
    sa.Column('status', sa.Enum('draft', 'active', 'withdrawn', 'expired', name='consentstatus', native_enum=False, length=16), nullable=False),
    sa.Column('purposes', sa.JSON(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('statement_text', sa.Text(), nullable=False),
    sa.Column('withdrawal_clause', sa.Text(), nullable=False),
    sa.Column('form_generated_at', hub.db.UTCDateTime(), nullable=True),
    sa.Column('form_pdf_id', sa.Integer(), nullable=True),
    sa.Column('form_docx_id', sa.Integer(), nullable=True),
    sa.Column('scan_id', sa.Integer(), nullable=True),
    sa.Column('activated_at', hub.db.UTCDateTime(), nullable=True),
    sa.Column('activated_by_id', sa.Integer(), nullable=True),
    sa.Column('withdrawn_on', sa.Date(), nullable=True),
    sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
    sa.Column('withdrawal_method', sa.Enum('written', 'oral', name='withdrawalmethod', native_enum=False, length=16), nullable=True),
    sa.Column('withdrawal_reason', sa.Text(), nullable=False),
    sa.Column('withdrawn_at', hub.db.UTCDateTime(), nullable=True),
    sa.Column('expired_at', hub.db.UTCDateTime(), nullable=True),
    sa.Column('created_at', hub.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', hub.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['activated_by_id'], ['users.id'], name=op.f('fk_consents_activated_by_id_users')),
    sa.ForeignKeyConstraint(['form_docx_id'], ['stored_files.id'], name=op.f('fk_consents_form_docx_id_stored_files')),
    sa.ForeignKeyConstraint(['form_pdf_id'], ['stored_files.id'], name=op.f('fk_consents_form_pdf_id_stored_files')),
    sa.ForeignKeyConstraint(['obtained_by_id'], ['users.id'], name=op.f('fk_consents_obtained_by_id_users')),
    sa.ForeignKeyConstraint(['obtaining_department_id'], ['departments.id'], name=op.f('fk_consents_obtaining_department_id_departments')),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_consents_resident_id_residents')),
    sa.ForeignKeyConstraint(['scan_id'], ['stored_files.id'], name=op.f('fk_consents_scan_id_stored_files')),
    sa.ForeignKeyConstraint(['withdrawn_by_id'], ['users.id'], name=op.f('fk_consents_withdrawn_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consents'))
    )
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consents_resident_id'), ['resident_id'], unique=False)

    op.create_table('consent_grants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consent_id', sa.Integer(), nullable=False),
    sa.Column('from_department_id', sa.Integer(), nullable=False),
    sa.Column('to_department_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['consent_id'], ['consents.id'], name=op.f('fk_consent_grants_consent_id_consents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['from_department_id'], ['departments.id'], name=op.f('fk_consent_grants_from_department_id_departments')),
    sa.ForeignKeyConstraint(['to_department_id'], ['departments.id'], name=op.f('fk_consent_grants_to_department_id_departments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_grants')),
    sa.UniqueConstraint('consent_id', 'from_department_id', 'to_department_id', 'category', name=op.f('uq_consent_grants_consent_id'))
    )

    op.create_table('sharing_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('requesting_department_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('consent_ids', sa.JSON(), nullable=False),
    sa.Column('created_at', hub.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_sharing_requests_requested_by_id_users')),
    sa.ForeignKeyConstraint(['requesting_department_id'], ['departments.id'], name=op.f('fk_sharing_requests_requesting_department_id_departments')),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_sharing_requests_resident_id_residents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sharing_requests'))
    )
    with op.batch_alter_table('sharing_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sharing_requests_resident_id'), ['resident_id'], unique=False)

    op.create_table('sharing_request_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_sharing_request_items_department_id_departments')),
    sa.ForeignKeyConstraint(['request_id'], ['sharing_requests.id'], name=op.f('fk_sharing_request_items_request_id_sharing_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sharing_request_items')),
    sa.UniqueConstraint('request_id', 'department_id', 'category', name=op.f('uq_sharing_request_items_request_id'))
    )


def downgrade() -> None:
    op.drop_table('sharing_request_items')
    with op.batch_alter_table('sharing_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sharing_requests_resident_id'))
    op.drop_table('sharing_requests')
    op.drop_table('consent_grants')
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consents_resident_id'))
    op.drop_table('consents')
