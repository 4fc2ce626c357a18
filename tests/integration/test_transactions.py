"""One command, one transaction: concurrent completion, optimistic locking, failure before commit."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, text

from engine.runtime.errors import ConflictError
from engine.runtime.store import ProcessInstance
from engine.services import Services
from engine.unit_of_work import UnitOfWork
from tests.cycle import session_form, task_at, today
from tests.process_assert import assert_that

TABLES = ("cases", "process_instances", "open_tasks", "waits", "events", "deployments",
          "process_versions")


def start(services: Services) -> int:
    return services.start_case("K-1", "team-nord", data={"naechsterKontaktAm": today(services) + timedelta(days=2)},
                               actor="ifk-1").case_id


def dump(services: Services) -> dict[str, list[Any]]:
    with services.engine.database.engine.connect() as connection:
        return {table: [tuple(row) for row in connection.execute(text(f"SELECT * FROM {table} ORDER BY 1"))]
                for table in TABLES}


def test_two_sessions_complete_same_task_exactly_one_wins(services: Services) -> None:
    case_id = start(services)
    task_id = task_at(services, case_id, "Task_Beratungsgespraech")
    barrier = threading.Barrier(2)
    results: list[str] = []
    errors: list[BaseException] = []

    def complete(actor: str) -> None:
        barrier.wait()
        try:
            services.complete_task(task_id, session_form(services), actor=actor)
            results.append(actor)
        except Exception as error:  # whatever the loser gets is kept: it must be the named conflict
            errors.append(error)

    threads = [threading.Thread(target=complete, args=(f"ifk-{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 1
    assert len(errors) == 1 and isinstance(errors[0], ConflictError), errors
    assert "bereits erledigt" in str(errors[0]) or "jemand anderem" in str(errors[0])
    # the instance is intact: it loads, saved exactly once after the start, and waits for the step timer
    with services.engine.database.session() as session:
        instance = session.scalar(select(ProcessInstance).where(ProcessInstance.case_id == case_id))
        assert instance is not None and instance.version == 2
        running = services.engine.load(session, instance)
    assert not running.workflow.is_completed()
    assert_that(services, case_id).is_waiting_exactly_at("Event_SchrittFaellig")


def test_stale_version_is_a_named_conflict_and_saves_nothing(services: Services) -> None:
    case_id = start(services)
    task_id = task_at(services, case_id, "Task_Beratungsgespraech")
    with services.engine.database.session() as session:
        stale = session.scalar(select(ProcessInstance).where(ProcessInstance.case_id == case_id))
        assert stale is not None
        running = services.engine.load(session, stale)
    services.complete_task(task_id, session_form(services), actor="ifk-1")  # someone else wins
    before = dump(services)
    services.engine.complete_user_task(running.workflow, task_id, session_form(services, plan=False))
    with pytest.raises(ConflictError, match="jemand anderem"), services.unit_of_work() as uow:
        uow.session.add(stale)
        services.engine.save(uow.session, running)
        uow.commit()
    assert dump(services) == before


class FailingUnitOfWork(UnitOfWork):
    """Everything is written and flushed, then the commit fails (e.g. the database goes away)."""

    def commit(self) -> None:
        self.session.flush()
        raise RuntimeError("injected failure before commit")


@pytest.mark.parametrize("command", ["complete", "message", "start", "timer"])
def test_failure_after_engine_step_before_commit_leaves_database_unchanged(services: Services,
                                                                          command: str) -> None:
    case_id = start(services)
    if command == "timer":
        services.complete_task(task_at(services, case_id, "Task_Beratungsgespraech"), session_form(services),
                               actor="ifk-1")
        services.engine.clock.advance("P8D")  # type: ignore[attr-defined]
    before = dump(services)
    failing = FailingUnitOfWork(services.engine)
    with pytest.raises(RuntimeError, match="injected"):
        if command == "complete":
            services.complete_task(task_at(services, case_id, "Task_Beratungsgespraech"),
                                   session_form(services, plan=False), actor="ifk-1", uow=failing)
        elif command == "message":
            services.deliver_message(case_id, "Meldeversaeumnis", {}, actor="ifk-1", uow=failing)
        elif command == "start":
            services.start_case("K-2", "team-nord", data={"naechsterKontaktAm": today(services)}, actor="x",
                                uow=failing)
        else:
            services._fire_batch("zeitgeber", 1, uow=failing)
    assert dump(services) == before
    # and the same command succeeds afterwards
    if command == "timer":
        assert services.fire_due_timers() == 1
