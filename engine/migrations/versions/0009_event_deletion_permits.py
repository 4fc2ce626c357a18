"""Retention: the event log stays append-only, except for the rows of a case released for deletion by `sro loeschen`
(a row in event_deletion_permits, written and removed in the same transaction as the deletion) (issue 12).

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# The message of 0001 ("Das Ereignisprotokoll ist unveränderlich."), written out: these are SQL texts, not templates.
def upgrade() -> None:
    op.create_table("event_deletion_permits", sa.Column("case_id", sa.Integer, primary_key=True, autoincrement=False))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE OR REPLACE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'DELETE' AND OLD.case_id IS NOT NULL
                   AND EXISTS (SELECT 1 FROM event_deletion_permits WHERE case_id = OLD.case_id) THEN
                    RETURN OLD;
                END IF;
                RAISE EXCEPTION 'Das Ereignisprotokoll ist unveränderlich.';
            END $$;
        """)
    else:
        op.execute("DROP TRIGGER events_no_delete")
        op.execute("CREATE TRIGGER events_no_delete BEFORE DELETE ON events WHEN OLD.case_id IS NULL OR NOT EXISTS "
                   "(SELECT 1 FROM event_deletion_permits WHERE case_id = OLD.case_id) "
                   "BEGIN SELECT RAISE(ABORT, 'Das Ereignisprotokoll ist unveränderlich.'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE OR REPLACE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'Das Ereignisprotokoll ist unveränderlich.'; END $$;
        """)
    else:
        op.execute("DROP TRIGGER events_no_delete")
        op.execute("CREATE TRIGGER events_no_delete BEFORE DELETE ON events "
                   "BEGIN SELECT RAISE(ABORT, 'Das Ereignisprotokoll ist unveränderlich.'); END")
    op.drop_table("event_deletion_permits")
