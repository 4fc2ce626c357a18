"""QA: walks through a simulated case, kept on the server.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from engine.runtime.store import Json, UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "simulation_walks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("owner", sa.String(80), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("start", sa.String(10), nullable=False),
        sa.Column("steps", Json(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("simulation_walks")
