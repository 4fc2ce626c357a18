"""The due timers in firing order straight from an index, and a cheaper compression of instance states (issue 12).

- `ix_waits_due` (kind, due_at, id) replaces `ix_waits_kind_due` (kind, due_at): the worker's statement orders by
  due time and id and takes the first unlocked row; with the id in the index PostgreSQL reads it in order instead of
  sorting the due rows first.
- PostgreSQL only: instance states (JSON of about 12 KB, rewritten by every command) are compressed with LZ4
  instead of the default pglz where the server has it (PostgreSQL 14 and newer, built with LZ4); the UPDATE of the
  state took 0.44 ms with pglz and 0.29 ms with LZ4 on the benchmark caseload. Existing values keep their compression
  until they are next written.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _lz4_available() -> bool:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    return bool(bind.scalar(sa.text("SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
                                    "WHERE name = 'default_toast_compression'")))


def upgrade() -> None:
    op.drop_index("ix_waits_kind_due", table_name="waits")
    op.create_index("ix_waits_due", "waits", ["kind", "due_at", "id"])
    if _lz4_available():
        op.execute("ALTER TABLE process_instances ALTER COLUMN state SET COMPRESSION lz4")


def downgrade() -> None:
    if _lz4_available():
        op.execute("ALTER TABLE process_instances ALTER COLUMN state SET COMPRESSION pglz")
    op.drop_index("ix_waits_due", table_name="waits")
    op.create_index("ix_waits_kind_due", "waits", ["kind", "due_at"])
