"""The state of a running instance as JSON: only the task tree, never the process spec (which comes from the
deployment, parsed once), and restored faster than the library restores it where a command spends its time.

Split from engine/runtime/spiff.py (the library's extension points for parsing and running); the state format is
the library's own (`BpmnWorkflowSerializer`), so states written before and after read alike.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from copy import copy, deepcopy
from datetime import date
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnSubWorkflowConverter,
    BpmnWorkflowConverter,
    TaskConverter,
    WorkflowConverter,
)
from SpiffWorkflow.bpmn.specs.event_definitions.conditional import ConditionalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import (
    ErrorEventDefinition,
    EscalationEventDefinition,
    SignalEventDefinition,
)
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.runtime.call_activity import CALLED_KEY, CalledProcesses, resolve_called
from engine.runtime.coded_events import CamundaSignal, CodedError, CodedEscalation
from engine.runtime.conditional import CamundaConditional
from engine.runtime.event_subprocess import ScopedWorkflow
from engine.runtime.spiff import CompiledProcess, SafeScriptEngine
from engine.runtime.timers import ClockCycle, ClockDuration, ClockTimeDate


class _StateConverter(BpmnWorkflowConverter):  # type: ignore[misc]
    """Serializes only the instance's state; the spec comes from the deployment (parsed once)."""

    def to_dict(self, workflow: Any) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any], process: CompiledProcess | None = None,
                  script_engine: Any = None, called: CalledProcesses | None = None) -> Any:

        if process is None:
            raise ValueError("restoring an instance needs its compiled process")
        workflow = ScopedWorkflow(
            process.spec, process.subprocess_specs, script_engine=script_engine, deserializing=True
        )
        workflow.called_processes = called
        workflow.tasks = self.mapping_from_dict(dct["tasks"], _uuid, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(_uuid(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


_UUIDS: dict[str, UUID] = {}
_KEPT_UUIDS = 20_000


def _uuid(text: str) -> UUID:
    """A task id read from a state: each id appears up to three times (the task, its parent's children, its
    children's parent), so each is parsed once; the table is emptied when it grows past 20,000 ids."""
    found = _UUIDS.get(text)
    if found is None:
        if len(_UUIDS) >= _KEPT_UUIDS:
            _UUIDS.clear()
        found = _UUIDS[text] = UUID(text)
    return found


class _TaskConverter(TaskConverter):  # type: ignore[misc]
    """The library's restore of a task with the same result for less work: ids parsed once (`_uuid`), empty internal
    data not walked, and the parent's data copied as `DeepMerge.merge({}, parent.data)` copies it (each value, one
    level deep for dicts, lists and sets) without its per-key comparisons. Restoring was the largest part of loading
    an instance (0.48 ms of a timer command's engine work on the benchmark caseload)."""

    def from_dict(self, dct: dict[str, Any], workflow: Any) -> Any:
        task_spec = workflow.spec.task_specs.get(dct["task_spec"])
        task = self.target_class(workflow, task_spec, state=dct["state"], id=_uuid(dct["id"]))
        task._parent = _uuid(dct["parent"]) if dct["parent"] is not None else None
        task._children = [_uuid(child) for child in dct["children"]]
        task.last_state_change = dct["last_state_change"]
        task.triggered = dct["triggered"]
        internal = dct["internal_data"]
        task.internal_data = self.registry.restore(internal) if internal else {}
        if isinstance(task_spec, CatchingEvent) and task.has_state(TaskState.WAITING):
            task.workflow.top_workflow.event_manager.add_task(task)
        delta: dict[str, Any] = dct.get("delta") or {}
        parent = task.parent if delta else None
        if parent is not None:
            data = {key: copy(value) if isinstance(value, (dict, list, set)) else value
                    for key, value in parent.data.items()}
            updates = delta.get("updates")
            if updates:
                data.update(self.registry.restore(updates))
            for key in delta.get("deletions", ()):
                data.pop(key, None)
        else:
            data = self.registry.restore(dct["data"])
        task.data = data
        return task


class _CalledConverter(BpmnSubWorkflowConverter):  # type: ignore[misc]
    """A called process resolved at run time is found again under the key its call activity stored."""

    def from_dict(self, dct: dict[str, Any], task: Any, top_workflow: Any) -> Any:
        key = task.internal_data.get(CALLED_KEY)
        if key is None:
            return super().from_dict(dct, task, top_workflow)
        resolve_called(top_workflow, key)

        subprocess = self.target_class(top_workflow.subprocess_specs[key], task.id, top_workflow, deserializing=True)
        subprocess.tasks = self.mapping_from_dict(dct["tasks"], _uuid, workflow=subprocess)
        subprocess.task_tree = subprocess.tasks.get(_uuid(dct["root"]))
        self.set_default_attributes(subprocess, dct)
        return subprocess


def _date_to_dict(value: date) -> dict[str, str]:
    return {"value": value.isoformat()}


def _date_from_dict(dct: Mapping[str, str]) -> date:
    return date.fromisoformat(dct["value"])


class StateSerializer:
    """JSON state of a running instance, without the process spec (11 of 14.6 KB in the library's format)."""

    def __init__(self) -> None:
        config = deepcopy(CAMUNDA_CONFIG)
        config[BpmnWorkflow] = _StateConverter
        config[ScopedWorkflow] = _StateConverter
        config[BpmnSubWorkflow] = _CalledConverter
        config[Task] = _TaskConverter
        # Event definitions can appear in task state (an event-based gateway keeps the one that fired).
        for ours, base in ((ClockTimeDate, TimeDateEventDefinition), (ClockDuration, DurationTimerEventDefinition),
                           (ClockCycle, CycleTimerEventDefinition), (CodedError, ErrorEventDefinition),
                           (CodedEscalation, EscalationEventDefinition),
                           (CamundaConditional, ConditionalEventDefinition), (CamundaSignal, SignalEventDefinition)):
            config[ours] = config[base]
        registry = BpmnWorkflowSerializer.configure(config)
        # Form dates are plain dates; the library only knows datetime and timedelta.
        registry.register(date, _date_to_dict, _date_from_dict, typename="date")
        self._serializer = BpmnWorkflowSerializer(registry)
        self._registry = registry

    def dumps(self, workflow: Any) -> str:
        return str(self._serializer.serialize_json(workflow))

    def loads(self, state: str, process: CompiledProcess, script_engine: SafeScriptEngine,
              called: CalledProcesses | None = None) -> Any:
        """`called`: the processes a call activity resolved at run time may have started (call_activity.py)."""
        dct = json.loads(state)
        self._serializer.migrate(dct)
        return self._registry.restore(dct, process=process, script_engine=script_engine, called=called)

    def convert_data(self, data: Mapping[str, Any]) -> Any:
        """Task data as JSON-ready values (dates tagged), e.g. to carry them into the next cycle."""
        return self._registry.convert(dict(data))

    def restore_data(self, data: Any) -> Any:
        return self._registry.restore(data)
