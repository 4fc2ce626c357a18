"""The team's cases past their contact interval straight from an index (issue 12).

The inbox's »Heute« shows a team's active cases whose contact is due before today, longest overdue first. Without
an index on (team, contact_due_on) PostgreSQL read all of a team's cases (2,500 at 100,000 cases) and filtered
them: 4.2 ms of the inbox's statements on the benchmark caseload; with it, 0.9 ms. `ix_cases_counsellor_contact_due`
already serves the same list for one counsellor.

Revision ID: 0012
Revises: 0011
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_cases_team_contact_due", "cases", ["team", "contact_due_on"])


def downgrade() -> None:
    op.drop_index("ix_cases_team_contact_due", table_name="cases")
