"""One case for ten simulated years: the cost of a step does not grow with the age of the case."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from engine.runtime.clock import SimulatedClock
from engine.runtime.store import RUNNING, ProcessInstance
from engine.services import Services
from tests.conftest import make_sqlite
from tests.cycle import run_cycle, session_form, task_at, today


@dataclass
class Reads:
    rows: int = 0
    statements: int = 0


def counting_connection(path: Path, reads: Reads) -> Any:
    """A real SQLite connection whose cursors count the rows the database hands back."""

    class Cursor(sqlite3.Cursor):
        def execute(self, *args: Any, **kwargs: Any) -> Any:
            reads.statements += 1
            return super().execute(*args, **kwargs)

        def fetchone(self) -> Any:
            row = super().fetchone()
            reads.rows += row is not None
            return row

        def fetchmany(self, *args: Any) -> list[Any]:
            rows = super().fetchmany(*args)
            reads.rows += len(rows)
            return rows

        def fetchall(self) -> list[Any]:
            rows = super().fetchall()
            reads.rows += len(rows)
            return rows

    class Connection(sqlite3.Connection):
        def cursor(self, factory: Any = Cursor) -> Any:  # type: ignore[override]
            return super().cursor(factory)

    return lambda: sqlite3.connect(str(path), factory=Connection, check_same_thread=False)


def measure_session_step(services: Services, case_id: int, reads: Reads) -> tuple[int, int, int, int]:
    """Complete the counselling session of the current cycle; return rows, statements, state size, tasks."""
    task_id = task_at(services, case_id, "Task_Beratungsgespraech")
    form = session_form(services)
    reads.rows = reads.statements = 0
    services.complete_task(task_id, form, actor="ifk-1")
    rows, statements = reads.rows, reads.statements
    with services.engine.database.session() as session:
        state = session.scalar(select(ProcessInstance.state).where(ProcessInstance.case_id == case_id,
                                                                   ProcessInstance.status == RUNNING))
    assert state is not None
    return rows, statements, len(state), len(json.loads(state)["tasks"])


def test_ten_simulated_years_cost_the_same_as_the_first(tmp_path: Path) -> None:
    reads = Reads()
    path = tmp_path / "ten-years.sqlite3"
    clock = SimulatedClock(datetime.fromisoformat("2025-01-06T08:00:00+00:00"))
    services = make_sqlite(path, clock, creator=counting_connection(path, reads))
    case_id = services.start_case("K-10J", "team-nord", data={"naechsterKontaktAm": today(services)},
                                  actor="ifk-1").case_id

    run_cycle(services, case_id)  # warm-up: the first cycle also parses the deployment
    year_one = measure_session_step(services, case_id, reads)
    _finish_cycle(services, case_id)
    while clock.now() < datetime.fromisoformat("2034-12-01T00:00:00+00:00"):
        run_cycle(services, case_id)
    year_ten = measure_session_step(services, case_id, reads)
    _finish_cycle(services, case_id)

    case = services.case(case_id)
    print(f"\ncycles: {case.cycle_count}; year 1 (rows, statements, state bytes, tasks): {year_one}; "
          f"year 10: {year_ten}")
    assert case.cycle_count >= 120
    assert clock.now().year >= 2034
    rows_1, statements_1, size_1, tasks_1 = year_one
    rows_10, statements_10, size_10, tasks_10 = year_ten
    assert (rows_10, statements_10, tasks_10) == (rows_1, statements_1, tasks_1)
    assert abs(size_10 - size_1) <= 0.01 * size_1
    with services.engine.database.session() as session:
        running = session.scalar(select(func.count(ProcessInstance.id)).where(ProcessInstance.status == RUNNING))
    assert running == 1


def _finish_cycle(services: Services, case_id: int) -> None:
    clock = services.engine.clock
    clock.advance("P8D")  # type: ignore[attr-defined]
    services.fire_due_timers()
    services.complete_task(task_at(services, case_id, "Task_SchrittPruefen"), {"schrittErledigt": True},
                           actor="ifk-1")
    clock.advance("P15D")  # type: ignore[attr-defined]
    services.fire_due_timers()
