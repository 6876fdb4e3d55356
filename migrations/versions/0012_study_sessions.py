"""study sessions (勉強会): series with their member departments and host rotation; a
meeting's series and occurrence; the people each department names; attendance and
materials; the shares that sent the minutes

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hub.db


revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "study_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("owner_department_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("interval_months", sa.Integer(), nullable=False),
        sa.Column("week_of_month", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("first_month", sa.Date(), nullable=False),
        sa.Column("start_time", sa.String(length=5), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("online_url", sa.String(length=500), nullable=False),
        sa.Column("lead_days", sa.Integer(), nullable=False),
        sa.Column("proposed", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", hub.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_study_series_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["owner_department_id"],
            ["departments.id"],
            name=op.f("fk_study_series_owner_department_id_departments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_study_series")),
    )
    op.create_table(
        "study_series_members",
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_study_series_members_department_id_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["study_series.id"],
            name=op.f("fk_study_series_members_series_id_study_series"),
        ),
        sa.PrimaryKeyConstraint("series_id", "department_id", name=op.f("pk_study_series_members")),
    )
    op.create_table(
        "meeting_attendance",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_meeting_attendance_department_id_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_meeting_attendance_meeting_id_meetings")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_meeting_attendance_user_id_users")
        ),
        sa.PrimaryKeyConstraint("meeting_id", "user_id", name=op.f("pk_meeting_attendance")),
    )
    op.create_table(
        "meeting_materials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", hub.db.UTCDateTime(), nullable=False),
        sa.Column("name_warning_confirmed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_meeting_materials_department_id_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["file_id"], ["stored_files.id"], name=op.f("fk_meeting_materials_file_id_stored_files")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_meeting_materials_meeting_id_meetings")
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_meeting_materials_uploaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_materials")),
    )
    with op.batch_alter_table("meeting_materials", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_materials_meeting_id"), ["meeting_id"], unique=False
        )

    op.create_table(
        "meeting_people",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_meeting_people_department_id_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_meeting_people_meeting_id_meetings")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_meeting_people_user_id_users")
        ),
        sa.PrimaryKeyConstraint("meeting_id", "user_id", name=op.f("pk_meeting_people")),
    )
    with op.batch_alter_table("meeting_minutes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("message_ids", sa.JSON(), nullable=False, server_default="[]")
        )

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("series_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("occurrence", sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f("ix_meetings_series_id"), ["series_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_meetings_series_id_study_series"), "study_series", ["series_id"], ["id"]
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_meetings_series_id"), ["series_id", "occurrence"]
        )


def downgrade() -> None:
    with op.batch_alter_table("meeting_minutes", schema=None) as batch_op:
        batch_op.drop_column("message_ids")

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_meetings_series_id"), type_="unique")
        batch_op.drop_constraint(
            batch_op.f("fk_meetings_series_id_study_series"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_meetings_series_id"))
        batch_op.drop_column("occurrence")
        batch_op.drop_column("series_id")

    with op.batch_alter_table("meeting_materials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_materials_meeting_id"))

    op.drop_table("meeting_people")
    op.drop_table("meeting_materials")
    op.drop_table("meeting_attendance")
    op.drop_table("study_series_members")
    op.drop_table("study_series")
