"""Letter templates stored with the deployment (issue 11): one row per content of processes/vorlagen; an index
for a case's events of one kind (the letters produced for it are read on every step).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

from engine.runtime.store import Json, UtcDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("letter_template_sets",
                    sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("sha256", sa.String(64), nullable=False, unique=True),
                    sa.Column("files", Json(), nullable=False),
                    sa.Column("deployed_at", UtcDateTime(), nullable=False),
                    sa.Column("deployed_by", sa.String(80), nullable=False),
                    sa.Column("activation", sa.Integer, nullable=False))
    op.create_index("ix_events_case_kind", "events", ["case_id", "kind", "id"])


def downgrade() -> None:
    op.drop_index("ix_events_case_kind", table_name="events")
    op.drop_table("letter_template_sets")
