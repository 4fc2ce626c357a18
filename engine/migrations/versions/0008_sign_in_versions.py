"""Sessions that end: a version per person, moved on by signing out, a new password or another role (issue 12).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("sign_in_versions",
                    sa.Column("username", sa.String(80), primary_key=True),
                    sa.Column("version", sa.Integer, nullable=False))


def downgrade() -> None:
    op.drop_table("sign_in_versions")
