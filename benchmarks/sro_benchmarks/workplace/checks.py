"""Checks of the cloned caseload: clones load and match their projections; row counts; database size."""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from engine import agenda
from engine.domain.case import Case, case_columns
from engine.domain.staff import StaffMember
from engine.runtime.store import RUNNING, Database, OpenTask, ProcessInstance, Wait, table
from engine.services import Services
from sro_benchmarks.figures import summary
from sro_benchmarks.workplace.clones import CLONE_PREFIX, Plan
from sro_benchmarks.workplace.templates import CLONED


def first_clone(services: Services) -> int:
    """The case id of clone 0 (the clones' ids follow one another)."""
    with services.engine.database.session() as session:
        return session.scalar(select(func.min(Case.id)).where(Case.customer_number.like(f"{CLONE_PREFIX}%"))) or 0


def verify(services: Services, plan: Plan, sample: int, rng: random.Random) -> dict[str, Any]:
    """Load clones and compare what their state waits for with the stored projections and case columns."""
    engine = services.engine
    problems: list[str] = []
    first = first_clone(services)
    with engine.database.session() as session:
        picked = sorted(rng.sample(range(first, first + len(plan.assignment)), min(sample, len(plan.assignment))))
        loads: list[float] = []
        for case_id in picked:
            case = session.get(Case, case_id)
            assert case is not None
            columns = {name: getattr(case, name) for name in case_columns({})}
            for instance_id in session.scalars(select(ProcessInstance.id).where(
                    ProcessInstance.case_id == case_id, ProcessInstance.status == RUNNING)):
                row = engine.find(session, instance_id)
                assert row is not None
                begin = time.perf_counter()
                running = engine.load(session, row)
                loads.append(time.perf_counter() - begin)
                # The case columns are projected from the data of the last step (case.data itself is
                # only written at cycle ends), i.e. from what the running instance holds now.
                # the next contact also depends on the scheduled timers and the day: compared via the waits;
                # when contact is due depends on the last held session (its row is cloned too)
                derived = case_columns(engine.current_data(running.workflow),
                                       last_session=agenda.last_session(session, case_id))
                if {key: value for key, value in derived.items() if not key.startswith("next_contact")} != {
                        key: value for key, value in columns.items() if not key.startswith("next_contact")}:
                    problems.append(f"case {case_id}: case columns differ from the instance's data")
                stored_tasks = set(session.scalars(select(OpenTask.id).where(OpenTask.instance_id == instance_id)))
                stored_waits = tuple(sorted(
                    (wait.task_id, wait.kind, wait.element_id, wait.name, wait.due_at)
                    for wait in session.scalars(select(Wait).where(Wait.instance_id == instance_id))))
                if set(running.before.tasks) != stored_tasks:
                    problems.append(f"case {case_id}: open tasks differ from the state")
                if running.before.waits != stored_waits:
                    problems.append(f"case {case_id}: waits differ from the state")
    return {"clones_loaded": len(picked), "problems": problems[:20], "problem_count": len(problems),
            "instance_load": summary(loads) if loads else None}


def counts(database: Database) -> dict[str, int]:
    with database.engine.connect() as connection:
        result = {table(model).name: connection.scalar(select(func.count()).select_from(table(model))) or 0
                  for model in (*CLONED, StaffMember)}
        result["process_instances_running"] = connection.scalar(
            select(func.count()).where(ProcessInstance.status == RUNNING)) or 0
    return result


def database_size(database: Database) -> dict[str, Any]:
    if database.dialect == "sqlite":
        raw = database.engine.raw_connection()  # outside a transaction (the engine opens each with BEGIN)
        try:
            raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
        path = Path(database.url.split("///", 1)[1])
        size = sum(Path(f"{path}{suffix}").stat().st_size for suffix in ("", "-wal", "-shm")
                   if Path(f"{path}{suffix}").exists())
    else:
        with database.engine.connect() as connection:
            size = connection.scalar(text("SELECT pg_database_size(current_database())")) or 0
    return {"dialect": database.dialect, "size_mb": round(size / 1e6, 1)}
