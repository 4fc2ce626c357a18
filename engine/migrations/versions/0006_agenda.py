"""Appointments, Wiedervorlagen and other contacts as rows of their own; when a case is due for contact;
closed cases with their reason.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

from engine.runtime.store import UtcDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "appointments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("counsellor", sa.String(80), nullable=False),
        sa.Column("team", sa.String(80), nullable=False),
        sa.Column("starts_at", UtcDateTime(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("purpose", sa.String(500), nullable=False),
        sa.Column("with_rfb", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("cancelled_by", sa.String(16), nullable=True),
        sa.Column("session_id", sa.Integer(), sa.ForeignKey("counselling_sessions.id"), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_appointments_counsellor_start", "appointments", ["counsellor", "starts_at"])
    op.create_index("ix_appointments_case_start", "appointments", ["case_id", "starts_at"])
    op.create_index("ix_appointments_team_start", "appointments", ["team", "starts_at"])
    op.create_table(
        "follow_ups",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("owner", sa.String(80), nullable=False),
        sa.Column("team", sa.String(80), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column("done_at", UtcDateTime(), nullable=True),
        sa.Column("done_by", sa.String(80), nullable=True),
    )
    op.create_index("ix_follow_ups_owner_due", "follow_ups", ["owner", "due_on"])
    op.create_index("ix_follow_ups_team_due", "follow_ups", ["team", "due_on"])
    op.create_index("ix_follow_ups_case", "follow_ups", ["case_id"])
    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("note", sa.String(4000), nullable=False),
        sa.Column("counsellor", sa.String(80), nullable=False),
    )
    op.create_index("ix_contacts_case_at", "contacts", ["case_id", "at"])
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("contact_due_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("closed_reason", sa.String(32), nullable=True))
        batch.add_column(sa.Column("closed_at", UtcDateTime(), nullable=True))
    op.create_index("ix_cases_counsellor_contact_due", "cases", ["counsellor", "contact_due_on"])


def downgrade() -> None:
    op.drop_index("ix_cases_counsellor_contact_due", "cases")
    with op.batch_alter_table("cases") as batch:
        for column in ("closed_at", "closed_reason", "contact_due_on"):
            batch.drop_column(column)
    for table in ("contacts", "follow_ups", "appointments"):
        op.drop_table(table)
