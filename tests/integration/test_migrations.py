"""The Alembic migrations build exactly the schema the models declare, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from engine.models import metadata
from engine.services import Services


def test_migrated_schema_matches_models(services: Services) -> None:
    with services.engine.database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata())
    assert differences == []


def test_the_due_timers_are_indexed_in_firing_order(services: Services) -> None:
    """The worker takes the first due timer by (due time, id); the index holds both, so no sort is needed."""
    from sqlalchemy import inspect

    with services.engine.database.engine.connect() as connection:
        indexes = {index["name"]: index["column_names"] for index in inspect(connection).get_indexes("waits")}
    assert indexes.get("ix_waits_due") == ["kind", "due_at", "id"]


def test_a_teams_cases_past_their_contact_interval_are_indexed(services: Services) -> None:
    """»Heute« lists a team's cases whose contact is due before today: the index holds team and day."""
    from sqlalchemy import inspect

    with services.engine.database.engine.connect() as connection:
        indexes = {index["name"]: index["column_names"] for index in inspect(connection).get_indexes("cases")}
    assert indexes.get("ix_cases_team_contact_due") == ["team", "contact_due_on"]


def test_instance_states_are_compressed_with_lz4_on_postgresql(services: Services) -> None:
    """Every command rewrites its instance's state (about 12 KB of JSON): LZ4 costs PostgreSQL less than pglz."""
    from sqlalchemy import text

    if services.engine.database.dialect != "postgresql":
        pytest.skip("SQLite compresses nothing")
    with services.engine.database.engine.connect() as connection:
        if not connection.scalar(text("SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
                                      "WHERE name = 'default_toast_compression'")):
            pytest.skip("this server has no LZ4; the migration keeps pglz")
        compression = connection.scalar(text(
            "SELECT a.attcompression FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
            "WHERE c.relname = 'process_instances' AND a.attname = 'state' "
            "AND c.relnamespace = to_regnamespace(current_schema())"))
    assert compression == "l"
