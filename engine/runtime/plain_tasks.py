"""`bpmn:task` and `bpmn:manualTask` as Camunda 7 runs them: the token passes through."""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.defaults import ManualTask, NoneTask


class PassThroughTask(NoneTask):  # type: ignore[misc]
    """`bpmn:task`: Camunda 7 passes through it (SpiffWorkflow would wait for a manual complete that
    nothing offers, so an instance sat "active" with nothing to do)."""

    def __init__(self, wf_spec: Any, bpmn_id: str, **kwargs: Any) -> None:
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.manual = False


class PassThroughManualTask(ManualTask):  # type: ignore[misc]
    """`bpmn:manualTask`: work done outside any system; Camunda 7 passes through it."""

    def __init__(self, wf_spec: Any, bpmn_id: str, **kwargs: Any) -> None:
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.manual = False
