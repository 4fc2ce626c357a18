"""Initial schema: deployments, process versions, cases, instances, open tasks, waits, event log.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from engine.runtime.store import Json, UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deployments",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("provides", Json(), nullable=False),
        sa.Column("deployed_at", UtcDateTime(), nullable=False),
        sa.Column("deployed_by", sa.String(80), nullable=False),
        sa.Column("activation", sa.Integer(), nullable=False),
    )
    op.create_table(
        "process_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("process_id", sa.String(255), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("deployment_id", sa.String(64), sa.ForeignKey("deployments.id"), nullable=False),
        sa.Column("requires", Json(), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("deployed_at", UtcDateTime(), nullable=False),
        sa.UniqueConstraint("process_id", "version"),
        sa.UniqueConstraint("process_id", "fingerprint"),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_number", sa.String(40), nullable=False, unique=True),
        sa.Column("team", sa.String(80), nullable=False),
        sa.Column("counsellor", sa.String(80), nullable=True),
        sa.Column("process_id", sa.String(255), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("cycle_count", sa.Integer(), nullable=False),
        sa.Column("data", Json(), nullable=False),
        sa.Column("initial_phase", sa.Boolean(), nullable=False),
        sa.Column("mode", sa.String(16), nullable=True),
        sa.Column("mode_reason", sa.String(32), nullable=True),
        sa.Column("priority_group", sa.Integer(), nullable=True),
        sa.Column("contact_interval_days", sa.Integer(), nullable=True),
        sa.Column("next_contact_on", sa.Date(), nullable=True),
        sa.Column("next_contact_kind", sa.String(32), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_cases_team_priority", "cases", ["team", "priority_group"])
    op.create_index("ix_cases_counsellor", "cases", ["counsellor"])
    op.create_table(
        "process_instances",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("process_version_id", sa.Integer(), sa.ForeignKey("process_versions.id"), nullable=False),
        sa.Column("cycle_no", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("ended_at", UtcDateTime(), nullable=True),
    )
    op.create_index("ix_instances_case_status", "process_instances", ["case_id", "status"])
    op.create_table(
        "open_tasks",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("instance_id", sa.Integer(), sa.ForeignKey("process_instances.id"), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("element_id", sa.String(255), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("assignee", sa.String(80), nullable=True),
        sa.Column("candidate_groups", sa.String(500), nullable=False),
        sa.Column("candidate_users", sa.String(500), nullable=False),
        sa.Column("due_at", UtcDateTime(), nullable=True),
        sa.Column("follow_up_at", UtcDateTime(), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("form_key", sa.String(255), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_open_tasks_assignee_due", "open_tasks", ["assignee", "due_at"])
    op.create_index("ix_open_tasks_due", "open_tasks", ["due_at"])
    op.create_index("ix_open_tasks_follow_up", "open_tasks", ["follow_up_at"])
    op.create_index("ix_open_tasks_case", "open_tasks", ["case_id"])
    op.create_index("ix_open_tasks_instance", "open_tasks", ["instance_id"])
    op.create_table(
        "task_candidates",
        sa.Column("task_id", sa.String(36), sa.ForeignKey("open_tasks.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("kind", sa.String(8), primary_key=True),
        sa.Column("name", sa.String(80), primary_key=True),
    )
    op.create_index("ix_task_candidates_name", "task_candidates", ["kind", "name"])
    op.create_table(
        "waits",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("instance_id", sa.Integer(), sa.ForeignKey("process_instances.id"), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("element_id", sa.String(255), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("task_id", sa.String(36), nullable=False),
        sa.Column("due_at", UtcDateTime(), nullable=True),
    )
    op.create_index("ix_waits_kind_due", "waits", ["kind", "due_at"])
    op.create_index("ix_waits_case_kind_name", "waits", ["case_id", "kind", "name"])
    op.create_index("ix_waits_instance", "waits", ["instance_id"])
    op.create_table(
        "events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=True),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("element_id", sa.String(255), nullable=True),
        sa.Column("data", Json(), nullable=True),
    )
    op.create_index("ix_events_case", "events", ["case_id", "id"])
    _append_only("events")


def _append_only(table: str) -> None:
    """The event log is the audit trail (SGB X §§ 67 ff.): the database itself refuses to change it."""
    message = "Das Ereignisprotokoll ist unveränderlich."
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '{message}'; END $$;
        """)
        op.execute(f"CREATE TRIGGER {table}_no_update BEFORE UPDATE OR DELETE ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()")
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{message}'); END")


def downgrade() -> None:
    op.drop_index("ix_cases_counsellor", "cases")
    op.drop_index("ix_cases_team_priority", "cases")
    for table in ("events", "waits", "task_candidates", "open_tasks", "process_instances", "cases",
                  "process_versions", "deployments"):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS events_append_only()")
