"""A draft goes with its open task: task_drafts.task_id references open_tasks.id ON DELETE CASCADE (issue 12).

A draft is kept per task and person until the task is completed. Completing a task deleted its drafts with a
statement of its own (one round trip of every completion), and a task that ended otherwise (a boundary timer, a
message, the case closed) left its drafts behind until the retention run found them. Now the database deletes the
drafts when the save deletes the open task, whichever way it ended, in the same statement; and a draft cannot be
saved for a task that is no longer open (the foreign key refuses it, the workplace says so in German).

Upgrading deletes the drafts of tasks that are no longer open (they could never be used again), then adds the key;
on SQLite the table is copied (batch mode; its foreign keys are on, see engine/runtime/store.py). Downgrading drops
the key; the drafts stay.

Revision ID: 0014
Revises: 0013
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

KEY = "fk_task_drafts_task_id"


def upgrade() -> None:
    op.execute("DELETE FROM task_drafts WHERE task_id NOT IN (SELECT id FROM open_tasks)")
    with op.batch_alter_table("task_drafts") as batch:
        batch.create_foreign_key(KEY, "open_tasks", ["task_id"], ["id"], ondelete="CASCADE")


def downgrade() -> None:
    with op.batch_alter_table("task_drafts") as batch:
        batch.drop_constraint(KEY, type_="foreignkey")
