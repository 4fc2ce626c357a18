"""Camunda 7's multi-instance variables: `loopCounter`, `nrOfInstances`, `nrOfActiveInstances`,
`nrOfCompletedInstances`.

Each instance sees its own index and the counts, as in Camunda (the completion condition reads
them after an instance ends); they are gone from the process's variables once the multi-instance
activity has ended; so is the element variable (`camunda:elementVariable`), which each instance has
for itself. SpiffWorkflow has none of them; they are set through its data association hooks
on the instance's spec (as the input/output mappings are), nothing in the library is patched.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask, SequentialMultiInstanceTask

NAMES = ("loopCounter", "nrOfInstances", "nrOfActiveInstances", "nrOfCompletedInstances")


def _counts(child: Any, finished: int) -> dict[str, int]:
    parent = child.parent
    spec = parent.task_spec
    siblings = [task for task in parent.children if task.task_spec is child.task_spec]
    index = next((number for number, task in enumerate(siblings) if task is child), 0)
    total = parent.internal_data.get("cardinality")
    if total is None and spec.data_input is not None and spec.data_input.exists(parent):
        total = len(spec.data_input.get(parent))
    total = int(total if total is not None else len(siblings))
    completed = len(parent.internal_data.get("merged", [])) + finished
    active = 1 - finished if isinstance(spec, SequentialMultiInstanceTask) else total - completed
    return {"loopCounter": index, "nrOfInstances": total, "nrOfActiveInstances": active,
            "nrOfCompletedInstances": completed}


class InstanceVariables:
    """On the instance's spec: the index and counts when it begins, the counts again when it ends."""

    bpmn_id = "__sro_multi_instance__"

    def get(self, child: Any) -> None:
        if isinstance(child.parent.task_spec, MultiInstanceTask) and "sro_instance" not in child.internal_data:
            child.internal_data["sro_instance"] = True  # the hook runs on every update while the instance waits
            child.data.update(_counts(child, finished=0))

    def set(self, child: Any) -> None:
        spec = child.parent.task_spec
        if isinstance(spec, MultiInstanceTask):
            child.data.update(_counts(child, finished=1))
            # The element variable is the instance's own (local in Camunda): it is not merged back, so the
            # next instance of a sequential one can be given its item and the process does not keep the last.
            item, output = spec.input_item, spec.output_item
            if item is not None and (output is None or output.bpmn_id != item.bpmn_id):
                child.data.pop(item.bpmn_id, None)


class DropInstanceVariables:
    """On the multi-instance spec: what the instances merged back loses the per-instance variables."""

    bpmn_id = "__sro_multi_instance_end__"

    def set(self, task: Any) -> None:
        for name in NAMES:
            task.data.pop(name, None)


def attach(task_specs: Mapping[str, Any]) -> None:
    specs: Iterable[Any] = list(task_specs.values())
    for spec in specs:
        if isinstance(spec, MultiInstanceTask):
            inner = task_specs[spec.task_spec]
            inner.data_input_associations = [InstanceVariables(), *inner.data_input_associations]
            inner.data_output_associations = [InstanceVariables(), *inner.data_output_associations]
            spec.data_output_associations = [*spec.data_output_associations, DropInstanceVariables()]
