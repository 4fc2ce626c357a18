"""Workplace: staff accounts, held sessions, form drafts, saved filters, open demands on the case.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from engine.runtime.store import Json, UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(80), nullable=False, unique=True),
        sa.Column("display_name", sa.String(120), nullable=False),
        sa.Column("role", sa.String(24), nullable=False),
        sa.Column("team", sa.String(80), nullable=True),
        sa.Column("fte", sa.Float(), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "counselling_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("counsellor", sa.String(80), nullable=False),
        sa.Column("team", sa.String(80), nullable=False),
        sa.Column("held_at", UtcDateTime(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("element_id", sa.String(255), nullable=False),
    )
    op.create_index("ix_sessions_counsellor_held", "counselling_sessions", ["counsellor", "held_at"])
    op.create_index("ix_sessions_team_held", "counselling_sessions", ["team", "held_at"])
    op.create_table(
        "task_drafts",
        sa.Column("task_id", sa.String(36), primary_key=True),
        sa.Column("username", sa.String(80), primary_key=True),
        sa.Column("data", Json(), nullable=False),
        sa.Column("saved_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "saved_filters",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(80), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("params", Json(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.UniqueConstraint("username", "name"),
    )
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("open_demands", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("open_demands")
    for table in ("saved_filters", "task_drafts", "counselling_sessions", "staff"):
        op.drop_table(table)
