"""Stored status codes in one language: process instances `running`/`completed` become `laeuft`/`beendet`,
like the case status (`aktiv`/`beendet`), the event kinds and the roles.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

RENAMED = (("running", "laeuft"), ("completed", "beendet"))


def upgrade() -> None:
    for old, new in RENAMED:
        op.execute(f"UPDATE process_instances SET status = '{new}' WHERE status = '{old}'")  # noqa: S608


def downgrade() -> None:
    for old, new in RENAMED:
        op.execute(f"UPDATE process_instances SET status = '{old}' WHERE status = '{new}'")  # noqa: S608
