"""Read sessions (engine/runtime/store.py Database): on PostgreSQL from a pool in autocommit whose connections refuse
to write, so a page's query costs no BEGIN and ROLLBACK and a write in a read session fails instead of vanishing;
on SQLite a deferred transaction (one snapshot per page)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, insert, select
from sqlalchemy.exc import DBAPIError

from engine.domain.staff import StaffMember
from engine.runtime.clock import SimulatedClock
from engine.runtime.store import Database, Event
from tests.conftest import START, PostgresSchema


@pytest.fixture
def postgres(postgres_schema: PostgresSchema) -> Iterator[Database]:
    from engine.migrations import upgrade

    database = postgres_schema.database()
    upgrade(database)
    yield database
    database.dispose()


def _sent(database: Database) -> tuple[list[str], Any]:
    seen: list[str] = []

    def record(connection: Any, cursor: Any, statement: str, *rest: Any) -> None:
        seen.append(statement.split()[0].upper())

    return seen, record


def test_a_read_on_postgresql_is_one_statement_in_autocommit(postgres: Database) -> None:
    with postgres.session() as session:
        session.scalar(select(StaffMember.id).limit(1))  # the pool has a connection now
    seen, record = _sent(postgres)
    event.listen(postgres.read_engine, "before_cursor_execute", record)
    try:
        with postgres.session() as session:
            assert session.connection().connection.dbapi_connection.autocommit is True  # type: ignore[union-attr]
            session.scalar(select(StaffMember.id).limit(1))
            session.scalar(select(Event.id).limit(1))
    finally:
        event.remove(postgres.read_engine, "before_cursor_execute", record)
    assert seen == ["SELECT", "SELECT"]
    with postgres.read_engine.connect() as connection:
        assert connection.exec_driver_sql("SHOW default_transaction_read_only").scalar() == "on"


def test_a_write_in_a_read_session_fails_on_postgresql(postgres: Database) -> None:
    with postgres.session() as session, pytest.raises(DBAPIError, match="read-only"):
        session.execute(insert(Event).values(at=SimulatedClock(START).now(), actor="x", kind="versuch"))
    with postgres.engine.connect() as connection:
        assert connection.scalar(select(Event.id).where(Event.kind == "versuch")) is None


def test_commands_on_postgresql_still_write(postgres: Database) -> None:
    with postgres.sessions() as session:
        session.execute(insert(Event).values(at=SimulatedClock(START).now(), actor="x", kind="geschrieben"))
        session.commit()
    with postgres.session() as session:
        assert session.scalar(select(Event.kind).where(Event.kind == "geschrieben")) == "geschrieben"


def test_a_read_on_sqlite_is_one_transaction(tmp_path: Path) -> None:
    from engine.migrations import upgrade

    database = Database(f"sqlite:///{tmp_path / 'lesen.sqlite3'}")
    upgrade(database)
    seen, record = _sent(database)
    event.listen(database.engine, "before_cursor_execute", record)
    try:
        with database.session() as session:
            session.scalar(select(StaffMember.id).limit(1))
            session.scalar(select(Event.id).limit(1))
    finally:
        event.remove(database.engine, "before_cursor_execute", record)
        database.dispose()
    assert seen == ["BEGIN", "SELECT", "SELECT"]


def test_options_in_the_database_url_reach_both_pools(postgres_schema: PostgresSchema) -> None:
    """`?options=-csearch_path%3D...` in DATABASE_URL (how an operator puts the product into a schema) holds for the
    reads as well: the read pool's own setting is added to the URL's options, not put in their place."""
    from sqlalchemy import text

    from tests.conftest import POSTGRES_URL

    database = Database(f"{POSTGRES_URL}?options=-csearch_path%3D{postgres_schema.name}")
    try:
        for engine in (database.engine, database.read_engine):
            with engine.connect() as connection:
                assert connection.scalar(text("SHOW search_path")) == postgres_schema.name
        with database.read_engine.connect() as connection:
            assert connection.scalar(text("SHOW default_transaction_read_only")) == "on"
            assert connection.scalar(text("SHOW plan_cache_mode")) == "auto"
        with database.engine.connect() as connection:
            assert connection.scalar(text("SHOW default_transaction_read_only")) == "off"
            assert connection.scalar(text("SHOW plan_cache_mode")) == "force_generic_plan"
    finally:
        database.dispose()
