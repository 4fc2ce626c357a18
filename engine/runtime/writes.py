"""What saving an instance writes: its state (with the optimistic version check), the open tasks that came and went,
the waits when they changed, and the event of the step, in the caller's transaction.

On PostgreSQL all of it is one statement (data-modifying WITH clauses; the rows travel as one JSON parameter each
and are unpacked by `json_populate_recordset`): a command's save cost five round trips and five statements'
overhead in SQLAlchemy, psycopg and the server before, which was a fifth of a timer command. SQLite cannot modify
data in a WITH clause and has no round trips to save, so there the same writes are plain statements in turn.
Either way nothing is written when the version check fails (the caller raises and the transaction is rolled back).

A caller may give a projection: columns of a row of another table that follow the state (the domain keeps the case
columns its lists filter on), written by the same statement (another WITH clause) and only with the save; on
PostgreSQL that is one round trip less for every command that steps an instance (issue 12). The runtime knows no such
table: the caller names it, and the names are checked to be columns of the schema before they become part of a
statement.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Dialect, TextClause, bindparam, delete, insert, text, update

from engine.runtime.store import Base, Event, Json, OpenTask, ProcessInstance, UtcDateTime, Wait, table

_INSTANCES, _OPEN_TASKS, _WAITS, _EVENTS = table(ProcessInstance), table(OpenTask), table(Wait), table(Event)
_SAVE_STATE = (update(_INSTANCES)
               .where(_INSTANCES.c.id == bindparam("instance_id"), _INSTANCES.c.version == bindparam("expected"))
               .values(state=bindparam("state"), version=bindparam("new_version"), updated_at=bindparam("now"),
                       status=bindparam("new_status"), ended_at=bindparam("ended")))
_DELETE_TASKS = delete(_OPEN_TASKS).where(_OPEN_TASKS.c.id.in_(bindparam("ids", expanding=True)))
_INSERT_TASKS = insert(_OPEN_TASKS)
_DELETE_WAITS = delete(_WAITS).where(_WAITS.c.instance_id == bindparam("instance_id"))
_INSERT_WAITS = insert(_WAITS)
_INSERT_EVENT = insert(_EVENTS)

# Every part but the UPDATE runs only if the UPDATE found the version it expected (EXISTS saved).
_SAVE_SQL = """
WITH saved AS (
    UPDATE process_instances SET state = :state, version = :new_version, updated_at = :now, status = :new_status,
           ended_at = :ended
     WHERE id = :instance_id AND version = :expected
    RETURNING id),
gone AS (
    DELETE FROM open_tasks WHERE id = ANY(CAST(:gone AS varchar[])) AND EXISTS (SELECT 1 FROM saved)),
new_tasks AS (
    INSERT INTO open_tasks (id, instance_id, case_id, element_id, name, assignee, candidate_groups, candidate_users,
                            due_at, follow_up_at, priority, form_key, created_at, partition_key)
    SELECT id, instance_id, case_id, element_id, name, assignee, candidate_groups, candidate_users, due_at,
           follow_up_at, priority, form_key, created_at, partition_key
      FROM json_populate_recordset(NULL::open_tasks, CAST(:tasks AS json))
     WHERE EXISTS (SELECT 1 FROM saved)),
old_waits AS (
    DELETE FROM waits WHERE instance_id = :instance_id AND CAST(:rewrite_waits AS boolean)
       AND EXISTS (SELECT 1 FROM saved)),
new_waits AS (
    INSERT INTO waits (instance_id, case_id, kind, element_id, name, task_id, due_at)
    SELECT instance_id, case_id, kind, element_id, name, task_id, due_at
      FROM json_populate_recordset(NULL::waits, CAST(:waits AS json))
     WHERE EXISTS (SELECT 1 FROM saved)),
logged AS (
    INSERT INTO events (at, actor, case_id, instance_id, kind, element_id, data)
    SELECT CAST(:event_at AS timestamptz), CAST(:event_actor AS varchar), CAST(:event_case_id AS integer),
           CAST(:event_instance_id AS integer), CAST(:event_kind AS varchar), CAST(:event_element_id AS varchar),
           CAST(:event_data AS text)
     WHERE CAST(:event_kind AS varchar) IS NOT NULL AND EXISTS (SELECT 1 FROM saved))
