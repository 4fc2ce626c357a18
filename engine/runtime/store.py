"""Tables of the runtime (deployments, instances, open tasks, waits, event log) and the database handle.

An instance belongs to a case: the long-lived object whose cycles run as successive instances
(continue-as-new). The runtime stores the case's id and nothing else of it; the application that
owns the `cases` table adds the foreign keys (engine/domain/case.py).

An instance may also carry a partition key, a name the application gives it when it starts (the counselling
domain gives the case's team, which never changes): every open task of the instance carries it too, so the task
list of one partition is one index range of open_tasks instead of a probe per case (Camunda's tenant id plays the
same part for its task queries).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    create_engine,
    event,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

# Stored codes are German like every other code the product stores (event kinds, roles, case status).
RUNNING = "laeuft"
ENDED = "beendet"


class UtcDateTime(TypeDecorator[datetime]):
    """Stores UTC, returns timezone-aware UTC on every database (SQLite would hand back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: all stored times are timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Json(TypeDecorator[Any]):
    """JSON as text on every database, so the stored bytes (and their size) are the same everywhere."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        return None if value is None else json.loads(value)


class Base(DeclarativeBase):
    pass


class Deployment(Base):
    """One diagram file, stored once per content version (its SHA-256)."""

    __tablename__ = "deployments"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(8))
    content: Mapped[str] = mapped_column(Text)
    provides: Mapped[Any] = mapped_column(Json())  # process and decision ids defined in the file
    deployed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    deployed_by: Mapped[str] = mapped_column(String(80))
    # Raised on every deployment that includes this content: the file activated last wins an id.
    # A counter, not a time: two deployments within one clock tick (a simulated clock) still order.
    activation: Mapped[int] = mapped_column(Integer)


class ProcessVersion(Base):
    """Version n of a process: its own file plus the files it needs (called processes, decision tables).

    A process gets a new version when its file or any file it needs changes; an instance keeps the
    version it started on, new cycles take the latest.
    """

    __tablename__ = "process_versions"
    __table_args__ = (UniqueConstraint("process_id", "version"), UniqueConstraint("process_id", "fingerprint"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[str] = mapped_column(String(255))
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(255))
    deployment_id: Mapped[str] = mapped_column(ForeignKey("deployments.id"))
    requires: Mapped[Any] = mapped_column(Json())  # deployment ids of called processes and decision tables
    fingerprint: Mapped[str] = mapped_column(String(64))
    deployed_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ProcessInstance(Base):
    """One pass of a case's cycle. `state` holds the task tree only, never the spec."""

    __tablename__ = "process_instances"
    __table_args__ = (Index("ix_instances_case_status", "case_id", "status"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(Integer)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"))
    cycle_no: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))  # RUNNING, ENDED
    state: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    partition_key: Mapped[str | None] = mapped_column(String(80), nullable=True)


class OpenTask(Base):
    """A waiting user task as the inbox reads it, with the Camunda attributes it filters on.

    Candidate groups and users are stored as comma-separated names (a name holds no comma); a list of one
    partition's tasks matches them within the rows the partition key found (ix_open_tasks_partition).
    """

    __tablename__ = "open_tasks"
    __table_args__ = (
        Index("ix_open_tasks_partition", "partition_key"),
        Index("ix_open_tasks_assignee_due", "assignee", "due_at"),
        Index("ix_open_tasks_due", "due_at"),
        Index("ix_open_tasks_follow_up", "follow_up_at"),
        Index("ix_open_tasks_case", "case_id"),
        Index("ix_open_tasks_instance", "instance_id"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # SpiffWorkflow task id
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"))
    case_id: Mapped[int] = mapped_column(Integer)
    element_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    assignee: Mapped[str | None] = mapped_column(String(80), nullable=True)
    candidate_groups: Mapped[str] = mapped_column(String(500), default="")
    candidate_users: Mapped[str] = mapped_column(String(500), default="")
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    follow_up_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    priority: Mapped[int] = mapped_column(Integer, default=50)
    form_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    partition_key: Mapped[str | None] = mapped_column(String(80), nullable=True)  # the instance's


class Wait(Base):
    """What an instance waits for besides user tasks: a timer with its due time, or a message by name."""

    __tablename__ = "waits"
    # ix_waits_due: the due timers in firing order (due time, then id) without a sort (engine.unit_of_work.DUE_TIMERS).
    __table_args__ = (
        Index("ix_waits_due", "kind", "due_at", "id"),
        Index("ix_waits_case_kind_name", "case_id", "kind", "name"),
        Index("ix_waits_instance", "instance_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"))
    case_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(8))  # timer, message
    element_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    task_id: Mapped[str] = mapped_column(String(36))
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class Event(Base):
    """The append-only event log: every command with who, when, what and the data changed."""

    __tablename__ = "events"
    # ix_events_case_kind: a case's events of one kind (its letters) without reading its whole history.
    __table_args__ = (Index("ix_events_case", "case_id", "id"), Index("ix_events_instance", "instance_id", "id"),
                      Index("ix_events_case_kind", "case_id", "kind", "id"))
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(String(80))
    case_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    instance_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    kind: Mapped[str] = mapped_column(String(40))
    element_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    data: Mapped[Any] = mapped_column(Json(), nullable=True)


class Database:
    """Engine and session factory for one DATABASE_URL; SQLite is tuned for one-writer-at-a-time use.

    Reads (pages, queries) have their own sessions. On SQLite they begin a plain deferred transaction (one snapshot
    for all statements of a page; commands take the write lock up front with BEGIN IMMEDIATE). On PostgreSQL they
    come from a second pool of connections in autocommit that refuse to write (default_transaction_read_only): under
    READ COMMITTED every statement sees its own snapshot inside a transaction as well, so BEGIN and ROLLBACK
    around each read were two round trips that bought nothing (a page opens a read session per query function),
    and a write that slipped into a read session fails loudly instead of being rolled back unseen.

    The command pool on PostgreSQL plans its prepared statements once (plan_cache_mode = force_generic_plan). psycopg
    prepares a statement a connection has run five times; PostgreSQL then compares the generic plan's estimated cost
    with the custom plans' and keeps planning anew for every execution while the generic one looks dearer. For the
    instance save (its JSON row sets are estimated at 100 rows each) and the sweep's search for due timers (its
    LIMIT is a parameter) it always did (pg_prepared_statements: 0 generic, 415 custom plans each after 400 timer
    commands); planning the search took 0.22-0.26 ms for 0.04 ms of execution, and with the generic plans, which are
    the same index scans, the server's CPU per timer command fell from 1.9-2.1 to 1.2-1.3 ms (backends' CPU time).
    Commands look rows up by key; the reads of the pages, whose best plan can depend on the values (a team, a date
    range), keep PostgreSQL's choice.
    """

    def __init__(self, url: str, **engine_options: Any) -> None:
        self.url = url
        is_sqlite = make_url(url).get_backend_name() == "sqlite"
        if is_sqlite:
            path = url.split("///", 1)[1] if "///" in url else ""
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            engine_options.setdefault("connect_args", {"timeout": 30})
        else:
            engine_options.setdefault("pool_pre_ping", True)
        self.engine: Engine = create_engine(
            url, **engine_options if is_sqlite else _with_options(url, engine_options, _COMMAND_SETTINGS))
        if is_sqlite:
            _tune_sqlite(self.engine)
            self.read_engine: Engine = self.engine.execution_options(sro_read_only=True)
        else:
            self.read_engine = create_engine(url, **_read_only(url, engine_options))
        self.sessions = sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        self.read_sessions = sessionmaker(self.read_engine, expire_on_commit=False, autoflush=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def dispose(self) -> None:
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A read-only session (views); commands use a UnitOfWork."""
        with self.read_sessions() as session:  # close() ends the transaction; loaded rows stay readable
            yield session


_COMMAND_SETTINGS = "-c plan_cache_mode=force_generic_plan"
_READ_SETTINGS = "-c default_transaction_read_only=on"


def _with_options(url: str, engine_options: dict[str, Any], settings: str) -> dict[str, Any]:
    """Engine options whose connections start with `settings` (server options as `-c name=value`) added to those of
    the URL (`?options=...`) and of `connect_args`: libpq takes one options string, and the driver would let a
    `connect_args` one replace the URL's (an operator's search_path would be lost)."""
    connect_args = dict(engine_options.get("connect_args") or {})
    from_url = make_url(url).query.get("options")
    given = [from_url] if isinstance(from_url, str) else list(from_url or ())
    connect_args["options"] = " ".join(filter(None, [*given, connect_args.get("options"), settings]))
    return {**engine_options, "connect_args": connect_args}


def _read_only(url: str, engine_options: dict[str, Any]) -> dict[str, Any]:
    """The options of the PostgreSQL read pool: autocommit, and the server refuses writes on its connections."""
    return {**_with_options(url, engine_options, _READ_SETTINGS), "isolation_level": "AUTOCOMMIT"}


def _tune_sqlite(engine: Engine) -> None:
    """WAL for concurrent readers; BEGIN IMMEDIATE so two writers queue instead of failing mid-transaction."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get("sro_read_only", False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def table(model: type[Base]) -> Table:
    """The Core table of a mapped class, for the plain statements on the hot path."""
    return cast(Table, model.__table__)
