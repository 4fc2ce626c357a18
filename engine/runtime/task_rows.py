"""What an open user task is projected as (the open_tasks row): assignee, candidates, dates, priority, form."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.runtime import expressions
from engine.runtime.durations import DurationError, due_time
from engine.runtime.errors import ProcessError
from engine.runtime.io_mapping import render
from engine.runtime.model import UserTaskDef


def open_task_row(task: Any, user_task: UserTaskDef, instance_id: int, case_id: int, partition_key: str | None,
                  now: datetime, script_engine: Any) -> dict[str, Any]:
    """The open_tasks row of a user task that has just opened: its Camunda attributes evaluated now."""
    def text(value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        inner, wrapped = expressions.unwrap(value)
        if not wrapped:  # plain text, or text with embedded expressions (`kermit_${loopCounter}`)
            return str(render(inner, lambda text: script_engine.evaluate(task, text)))
        result = script_engine.evaluate(task, value)
        if isinstance(result, list | tuple):
            return ",".join(str(item) for item in result)
        return None if result is None else str(result)

    def moment(name: str, value: str | None) -> datetime | None:
        raw: Any = value
        if value and expressions.unwrap(value)[1]:
            raw = script_engine.evaluate(task, value)
        if raw is None or raw == "":
            return None
        try:
            return due_time(raw, now)
        except DurationError as error:
            raise ProcessError(user_task.id, f"camunda:{name}: {error}") from error

    priority_text = text(user_task.priority)
    try:
        priority = int(priority_text) if priority_text is not None else 50
    except ValueError as error:
        raise ProcessError(user_task.id, f"camunda:priority »{priority_text}« ist keine Zahl.") from error
    return {
        "id": str(task.id), "instance_id": instance_id, "case_id": case_id, "element_id": user_task.id,
        "name": user_task.name, "assignee": text(user_task.assignee),
        "candidate_groups": ",".join(_names(text(user_task.candidate_groups))),
        "candidate_users": ",".join(_names(text(user_task.candidate_users))),
        "due_at": moment("dueDate", user_task.due_date),
        "follow_up_at": moment("followUpDate", user_task.follow_up_date),
        "priority": priority, "form_key": user_task.form_key, "created_at": now,
        "partition_key": partition_key,
    }


def _names(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]
