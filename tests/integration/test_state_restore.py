"""The engine's own restore of a task (engine/runtime/state.py `_TaskConverter`, written for speed) gives exactly
what the library's restore gives, for every instance a counselling cycle leaves behind."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from SpiffWorkflow.bpmn.serializer.default.workflow import TaskConverter
from SpiffWorkflow.task import Task
from sqlalchemy import select

from engine.runtime.spiff import ready_user_task_ids, ready_user_tasks
from engine.runtime.state import StateSerializer
from engine.runtime.store import ProcessInstance
from engine.services import Services
from tests.cycle import session_form, task_at


def _tasks(workflow: Any, serializer: StateSerializer) -> dict[str, tuple[Any, ...]]:
    """Each task as plain values (internal data as stored: the events in it have no equality of their own)."""
    found = {}
    for each in (workflow, *workflow.subprocesses.values()):
        for task in each.tasks.values():
            found[str(task.id)] = (str(task._parent), [str(child) for child in task._children], task.state,
                                   task.task_spec.name, task.triggered, task.last_state_change, task.data,
                                   json.dumps(serializer.convert_data(task.internal_data), sort_keys=True, default=str),
                                   task.workflow is each)
    return found


def test_the_engines_task_restore_equals_the_librarys(sqlite_services: Services) -> None:
    services = sqlite_services
    first = services.engine.clock.today() + timedelta(days=3)
    case_id = services.start_case("K-000001", "team-nord", data={"naechsterKontaktAm": first}, actor="ifk-1").case_id
    services.complete_task(task_at(services, case_id, "Task_Beratungsgespraech"),
                           session_form(services, step_days=7), actor="ifk-1")
    services.engine.clock.advance("P7D")  # type: ignore[attr-defined]
    services.fire_due_timers()
    services.complete_task(task_at(services, case_id, "Task_SchrittPruefen"), {"schrittErledigt": True}, actor="ifk-1")
    services.engine.clock.advance("P14D")  # type: ignore[attr-defined]
    services.fire_due_timers()

    assert_restored_alike(services, minimum_tasks=10)


def assert_restored_alike(services: Services, *, minimum_tasks: int) -> int:
    """Every stored instance restored both ways: the same tasks, data and state text. Returns the number of task
    data restored from a delta that deletes variables (the part of the restore a short cycle does not reach)."""
    ours = services.engine.serializer
    library = StateSerializer()
    TaskConverter(Task, library._registry)  # the library's own restore of a task, registered over ours
    with services.engine.database.session() as session:
        rows = session.execute(select(ProcessInstance.process_version_id, ProcessInstance.state)).all()
        processes = {row.process_version_id: services.engine.process(session, row.process_version_id)
                     for row in rows}
        called = services.engine.called_processes(session)
        assert rows
        deleting = 0
        for row in rows:
            compiled = processes[row.process_version_id].compiled
            restored = ours.loads(row.state, compiled, services.engine.script_engine, called)
            expected = library.loads(row.state, compiled, services.engine.script_engine, called)
            assert len(_tasks(restored, library)) > minimum_tasks
            deleting += sum(1 for task in json.loads(row.state)["tasks"].values()
                            if (task.get("delta") or {}).get("deletions"))
            assert _tasks(restored, library) == _tasks(expected, library)
            assert ours.dumps(restored) == library.dumps(expected)
            # the flat look at the task tables finds the open user tasks the walk of the tree finds
            assert ready_user_task_ids(restored) == {str(task.id) for task in ready_user_tasks(restored)}
    return deleting
