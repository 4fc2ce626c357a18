"""Saving an instance (engine/runtime/writes.py): one statement on PostgreSQL, plain statements on SQLite; a stale
version writes nothing at all, not even inside the transaction that tried."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from engine.runtime import writes
from engine.runtime.clock import SimulatedClock
from engine.runtime.store import OpenTask, ProcessInstance, Wait
from engine.services import Services


def _start(services: Services) -> int:
    first = services.engine.clock.today() + timedelta(days=3)
    return services.start_case("K-000001", "team-nord", data={"naechsterKontaktAm": first}, actor="ifk-1").case_id


def _rows(connection: Any, case_id: int) -> tuple[list[Any], ...]:
    execute = connection.execute
    return (execute(select(OpenTask.id, OpenTask.element_id, OpenTask.candidate_groups, OpenTask.partition_key)
                    .where(OpenTask.case_id == case_id)).all(),
            execute(select(Wait.kind, Wait.element_id, Wait.due_at).where(Wait.case_id == case_id)).all(),
            execute(select(ProcessInstance.version, ProcessInstance.state)
                    .where(ProcessInstance.case_id == case_id)).all())


def _writes(instance: Any, expected: int, now: datetime, gone: list[str]) -> writes.Writes:
    task = {"id": "neu-1", "instance_id": instance.id, "case_id": instance.case_id, "element_id": "Task_Neu",
            "name": "Neu", "assignee": None, "candidate_groups": "team-nord", "candidate_users": "",
            "due_at": now + timedelta(days=2), "follow_up_at": None, "priority": 50, "form_key": None,
            "created_at": now, "partition_key": "team-nord"}
    wait = {"instance_id": instance.id, "case_id": instance.case_id, "task_id": "t", "kind": "timer",
            "element_id": "Event_Neu", "name": "", "due_at": now + timedelta(days=1)}
    return writes.Writes(instance.id, expected, '{"neu": true}', "laeuft", now, None, gone, [task], [wait])


def test_a_stale_version_writes_nothing_even_inside_its_transaction(services: Services) -> None:
    case_id = _start(services)
    now = services.engine.clock.now()
    with services.engine.database.engine.begin() as connection:
        instance = connection.execute(select(ProcessInstance).where(ProcessInstance.case_id == case_id)).one()
        gone = [row.id for row in connection.execute(select(OpenTask.id).where(OpenTask.case_id == case_id))]
        before = _rows(connection, case_id)
        assert gone and before[1]
        assert writes.save(connection, _writes(instance, instance.version + 7, now, gone)) is False
        assert _rows(connection, case_id) == before
        connection.rollback()


def test_a_save_writes_state_tasks_and_waits(services: Services) -> None:
    case_id = _start(services)
    now = services.engine.clock.now()
    with services.engine.database.engine.begin() as connection:
        instance = connection.execute(select(ProcessInstance).where(ProcessInstance.case_id == case_id)).one()
        gone = [row.id for row in connection.execute(select(OpenTask.id).where(OpenTask.case_id == case_id))]
        assert writes.save(connection, _writes(instance, instance.version, now, gone)) is True
        tasks, waits, states = _rows(connection, case_id)
        assert [tuple(row) for row in tasks] == [("neu-1", "Task_Neu", "team-nord", "team-nord")]
        assert [(row.kind, row.element_id, row.due_at) for row in waits] == [
            ("timer", "Event_Neu", now + timedelta(days=1))]
        assert [tuple(row) for row in states] == [(instance.version + 1, '{"neu": true}')]
        connection.rollback()


def test_the_steps_event_is_written_with_the_state_and_not_when_the_version_is_stale(services: Services) -> None:
    """The event of the saved step (a row as ProcessEngine.event_row makes it): on PostgreSQL inside the save's one
    statement, on SQLite right after it; a stale version writes no event either."""
    from dataclasses import replace

    from sqlalchemy import event as listen

    from engine.runtime.store import Event

    case_id = _start(services)
    now = services.engine.clock.now()
    statements: list[str] = []
    with services.engine.database.engine.begin() as connection:
        instance = connection.execute(select(ProcessInstance).where(ProcessInstance.case_id == case_id)).one()
        logged = services.engine.event_row("ifk-1", "frist_abgelaufen", case_id=case_id, instance_id=instance.id,
                                           element_id="Event_Neu", data={"faellig": now.isoformat(), "ä": [1]})
        listen.listen(connection, "before_cursor_execute", lambda *args: statements.append(args[2]))
        assert writes.save(connection, replace(_writes(instance, instance.version + 3, now, []), event=logged)) is False
        assert writes.save(connection, replace(_writes(instance, instance.version, now, []), event=logged)) is True
        rows = connection.execute(select(Event.at, Event.actor, Event.case_id, Event.instance_id, Event.kind,
                                         Event.element_id, Event.data)
                                  .where(Event.case_id == case_id, Event.kind == "frist_abgelaufen")).all()
        assert [tuple(row) for row in rows] == [(now, "ifk-1", case_id, instance.id, "frist_abgelaufen", "Event_Neu",
                                                 {"faellig": now.isoformat(), "ä": [1]})]
        if connection.dialect.name == "postgresql":
            assert len(statements) == 3  # each save one statement, then the read above
        connection.rollback()


def test_a_naive_time_is_refused(services: Services) -> None:
    with pytest.raises(ValueError, match="naive"):
        writes._json([{"due_at": datetime(2026, 1, 1, 12, 0)}])


def test_the_callers_projection_is_written_with_the_state_and_not_when_the_version_is_stale(
        services: Services) -> None:
    """The case columns follow a step (issue 12): written by the save's one statement on PostgreSQL, right after it on
    SQLite, never by a save that found another version; dates, None and text keep their column types."""
    from dataclasses import replace
    from datetime import date

    from sqlalchemy import event as listen

    from engine.domain.case import Case

    case_id = _start(services)
    now = services.engine.clock.now()
    projection = writes.Projection("cases", "id", case_id, {
        "next_contact_on": date(2025, 3, 19), "next_contact_kind": "wiedervorlage", "priority_group": None,
        "initial_phase": False})
    statements: list[str] = []

    def columns(connection: Any) -> tuple[Any, ...]:
        return tuple(connection.execute(select(Case.next_contact_on, Case.next_contact_kind, Case.priority_group,
                                               Case.initial_phase).where(Case.id == case_id)).one())

    with services.engine.database.engine.begin() as connection:
        instance = connection.execute(select(ProcessInstance).where(ProcessInstance.case_id == case_id)).one()
        before = columns(connection)
        assert before != (date(2025, 3, 19), "wiedervorlage", None, False)
        listen.listen(connection, "before_cursor_execute", lambda *args: statements.append(args[2]))
        stale = replace(_writes(instance, instance.version + 3, now, []), projection=projection)
        assert writes.save(connection, stale) is False
        assert columns(connection) == before
        statements.clear()
        assert writes.save(connection, replace(_writes(instance, instance.version, now, []), projection=projection))
        if connection.dialect.name == "postgresql":
            assert len(statements) == 1
        assert columns(connection) == (date(2025, 3, 19), "wiedervorlage", None, False)
        connection.rollback()


@pytest.mark.parametrize("names", [("cases; DROP TABLE events", "id", "mode"), ("cases", "id = 1 OR 1", "mode"),
                                   ("cases", "id", "mode = 'x', team"), ("cases", "id", ""),
                                   ("no_such_table", "id", "mode"), ("cases", "id", "no_such_column"),
                                   ("cases", "id", "id"), ("Cases", "id", "mode")])
def test_a_projection_names_only_columns_of_the_schema(services: Services, names: tuple[str, str, str]) -> None:
    from dataclasses import replace

    table, key, column = names
    projection = writes.Projection(table, key, 1, {column: "x"} if column else {})
    case_id = _start(services)
    with services.engine.database.engine.begin() as connection:
        instance = connection.execute(select(ProcessInstance).where(ProcessInstance.case_id == case_id)).one()
        before = _rows(connection, case_id)
        with pytest.raises(ValueError, match="not a projection onto columns of the schema"):
            writes.save(connection, replace(_writes(instance, instance.version, services.engine.clock.now(), []),
                                            projection=projection))
        assert _rows(connection, case_id) == before  # nothing written before the names were checked
        connection.rollback()


def test_a_projected_text_too_long_for_its_column_is_refused_not_cut(postgres_schema: Any,
                                                                     clock: SimulatedClock) -> None:
    """On PostgreSQL the values are cast to their columns' types without the length: a text longer than the column
    is an error (and the transaction writes nothing), never a shorter text. (SQLite keeps any text.)"""
    from dataclasses import replace

    from sqlalchemy.exc import DBAPIError

    from engine.domain.case import Case
    from tests.conftest import make_postgres

    services = make_postgres(postgres_schema, clock)
    case_id = _start(services)
    now = services.engine.clock.now()
    too_long = "x" * (Case.__table__.c.mode.type.length + 1)  # type: ignore[attr-defined]
    projection = writes.Projection("cases", "id", case_id, {"mode": too_long})
    with services.engine.database.engine.connect() as connection:
        instance = connection.execute(select(ProcessInstance).where(ProcessInstance.case_id == case_id)).one()
        with pytest.raises(DBAPIError, match="too long"):
            writes.save(connection, replace(_writes(instance, instance.version, now, []), projection=projection))
        connection.rollback()
    with services.engine.database.engine.connect() as connection:
        mode, version = connection.execute(select(Case.mode, ProcessInstance.version).join(
            ProcessInstance, ProcessInstance.case_id == Case.id).where(Case.id == case_id)).one()
    services.engine.database.dispose()
    assert mode != too_long[:len(too_long) - 1] and version == instance.version
