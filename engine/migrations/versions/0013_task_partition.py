"""Open tasks carry their instance's partition key (the case's team); the task_candidates table goes (issue 12).

The inbox lists a team's open tasks. It joined them from the team's cases, one index probe into open_tasks per case
(2,500 at 100,000 cases, 13 of the inbox's 30 ms), and checked the candidate groups with one probe into
task_candidates per unassigned task. Now every process instance stores the partition key it was started with (the
counselling domain gives the case's team, which never changes) and every open task a copy of it, indexed: the
team's tasks are one index range. The candidate groups are matched in open_tasks.candidate_groups (comma-separated
names without commas), which the rows found already hold; task_candidates was read nowhere else and goes, and with
it one insert per opened task.

Existing rows get the team of their case (one UPDATE of every instance and open task row: on PostgreSQL run VACUUM
ANALYZE afterwards, or let autovacuum do it, before measuring the inbox). Downgrading rebuilds task_candidates from
the comma-separated names.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_TEAM_OF_CASE = "(SELECT cases.team FROM cases WHERE cases.id = {table}.case_id)"


def upgrade() -> None:
    for table in ("process_instances", "open_tasks"):
        op.add_column(table, sa.Column("partition_key", sa.String(80), nullable=True))
        op.execute(f"UPDATE {table} SET partition_key = {_TEAM_OF_CASE.format(table=table)}")  # noqa: S608
    op.create_index("ix_open_tasks_partition", "open_tasks", ["partition_key"])
    op.drop_index("ix_task_candidates_name", table_name="task_candidates")
    op.drop_table("task_candidates")


def downgrade() -> None:
    candidates = op.create_table(
        "task_candidates",
        sa.Column("task_id", sa.String(36), sa.ForeignKey("open_tasks.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("kind", sa.String(8), primary_key=True),
        sa.Column("name", sa.String(80), primary_key=True),
    )
    op.create_index("ix_task_candidates_name", "task_candidates", ["kind", "name"])
    bind = op.get_bind()
    rows = [{"task_id": task_id, "kind": kind, "name": name}
            for task_id, groups, users in bind.execute(sa.text(
                "SELECT id, candidate_groups, candidate_users FROM open_tasks"))
            for kind, names in (("group", groups), ("user", users))
            for name in dict.fromkeys(part.strip() for part in (names or "").split(",") if part.strip())]
    if rows:
        op.bulk_insert(candidates, rows)
    op.drop_index("ix_open_tasks_partition", table_name="open_tasks")
    # In place, also on SQLite (3.35 and newer): a batch copy of process_instances would have to drop the table
    # the foreign keys of open_tasks and waits point to.
    for table in ("open_tasks", "process_instances"):
        op.drop_column(table, "partition_key")
