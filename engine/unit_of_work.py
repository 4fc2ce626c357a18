"""The transaction of a command (UnitOfWork) and what commands read first: the instance with its case in one
statement, and the due timers with theirs (split from engine/services.py, which runs the commands)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from types import TracebackType
from typing import Any

from sqlalchemy import Row, bindparam, select
from sqlalchemy.orm import Session

from engine import agenda
from engine.agenda import CaseRef
from engine.domain.case import Case
from engine.runtime.clock import berlin_date
from engine.runtime.engine import INSTANCE_COLUMNS, InstanceRow, ProcessEngine
from engine.runtime.errors import ConflictError, ProcessError
from engine.runtime.store import RUNNING, OpenTask, ProcessInstance, Wait


class UnitOfWork:
    """One transaction: leaving the block without commit() rolls everything back.

    A command can run inside another's unit of work (`uow=`): the inner block joins the outer transaction,
    its commit() does nothing, and only the outermost commit() makes the whole command durable; so a
    command made of commands is still all or nothing.
    """

    def __init__(self, engine: ProcessEngine, before_commit: Callable[[Session], None] | None = None) -> None:
        self.engine = engine
        self.session: Session
        self._depth = 0
        self._before_commit = before_commit

    def __enter__(self) -> UnitOfWork:
        if self._depth == 0:
            self.session = self.engine.database.sessions()
            self.session.begin()
        self._depth += 1
        return self

    def commit(self) -> None:
        if self._depth == 1:
            if self._before_commit is not None:  # e.g. the letters the steps reached: part of the same command
                self._before_commit(self.session)
            self.session.commit()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._depth -= 1
        if self._depth == 0:
            self.session.rollback()
            self.session.close()


@dataclass
class CaseRow:
    """The case columns a command needs."""

    id: int
    process_id: str
    cycle_count: int
    team: str  # fixed when the case is created; the partition key of its instances and open tasks
    counsellor: str | None = None
    # The day of the case's last held session, read with the case (None: none held); unknown until read.
    last_session: date | None = None
    last_session_known: bool = False

    @property
    def ref(self) -> CaseRef:
        return CaseRef(self.id, self.team, self.counsellor)


@dataclass
class Outcome:
    """What a command did: the case, the instance now running, the elements passed, open tasks."""

    case_id: int
    instance_id: int
    passed: list[str] = field(default_factory=list)
    open_tasks: list[str] = field(default_factory=list)  # element ids
    cycles_started: int = 0
    notes: list[str] = field(default_factory=list)  # what the person should know, in German (e.g. a moved date)


# The case's last held session comes along (a scalar subquery on counselling_sessions(case_id, held_at)): every
# step writes the case columns, and the contact due day needs it.
INSTANCE_AND_CASE = (select(*INSTANCE_COLUMNS, Case.process_id, Case.cycle_count, Case.team, Case.counsellor,
                            agenda.LAST_SESSION_OF_CASE.label("last_session_at"))
                     .join(Case, Case.id == ProcessInstance.case_id))
# Prebuilt: the counsellor's most frequent command reads task, instance and case in one statement.
TASK_INSTANCE_AND_CASE = (INSTANCE_AND_CASE.add_columns(OpenTask.element_id, OpenTask.name)
                          .join(OpenTask, OpenTask.instance_id == ProcessInstance.id)
                          .where(OpenTask.id == bindparam("task_id")))
INSTANCE_AND_CASE_BY_ID = INSTANCE_AND_CASE.where(ProcessInstance.id == bindparam("instance_id"))
# The earliest due timer with its instance and case in one statement; on PostgreSQL only the wait row is locked
# (SKIP LOCKED: another worker takes the next one).
DUE_TIMERS = (INSTANCE_AND_CASE.add_columns(Wait.id.label("wait_id"), Wait.element_id, Wait.due_at)
              .join(Wait, Wait.instance_id == ProcessInstance.id)
              .where(Wait.kind == "timer", Wait.due_at <= bindparam("now")).order_by(Wait.due_at, Wait.id)
              .limit(bindparam("batch")))
DUE_TIMERS_LOCKED = DUE_TIMERS.with_for_update(skip_locked=True, of=Wait)
# Instances whose due timers fire in one transaction on PostgreSQL (Services.fire_due_timers).
TIMER_BATCH = 10
TIMER_FAILED = "frist_fehlgeschlagen"  # the event of a timer whose step could not run


class TimerFailed(Exception):
    """A due timer's step failed (ProcessError); raised out of its rolled-back transaction to be recorded."""

    def __init__(self, case_id: int, instance_id: int, element_id: str, due_at: str | None,
                 error: ProcessError) -> None:
        super().__init__(str(error))
        self.case_id, self.instance_id, self.element_id, self.due_at, self.error = (
            case_id, instance_id, element_id, due_at, error)


def instance_and_case(found: Row[*tuple[Any, ...]]) -> tuple[InstanceRow, CaseRow]:
    if found.status != RUNNING:
        raise ConflictError("Der Vorgang ist bereits abgeschlossen.")
    instance = InstanceRow(found.id, found.case_id, found.process_version_id, found.cycle_no, found.status,
                           found.state, found.version, found.partition_key)
    held = found.last_session_at
    return instance, CaseRow(instance.case_id, found.process_id, found.cycle_count, found.team, found.counsellor,
                             None if held is None else berlin_date(held), True)