SELECT count(*) FROM saved"""
_TYPED = (bindparam("event_at", type_=UtcDateTime()), bindparam("event_data", type_=Json()))
_SAVE_IN_ONE_STATEMENT = text(_SAVE_SQL).bindparams(*_TYPED)
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")
_LENGTH = re.compile(r"\(.*\)$")
_NO_EVENT = {"event_at": None, "event_actor": None, "event_case_id": None, "event_instance_id": None,
             "event_kind": None, "event_element_id": None, "event_data": None}


@dataclass(frozen=True)
class Projection:
    """Columns of one row of another table that follow the saved state: `table`.`key` = `key_value` gets `values`."""

    table: str
    key: str
    key_value: Any
    values: Mapping[str, Any]

    @property
    def shape(self) -> tuple[str, str, tuple[str, ...]]:
        return self.table, self.key, tuple(self.values)

    def parameters(self) -> dict[str, Any]:
        return {f"projected_{self.key}": self.key_value,
                **{f"projected_{name}": value for name, value in self.values.items()}}


_PROJECTED: dict[tuple[bool, tuple[str, str, tuple[str, ...]]], TextClause] = {}


def _projected(projection: Projection, dialect: Dialect) -> TextClause:
    """The statement that writes a projection of this shape: with the save (PostgreSQL) or alone (SQLite). Built
    once per shape (the same text each time, so psycopg's prepared statement is reused).

    The table and its columns must be in the schema (`Base.metadata`) and be plain identifiers; on PostgreSQL each
    value is cast to its column's type, so a None and a date bind the same prepared statement."""
    with_save = dialect.name == "postgresql"
    found = _PROJECTED.get((with_save, projection.shape))
    if found is None:
        names = (projection.table, projection.key, *projection.values)
        schema = Base.metadata.tables.get(projection.table)
        if (schema is None or not projection.values or not all(_IDENTIFIER.fullmatch(name) for name in names)
                or not all(name in schema.c for name in names[1:]) or projection.key in projection.values):
            raise ValueError(f"not a projection onto columns of the schema: {names!r}")

        def value(name: str) -> str:
            if not with_save:
                return f":projected_{name}"
            # The type without its length: a cast to VARCHAR(16) would cut a longer text silently, the column
            # itself refuses it.
            kind = _LENGTH.sub("", schema.c[name].type.compile(dialect=dialect))
            return f"CAST(:projected_{name} AS {kind})"

        # The names were checked above to be columns of the schema; the values are parameters.
        assignments = ", ".join(f"{name} = {value(name)}" for name in projection.values)
        update_row = f"UPDATE {projection.table} SET {assignments} WHERE {projection.key} = {value(projection.key)}"  # noqa: S608
        if with_save:
            part = f"projected AS (\n    {update_row}\n       AND EXISTS (SELECT 1 FROM saved)),\nlogged AS ("  # noqa: S608
            found = text(_SAVE_SQL.replace("logged AS (", part)).bindparams(*_TYPED)
        else:
            found = text(update_row)
        _PROJECTED[(with_save, projection.shape)] = found
    return found


@dataclass(frozen=True)
class Writes:
    """One save: the state row's new values and the rows that change with it."""

    instance_id: int
    expected_version: int
    state: str
    status: str
    now: datetime
    ended: datetime | None
    gone_tasks: Sequence[str]
    new_tasks: Sequence[dict[str, Any]]
    waits: Sequence[dict[str, Any]] | None  # None: the waits did not change
    # The event of the step that is saved (a row of `events`: at, actor, case_id, instance_id, kind, element_id,
    # data), written with the state: on PostgreSQL in the same statement, one round trip less per command.
    event: Mapping[str, Any] | None = None
    projection: Projection | None = None


def save(connection: Connection, writes: Writes) -> bool:
    """Write it all; False (and nothing written) if the instance is no longer at the expected version."""
    state = {"instance_id": writes.instance_id, "expected": writes.expected_version, "state": writes.state,
             "new_version": writes.expected_version + 1, "now": writes.now, "new_status": writes.status,
             "ended": writes.ended}
    projection, one_statement = writes.projection, connection.dialect.name == "postgresql"
    # A projection's statement is made (its names checked) before anything is written.
    projected = None if projection is None else _projected(projection, connection.dialect)
    if one_statement:
        saved = connection.execute(_SAVE_IN_ONE_STATEMENT if projected is None else projected, {
            **state, "gone": list(writes.gone_tasks), "tasks": _json(writes.new_tasks),
            "rewrite_waits": writes.waits is not None,
            "waits": _json(writes.waits or []),
            **({f"event_{key}": value for key, value in writes.event.items()} if writes.event else _NO_EVENT),
            **(projection.parameters() if projection is not None else {}),
            }).scalar_one()
        return bool(saved)
    if connection.execute(_SAVE_STATE, state).rowcount != 1:
        return False
    if writes.gone_tasks:
        connection.execute(_DELETE_TASKS, {"ids": list(writes.gone_tasks)})
    if writes.new_tasks:
        connection.execute(_INSERT_TASKS, list(writes.new_tasks))
    if writes.waits is not None:
        connection.execute(_DELETE_WAITS, {"instance_id": writes.instance_id})
        if writes.waits:
            connection.execute(_INSERT_WAITS, list(writes.waits))
    if writes.event is not None:
        connection.execute(_INSERT_EVENT, [dict(writes.event)])
    if projection is not None and projected is not None:
        connection.execute(projected, projection.parameters())
    return True


def _json(rows: Sequence[dict[str, Any]]) -> str:
    """Rows as a JSON array; times as ISO 8601 with their offset, which PostgreSQL reads back exactly."""
    return json.dumps(list(rows), ensure_ascii=False, separators=(",", ":"), default=_plain)


def _plain(value: Any) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:  # as store.UtcDateTime: PostgreSQL would read it in the session's time zone
            raise ValueError("naive datetime refused: all stored times are timezone-aware")
        return value.isoformat()
    return str(value)
