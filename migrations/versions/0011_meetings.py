"""meetings: case conferences (polls, slots, answers, reminders, minutes, action items) and
outbox attachments (the .ics of an invitation)

Revision ID: 0011
Revises: 0009 (another branch adds 0010: re-chain at the merge)
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hub.db


revision: str = "0011"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outbox_mail_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=100), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["outbox_mail_id"],
            ["outbox_mails.id"],
            name=op.f("fk_outbox_attachments_outbox_mail_id_outbox_mails"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_attachments")),
    )
    with op.batch_alter_table("outbox_attachments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbox_attachments_outbox_mail_id"), ["outbox_mail_id"], unique=False
        )

    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("conference", "study", name="meetingkind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("organiser_department_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("agenda", sa.JSON(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("online_url", sa.String(length=500), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("answer_deadline", hub.db.UTCDateTime(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "polling",
                "choosing",
                "scheduled",
                "cancelled",
                name="meetingstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("starts_at", hub.db.UTCDateTime(), nullable=True),
        sa.Column("ends_at", hub.db.UTCDateTime(), nullable=True),
        sa.Column("uid", sa.String(length=200), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("sent_sequence", sa.Integer(), nullable=True),
        sa.Column("cancel_sent_at", hub.db.UTCDateTime(), nullable=True),
        sa.Column("minutes_chased_at", hub.db.UTCDateTime(), nullable=True),
        sa.Column("created_at", hub.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", hub.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_meetings_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_meetings_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organiser_department_id"],
            ["departments.id"],
            name=op.f("fk_meetings_organiser_department_id_departments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
        sa.UniqueConstraint("uid", name=op.f("uq_meetings_uid")),
    )
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meetings_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_meetings_starts_at", ["starts_at"], unique=False)
        batch_op.create_index(
            "ix_meetings_status_answer_deadline", ["status", "answer_deadline"], unique=False
        )

    op.create_table(
        "meeting_action_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("owner_department_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_meeting_action_items_meeting_id_meetings"),
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_meeting_action_items_message_id_messages"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_department_id"],
            ["departments.id"],
            name=op.f("fk_meeting_action_items_owner_department_id_departments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_action_items")),
    )
    with op.batch_alter_table("meeting_action_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_action_items_meeting_id"), ["meeting_id"], unique=False
        )

    op.create_table(
        "meeting_minutes",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("attendees", sa.JSON(), nullable=False),
        sa.Column("shared", sa.Text(), nullable=False),
        sa.Column("policy_pattern", sa.Integer(), nullable=True),
        sa.Column("claim_decisions", sa.JSON(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", hub.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_meeting_minutes_meeting_id_meetings")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_meeting_minutes_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("meeting_id", name=op.f("pk_meeting_minutes")),
    )
    op.create_table(
        "meeting_participants",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("is_organiser", sa.Boolean(), nullable=False),
        sa.Column("added_at", hub.db.UTCDateTime(), nullable=False),
        sa.Column("uncovered_notified_at", hub.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_meeting_participants_department_id_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_meeting_participants_meeting_id_meetings"),
        ),
        sa.PrimaryKeyConstraint(
            "meeting_id", "department_id", name=op.f("pk_meeting_participants")
        ),
    )
    with op.batch_alter_table("meeting_participants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_participants_department_id"), ["department_id"], unique=False
        )

    op.create_table(
        "meeting_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("offset_days", sa.Integer(), nullable=False),
        sa.Column("due_at", hub.db.UTCDateTime(), nullable=False),
        sa.Column("sent_at", hub.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_meeting_reminders_meeting_id_meetings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_reminders")),
        sa.UniqueConstraint(
            "meeting_id", "offset_days", name=op.f("uq_meeting_reminders_meeting_id")
        ),
    )
    op.create_table(
        "meeting_slots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", hub.db.UTCDateTime(), nullable=False),
        sa.Column("ends_at", hub.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_meeting_slots_meeting_id_meetings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_slots")),
    )
    with op.batch_alter_table("meeting_slots", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_slots_meeting_id"), ["meeting_id"], unique=False
        )

    op.create_table(
        "meeting_answers",
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column(
            "answer",
            sa.Enum("yes", "maybe", "no", name="answer", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("answered_by_id", sa.Integer(), nullable=False),
        sa.Column("answered_at", hub.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["answered_by_id"], ["users.id"], name=op.f("fk_meeting_answers_answered_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_meeting_answers_department_id_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["slot_id"], ["meeting_slots.id"], name=op.f("fk_meeting_answers_slot_id_meeting_slots")
        ),
        sa.PrimaryKeyConstraint("slot_id", "department_id", name=op.f("pk_meeting_answers")),
    )


def downgrade() -> None:
    op.drop_table("meeting_answers")
    with op.batch_alter_table("meeting_slots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_slots_meeting_id"))

    op.drop_table("meeting_slots")
    op.drop_table("meeting_reminders")
    with op.batch_alter_table("meeting_participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_participants_department_id"))

    op.drop_table("meeting_participants")
    op.drop_table("meeting_minutes")
    with op.batch_alter_table("meeting_action_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_action_items_meeting_id"))

    op.drop_table("meeting_action_items")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_index("ix_meetings_status_answer_deadline")
        batch_op.drop_index("ix_meetings_starts_at")
        batch_op.drop_index(batch_op.f("ix_meetings_case_id"))

    op.drop_table("meetings")
    with op.batch_alter_table("outbox_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_attachments_outbox_mail_id"))

    op.drop_table("outbox_attachments")
