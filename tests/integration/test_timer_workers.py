"""Two timer workers (separate processes) on PostgreSQL share 1,000 due timers; each fires exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from engine.runtime.store import Event, OpenTask, ProcessInstance, Wait
from tests.conftest import POSTGRES_URL, PostgresSchema, make_postgres
from tests.cycle import session_form, task_at, today

SRO = Path(sys.executable).with_name("sro")


def test_two_workers_fire_each_of_1000_due_timers_once(postgres_schema: PostgresSchema, clock: object) -> None:
    services = make_postgres(postgres_schema, clock)  # type: ignore[arg-type]
    cases = []
    for number in range(1000):
        case_id = services.start_case(f"K-{number:05d}", "team-nord", data={"naechsterKontaktAm": today(services)},
                                      actor="test").case_id
        services.complete_task(task_at(services, case_id, "Task_Beratungsgespraech"), session_form(services),
                               actor="test")
        cases.append(case_id)
    with services.engine.database.session() as session:
        assert session.scalar(select(func.count(Wait.id)).where(Wait.kind == "timer")) == 1000

    # The workers run on the system clock (2026 and later): every simulated 2025 deadline is due.
    url = f"{POSTGRES_URL}?options=-csearch_path%3D{postgres_schema.name}"
    environment = {**os.environ, "DATABASE_URL": url}
    workers = [subprocess.Popen([str(SRO), "worker", "--once"], env=environment, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [worker.communicate(timeout=600) for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], outputs
    totals = [int(out.strip().splitlines()[-1].split()[1]) for out, _ in outputs]
    print(f"\nfired per worker: {totals}")
    assert sum(totals) == 1000

    with services.engine.database.session() as session:
        fired = Counter(session.scalars(select(Event.case_id).where(Event.kind == "frist_abgelaufen")))
        assert len(fired) == 1000 and set(fired.values()) == {1}
        assert session.scalar(select(func.count(Wait.id)).where(Wait.kind == "timer")) == 0
        open_checks = Counter(session.scalars(select(OpenTask.case_id)
                                              .where(OpenTask.element_id == "Task_SchrittPruefen")))
        assert set(open_checks) == set(cases) and set(open_checks.values()) == {1}
        versions = set(session.scalars(select(ProcessInstance.version)))
        assert versions == {3}  # start, session completed, timer fired: nothing saved twice
