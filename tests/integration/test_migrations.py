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


def test_open_tasks_get_their_cases_team_as_partition_key_and_back(services: Services) -> None:
    """0013 adds the partition key (the case's team) to instances and open tasks and drops task_candidates;
    going back rebuilds the candidates from the comma-separated names, going forward again fills the key."""
    from datetime import timedelta

    from alembic import command
    from sqlalchemy import inspect, select, text

    from engine.migrations import config
    from engine.runtime.store import OpenTask, ProcessInstance

    first = services.engine.clock.today() + timedelta(days=3)
    case_id = services.start_case("K-000013", "team-ost", data={"naechsterKontaktAm": first}, actor="ifk-1").case_id
    database = services.engine.database
    with database.engine.connect() as connection:
        tasks = connection.execute(select(OpenTask.id, OpenTask.candidate_groups)
                                   .where(OpenTask.case_id == case_id)).all()
    assert tasks and all(groups for _, groups in tasks)

    command.downgrade(config(database), "0012")
    with database.engine.connect() as connection:
        assert "partition_key" not in {column["name"] for column in inspect(connection).get_columns("open_tasks")}
        candidates = set(connection.execute(text("SELECT task_id, kind, name FROM task_candidates")).all())
    assert candidates == {(task_id, "group", name) for task_id, groups in tasks for name in groups.split(",")}

    command.upgrade(config(database), "head")
    with database.engine.connect() as connection:
        assert "task_candidates" not in inspect(connection).get_table_names()
        keys = connection.execute(select(OpenTask.partition_key).where(OpenTask.case_id == case_id)).scalars().all()
        instance_keys = connection.execute(select(ProcessInstance.partition_key)
                                           .where(ProcessInstance.case_id == case_id)).scalars().all()
    assert keys == ["team-ost"] * len(tasks) and instance_keys == ["team-ost"]


def test_drafts_of_ended_tasks_go_and_the_rest_follow_their_task(services: Services) -> None:
    """0014 deletes the drafts of tasks that are no longer open and makes every other draft go with its task;
    going back drops the key and keeps the drafts."""
    from datetime import UTC, datetime, timedelta

    from alembic import command
    from sqlalchemy import inspect, text

    from engine.migrations import config

    first = services.engine.clock.today() + timedelta(days=3)
    case_id = services.start_case("K-000014", "team-ost", data={"naechsterKontaktAm": first}, actor="ifk-1").case_id
    [task] = services.open_tasks(case_id)
    database = services.engine.database
    command.downgrade(config(database), "0013")
    with database.engine.begin() as connection:
        assert not inspect(connection).get_foreign_keys("task_drafts")
        for task_id in (task.id, "beendet-1"):
            connection.execute(text("INSERT INTO task_drafts (task_id, username, data, saved_at) "
                                    "VALUES (:task_id, 'anna', '{}', :at)"),
                               {"task_id": task_id, "at": datetime(2025, 1, 1, tzinfo=UTC)})
    command.upgrade(config(database), "head")
    with database.engine.connect() as connection:
        [key] = inspect(connection).get_foreign_keys("task_drafts")
        assert (key["referred_table"], key["constrained_columns"], key["options"].get("ondelete")) == (
            "open_tasks", ["task_id"], "CASCADE")
        assert connection.execute(text("SELECT task_id FROM task_drafts")).scalars().all() == [task.id]
    command.downgrade(config(database), "0013")
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT task_id FROM task_drafts")).scalars().all() == [task.id]
    command.upgrade(config(database), "head")
