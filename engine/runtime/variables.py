"""Changing a running instance's variables from outside its flow: a correction an application command makes."""

from __future__ import annotations

from collections.abc import Mapping
from copy import deepcopy
from typing import Any

from SpiffWorkflow.util.task import TaskState


def set_variables(workflow: Any, changes: Mapping[str, Any]) -> None:
    """Every element still under way, and the finished parent it takes its data from again on each update,
    sees the new values (the instance must be saved afterwards)."""
    for task in workflow.get_tasks(state=TaskState.NOT_FINISHED_MASK):
        for target in (task, task.parent):
            if target is not None:
                target.data.update(deepcopy(dict(changes)))
