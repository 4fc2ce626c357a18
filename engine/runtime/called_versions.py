"""The deployed versions a call activity resolved at run time calls (call_activity.py), and where their tasks
are declared; also which file was deployed together with a caller (camunda:calledElementBinding "deployment")."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.runtime.call_activity import AmbiguousProcessError, CalledProcesses, UnknownProcessError
from engine.runtime.model import Document, UserTaskDef
from engine.runtime.store import Deployment, ProcessVersion


class _Versions(Protocol):
    def deployment(self, session: Session, deployment_id: str) -> tuple[Deployment, Document]: ...

    def process(self, session: Session, version_id: int) -> Any: ...


class DeployedProcesses(CalledProcesses):
    """What a call activity resolved at run time calls: the deployed versions, read in the command's session."""

    def __init__(self, engine: _Versions, session: Session) -> None:
        self.engine, self.session = engine, session

    def find(self, process_id: str, version: int | None, tag: str | None = None) -> tuple[int, Any]:
        query = select(ProcessVersion).where(ProcessVersion.process_id == process_id)
        if version is not None:
            query = query.where(ProcessVersion.version == version)
        found: list[ProcessVersion] = []
        for candidate in self.session.scalars(query.order_by(ProcessVersion.version.desc())):
            _, document = self.engine.deployment(self.session, candidate.deployment_id)
            if tag is None or document.processes[process_id].version_tag == tag:
                found.append(candidate)
                if tag is None:
                    break
        files = sorted({candidate.deployment_id for candidate in found})
        if len(files) > 1:  # versions re-pinned on the same file are one definition; different files are not
            raise AmbiguousProcessError(f"{len(files)} bereitgestellte Fassungen tragen ihn.")
        if not found:
            raise UnknownProcessError(process_id)
        return found[0].version, self.engine.process(self.session, found[0].id).compiled


def deployed_with(session: Session, caller: Deployment, process_id: str) -> Deployment | None:
    """The file providing `process_id` that was deployed (activated) together with `caller`."""
    for candidate in session.scalars(select(Deployment).where(Deployment.activation == caller.activation)
                                     .order_by(Deployment.id)):
        if process_id in candidate.provides:
            return candidate
    return None


def called_user_task(loaded: Iterable[Any], task: Any) -> UserTaskDef | None:
    """A user task of a process a call activity resolved at run time, from that process's loaded version."""
    for process in loaded:
        if process.compiled.spec is task.workflow.spec:
            found: UserTaskDef | None = process.user_tasks.get(task.task_spec.bpmn_id)
            return found
    return None
