"""The process engine: deploys diagrams, starts, loads and saves instances, indexes what they wait for.

It works inside a session the caller owns (one transaction per command, see engine/services.py)
and never commits by itself.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from lxml import etree
from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.orm import Session

from engine.runtime import lint, writes
from engine.runtime.call_activity import CalledProcesses
from engine.runtime.called_versions import DeployedProcesses, called_user_task, deployed_with
from engine.runtime.clock import Clock
from engine.runtime.conditional import refresh_conditions
from engine.runtime.errors import ConflictError, DeploymentError, EngineError, Finding, NotFoundError, ProcessError
from engine.runtime.event_subprocess import (
    ScopedEventSubprocess,
    message_starts,
    signal_definition,
    signal_starts,
    start_by_message,
)
from engine.runtime.fidelity import failure_in_german
from engine.runtime.model import Document, ProcessDef, UserTaskDef, read_document
from engine.runtime.spiff import (
    CompiledProcess,
    SafeScriptEngine,
    compile_process,
    is_timer,
    new_workflow,
    ready_user_task_ids,
    timer_due_from_details,
    waiting_events,
)
from engine.runtime.state import StateSerializer
from engine.runtime.store import (
    ENDED,
    RUNNING,
    Database,
    Deployment,
    Event,
    ProcessInstance,
    ProcessVersion,
    table,
)
from engine.runtime.task_rows import open_task_row
from engine.runtime.xmlsafe import UnsafeXmlError, parse_xml


@dataclass(frozen=True)
class LoadedProcess:
    version_id: int
    process_id: str
    version: int
    compiled: CompiledProcess
    definition: ProcessDef
    # User tasks of this process and of every process it calls, by element id.
    user_tasks: Mapping[str, UserTaskDef]


@dataclass(frozen=True)
class WaitingFor:
    """What an instance waits for, as the tables open_tasks and waits hold it: user tasks and waits."""

    tasks: frozenset[str] = frozenset()
    waits: tuple[tuple[str, str, str, str, datetime | None], ...] = ()  # task id, kind, element, name, due


@dataclass
class InstanceRow:
    """The columns of a process instance a command needs; plain values, no ORM bookkeeping on the hot path."""

    id: int
    case_id: int
    process_version_id: int
    cycle_no: int
    status: str
    state: str
    version: int
    partition_key: str | None  # given at start, copied onto every open task (engine/runtime/store.py)


INSTANCE_COLUMNS = (ProcessInstance.id, ProcessInstance.case_id, ProcessInstance.process_version_id,
                    ProcessInstance.cycle_no, ProcessInstance.status, ProcessInstance.state, ProcessInstance.version,
                    ProcessInstance.partition_key)


RECENT_WORKFLOWS = 2000  # workflows kept after saving, per engine (a few MB)

# Hot-path statements, built once: constructing a statement costs several times more than running it
# (measured: about 120 us to build and run an UPDATE against 25 us for a prebuilt one on SQLite).
_INSTANCES = table(ProcessInstance)
_INSERT_INSTANCE = insert(_INSTANCES).returning(_INSTANCES.c.id)
_SELECT_INSTANCE = select(*INSTANCE_COLUMNS).where(ProcessInstance.id == bindparam("instance_id"))
_INSERT_EVENT = insert(table(Event))


@dataclass
class Running:
    """An instance loaded for one command, with what it waited for when it was read."""

    instance: InstanceRow
    workflow: Any
    process: LoadedProcess
    before: WaitingFor  # as the tables held it when the instance was read


@dataclass
class StepLog:
    """Elements an engine step passed through, in order (for the event log and QA's path assertions)."""

    passed: list[str] = field(default_factory=list)
    last_data: dict[str, Any] | None = None  # the data of the last element passed

    def __call__(self, task: Any) -> None:
        bpmn_id = getattr(task.task_spec, "bpmn_id", None)
        if bpmn_id:
            self.passed.append(bpmn_id)
            self.last_data = task.data


class ProcessEngine:
    def __init__(self, database: Database, clock: Clock, script_engine: SafeScriptEngine | None = None) -> None:
        """`script_engine` brings the functions and actions diagrams may call (the application binds its
        domain there); without it a diagram gets the generic helper functions only."""
        self.database = database
        self.clock = clock
        self.serializer = StateSerializer()
        self.script_engine = script_engine or SafeScriptEngine(clock)
        # Parsed specs per (deployment, process): parsing is ms, loading an instance must not pay it.
        self._processes: dict[int, LoadedProcess] = {}
        # Deployed files never change (they are keyed by content hash), so their parse is kept.
        self._documents: dict[str, tuple[Deployment, Document]] = {}
        self._recent: OrderedDict[int, tuple[int, Running]] = OrderedDict()

    # ----------------------------------------------------------------- deployment

    def deploy(self, session: Session, files: Mapping[str, bytes], actor: str,
               actions: Iterable[str] | None = None) -> list[ProcessVersion]:
        """Deploy a set of files (name -> content) together; all of them or none.

        Content is stored once per SHA-256. A process gets a new version when its own file or any
        file it needs (called processes, decision tables) changed; this also re-pins processes that
        are not in this set but use a table or process that is.
        """
        documents: dict[str, Document] = {}
        findings: list[Finding] = []
        for name, content in files.items():
            try:
                documents[name] = read_document(parse_xml(content, name), name)
            except UnsafeXmlError as error:
                findings.append(error.finding)
        active = self._active_deployments(session)
        known = {provided for deployment in active.values() for provided in deployment.provides}
        findings.extend(lint.check(documents, known=known, actions=actions))
        if findings:
            raise DeploymentError(findings)
        now = self.clock.now()
        activation = (session.scalar(select(func.max(Deployment.activation))) or 0) + 1
        for name, content in files.items():
            digest = hashlib.sha256(content).hexdigest()
            deployment = session.get(Deployment, digest)
            if deployment is None:
                session.add(Deployment(id=digest, file_name=Path(name).name, kind=documents[name].kind,
                                       content=content.decode("utf-8"), provides=documents[name].provides,
                                       deployed_at=now, deployed_by=actor, activation=activation))
            else:
                deployment.activation = activation
        session.flush()
        versions = self._pin_versions(session, now, actor)
        batch = {pid for document in documents.values() for pid in document.provides}
        return [version for version in versions if version.process_id in batch]

    def _active_deployments(self, session: Session) -> dict[str, Deployment]:
        """For each process or decision id, the most recently activated file that defines it."""
        active: dict[str, Deployment] = {}
        for deployment in session.scalars(select(Deployment).order_by(Deployment.activation, Deployment.id)):
            for provided in deployment.provides:
                active[provided] = deployment
        return active

    def _pin_versions(self, session: Session, now: datetime, actor: str) -> list[ProcessVersion]:
        active = self._active_deployments(session)
        documents: dict[str, Document] = {}

        def document(deployment: Deployment) -> Document:
            if deployment.id not in documents:
                root = parse_xml(deployment.content.encode("utf-8"), deployment.file_name)
                documents[deployment.id] = read_document(root, deployment.file_name)
            return documents[deployment.id]

        versions: list[ProcessVersion] = []
        for process_id, deployment in sorted(active.items()):
            if process_id not in document(deployment).processes:
                continue  # a decision
            requires: set[str] = set()
            pending, seen = [(process_id, deployment)], set()
            while pending:  # called processes, transitively, and every table they use
                current, source = pending.pop()
                seen.add(current)
                definition = document(source).processes[current]
                for needed in sorted(definition.calls | definition.decision_refs):
                    # camunda:calledElementBinding="deployment": the callee deployed together with the caller
                    provider = (deployed_with(session, source, needed) or active[needed]) \
                        if needed in definition.same_deployment else active[needed]
                    requires.add(provider.id)
                    if needed in definition.calls and needed not in seen:
                        pending.append((needed, provider))
            requires.discard(deployment.id)
            fingerprint = hashlib.sha256(" ".join([deployment.id, *sorted(requires)]).encode()).hexdigest()
            latest = self._latest(session, process_id)
            if latest is not None and latest.fingerprint == fingerprint:
                versions.append(latest)
                continue
            definition = document(deployment).processes[process_id]
            version = ProcessVersion(process_id=process_id, version=(latest.version + 1) if latest else 1,
                                     name=definition.name, deployment_id=deployment.id, requires=sorted(requires),
                                     fingerprint=fingerprint, deployed_at=now)
            session.add(version)
            session.flush()
            versions.append(version)
            self.log(session, actor, "prozess_bereitgestellt", data={
                "process_id": process_id, "version": version.version, "datei": deployment.file_name,
                "sha256": deployment.id, "benoetigt": sorted(requires)})
        return versions

    def called_processes(self, session: Session) -> CalledProcesses:
        """The processes a call activity resolved at run time may start, read in this session."""
        return DeployedProcesses(self, session)

    def deploy_paths(self, session: Session, paths: Iterable[Path], actor: str,
                     actions: Iterable[str] | None = None) -> list[ProcessVersion]:
        return self.deploy(session, {str(path): path.read_bytes() for path in lint.expand(paths)}, actor, actions)

    @staticmethod
    def _latest(session: Session, process_id: str) -> ProcessVersion | None:
        return session.scalar(select(ProcessVersion).where(ProcessVersion.process_id == process_id)
                              .order_by(ProcessVersion.version.desc()).limit(1))

    def latest_version(self, session: Session, process_id: str) -> ProcessVersion:
        version = self._latest(session, process_id)
        if version is None:
            raise NotFoundError(f"Der Prozess »{process_id}« ist nicht bereitgestellt.")
        return version

    def deployment(self, session: Session, deployment_id: str) -> tuple[Deployment, Document]:
        """A deployed file and what it declares, parsed once per engine."""
        cached = self._documents.get(deployment_id)
        if cached is None:
            deployment = session.get(Deployment, deployment_id)
            if deployment is None:
                raise NotFoundError(f"Die Bereitstellung {deployment_id} gibt es nicht.")
            session.expunge(deployment)
            root = parse_xml(deployment.content.encode("utf-8"), deployment.file_name)
            cached = self._documents[deployment_id] = (deployment, read_document(root, deployment.file_name))
        return cached

    def process(self, session: Session, version_id: int) -> LoadedProcess:
        cached = self._processes.get(version_id)
        if cached is not None:
            return cached
        version = session.get(ProcessVersion, version_id)
        if version is None:
            raise NotFoundError(f"Prozessversion {version_id} gibt es nicht.")
        bpmn: dict[str, etree._Element] = {}
        decisions: dict[str, Any] = {}
        own: Document | None = None
        user_tasks: dict[str, UserTaskDef] = {}
        for deployment_id in [version.deployment_id, *version.requires]:
            deployment, document = self.deployment(session, deployment_id)
            if deployment.kind == "dmn":
                from engine.runtime import dmn

                decisions.update(dmn.read_decisions(document.root, deployment.file_name))
            else:
                bpmn[deployment.file_name] = document.root
                for process in document.processes.values():
                    user_tasks.update(process.user_tasks)
                if deployment_id == version.deployment_id:
                    own = document
        assert own is not None
        compiled = compile_process(bpmn, version.process_id, decisions)
        user_tasks.update(own.processes[version.process_id].user_tasks)
        loaded = LoadedProcess(version.id, version.process_id, version.version, compiled,
                               own.processes[version.process_id], user_tasks)
        self._processes[version_id] = loaded
        return loaded

    # ----------------------------------------------------------------- instances

    def start(self, session: Session, case_id: int, version_id: int, data: Mapping[str, Any],
              cycle_no: int, actor: str, *, partition_key: str | None = None) -> tuple[Running, StepLog, list[str]]:
        loaded = self.process(session, version_id)
        if loaded.definition.initiator:  # camunda:initiator: the variable that names who started the instance
            data = {**data, loaded.definition.initiator: actor}
        workflow = new_workflow(loaded.compiled, self.script_engine, self.called_processes(session))
        workflow.task_tree.data = dict(data)  # root task data flows to every child
        for task in workflow.get_tasks():
            if task.parent is not None:
                task.data = dict(data)
        now = self.clock.now()
        steps = StepLog()
        self._run(workflow, steps)
        instance_id = session.connection().execute(_INSERT_INSTANCE, {
            "case_id": case_id, "process_version_id": version_id, "cycle_no": cycle_no, "status": RUNNING,
            "state": "{}", "version": 0, "started_at": now, "updated_at": now,
            "partition_key": partition_key}).scalar_one()
        instance = InstanceRow(instance_id, case_id, version_id, cycle_no, RUNNING, "{}", 0, partition_key)
        running = Running(instance, workflow, loaded, WaitingFor())
        open_elements = self.save(session, running)
        self.log(session, actor, "zyklus_gestartet", case_id=case_id, instance_id=instance.id,
                 data={"zyklus": cycle_no, "prozess": loaded.process_id,
                       "version": loaded.version, "durchlaufen": steps.passed})
        return running, steps, open_elements

    def find(self, session: Session, instance_id: int) -> InstanceRow | None:
        row = session.connection().execute(_SELECT_INSTANCE, {"instance_id": instance_id}).first()
        return None if row is None else InstanceRow(row.id, row.case_id, row.process_version_id, row.cycle_no,
                                                    row.status, row.state, row.version, row.partition_key)

    def running_instance(self, session: Session, case_id: int) -> InstanceRow | None:
        """The instance of the case's current cycle, if one runs."""
        instance_id = session.scalar(select(ProcessInstance.id).where(ProcessInstance.case_id == case_id,
                                                                      ProcessInstance.status == RUNNING))
        return None if instance_id is None else self.find(session, instance_id)

    def load(self, session: Session, instance: InstanceRow) -> Running:
        loaded = self.process(session, instance.process_version_id)
        kept = self._recent.pop(instance.id, None)
        if kept is not None and kept[0] == instance.version and kept[1].process is loaded:
            kept[1].workflow.called_processes = self.called_processes(session)  # this command's session
            return Running(instance, kept[1].workflow, loaded, kept[1].before)
        workflow = self.serializer.loads(instance.state, loaded.compiled, self.script_engine,
                                         self.called_processes(session))
        return Running(instance, workflow, loaded, self.waiting_for(workflow))

    @staticmethod
    def waiting_for(workflow: Any) -> WaitingFor:
        """Derived from the state alone: the stored rows were written from this very state."""
        waits = []
        for task, element_id, definition, details in waiting_events(workflow):
            kind = "timer" if is_timer(definition) else "message" if _is_message(definition) else "event"
            due = timer_due_from_details(details) if kind == "timer" else None
            if kind == "timer" and due is None:
                continue  # a cycle timer that has run out
            waits.append((str(task.id), kind, element_id, str(definition.name), due))
        # an event subprocess's message start waits on the instance as a whole: its root task
        waits.extend((str(workflow.task_tree.id), "message", element_id, str(definition.name), None)
                     for element_id, definition in message_starts(workflow))
        waits.extend((str(workflow.task_tree.id), "event", element_id, str(definition.name), None)
                     for element_id, definition in signal_starts(workflow))
        return WaitingFor(ready_user_task_ids(workflow), tuple(sorted(
            waits, key=lambda wait: wait[:4])))

    def run_engine(self, workflow: Any) -> StepLog:
        steps = StepLog()
        self._run(workflow, steps)
        return steps

    def _run(self, workflow: Any, steps: StepLog) -> None:
        try:
            workflow.refresh_timers()
            refresh_conditions(workflow)
            workflow.do_engine_steps(did_complete_task=steps)
            while refresh_conditions(workflow):  # the steps changed variables a condition waits on
                workflow.do_engine_steps(did_complete_task=steps)
        except EngineError:
            raise
        except Exception as error:  # the library's own errors carry English text and the task
            raise ProcessError(_failing_element(error), failure_in_german(str(error))) from error

    def complete_user_task(self, workflow: Any, task_id: str, data: Mapping[str, Any]) -> StepLog:
        task = workflow.get_task_from_id(UUID(task_id))
        steps = StepLog()
        task.data.update(data)
        try:
            task.run()
        except EngineError:
            raise
        except Exception as error:
            message = f"Die Aufgabe konnte nicht abgeschlossen werden: {error}"
            raise ProcessError(task.task_spec.bpmn_id, message) from error
        steps(task)
        self._run(workflow, steps)
        return steps

    def save(self, session: Session, running: Running, *, event: Mapping[str, Any] | None = None,
             projection: Callable[[WaitingFor], writes.Projection | None] | None = None) -> list[str]:
        """Write the state and what it waits for in the caller's transaction, with the step's event if given
        (a row from `event_row`, written as `log` would) and the caller's projection of what the instance now
        waits for (a row of another table, see engine/runtime/writes.py); return the open user tasks' element ids.

        Raises ConflictError if someone saved this instance since we read it (optimistic lock).
        Open tasks and waits are diffed against what they were when the instance was read, so an
        unchanged wait costs nothing; engine/runtime/writes.py writes it all (one statement on PostgreSQL).
        """
        instance, workflow = running.instance, running.workflow
        now = self.clock.now()
        state = self.serializer.dumps(workflow)
        status = ENDED if workflow.is_completed() else RUNNING
        after = self.waiting_for(workflow)
        new_tasks = self._new_task_rows(running, after, now)
        waits = None if after.waits == running.before.waits else [
            {"instance_id": instance.id, "case_id": instance.case_id, "task_id": task_id, "kind": kind,
             "element_id": element_id, "name": name, "due_at": due}
            for task_id, kind, element_id, name, due in after.waits]
        if not writes.save(session.connection(), writes.Writes(
                instance.id, instance.version, state, status, now, now if status == ENDED else None,
                sorted(running.before.tasks - after.tasks), new_tasks, waits, event,
                None if projection is None else projection(after))):
            raise ConflictError("Der Vorgang wurde inzwischen von jemand anderem geändert. "
                                "Bitte die Seite neu laden und erneut versuchen.")
        instance.version, instance.state, instance.status = instance.version + 1, state, status
        running.before = after
        self._keep(instance.id, instance.version, running)
        return sorted(workflow.get_task_from_id(UUID(task_id)).task_spec.bpmn_id for task_id in after.tasks)

    def cancel(self, session: Session, running: Running) -> None:
        """End an instance where it stands (Camunda: deleting a process instance): it waits for nothing
        any more, its open tasks and timers are gone, its state is kept as it was."""
        running.workflow.cancel()
        self.save(session, running)

    def _keep(self, instance_id: int, version: int, running: Running) -> None:
        """Keep the workflow just saved: the next command on this instance (usually the next step of the
        same case) reuses it instead of rebuilding it from JSON, if the stored version still matches.

        The entry is taken out on load, so a command that fails half-way never leaves a changed
        object behind; a save that is rolled back leaves a version the database never reaches.
        """
        self._recent[instance_id] = (version, running)
        self._recent.move_to_end(instance_id)
        while len(self._recent) > RECENT_WORKFLOWS:
            self._recent.popitem(last=False)

    def _new_task_rows(self, running: Running, after: WaitingFor, now: datetime) -> list[dict[str, Any]]:
        """The open_tasks rows of the user tasks that opened."""
        rows: list[dict[str, Any]] = []
        definitions, instance = running.process.user_tasks, running.instance
        for task_id in sorted(after.tasks - running.before.tasks):
            task = running.workflow.get_task_from_id(UUID(task_id))
            spec_id = task.task_spec.bpmn_id
            user_task = called_user_task(self._processes.values(), task) or definitions.get(spec_id) \
                or UserTaskDef(spec_id, task.task_spec.bpmn_name or spec_id)
            rows.append(open_task_row(task, user_task, instance.id, instance.case_id, instance.partition_key, now,
                                      self.script_engine))
        return rows

    def user_task(self, running: Running, task_id: str) -> UserTaskDef | None:
        """The declaration of an open user task of the instance, also in a process called at run time."""
        task = running.workflow.get_task_from_id(UUID(task_id))
        return called_user_task(self._processes.values(), task) or running.process.user_tasks.get(
            task.task_spec.bpmn_id)

    # ----------------------------------------------------------------- events

    def send_message(self, workflow: Any, name: str, payload: Any) -> StepLog:
        """Deliver a message by name to whatever in the instance waits for it.

        The payload lands in the task data under the message's name (Camunda's result variable).
        """
        from SpiffWorkflow.bpmn import BpmnEvent

        for task in list(workflow.event_manager.tasks.values()):
            definition = task.task_spec.event_definition
            for candidate in getattr(definition, "event_definitions", None) or [definition]:
                if _is_message(candidate) and candidate.name == name:
                    steps = StepLog()
                    try:
                        workflow.send_event(BpmnEvent(candidate, {"payload": payload, "result_var": name}))
                    except Exception as error:
                        raise ProcessError(task.task_spec.bpmn_id, f"Die Nachricht »{name}« konnte nicht "
                                                                   f"zugestellt werden: {error}") from error
                    self._run(workflow, steps)
                    return steps
        for _element_id, definition in message_starts(workflow):
            if definition.name == name:  # lint refuses a message both waited for and starting one
                steps = StepLog()
                try:
                    start_by_message(workflow, definition, name, payload, self.current_data(workflow))
                except Exception as error:
                    raise ProcessError(_element_id, f"Die Nachricht »{name}« konnte nicht zugestellt werden: "
                                                    f"{error}") from error
                self._run(workflow, steps)
                return steps
        raise NotFoundError(f"Der Vorgang wartet nicht auf die Nachricht »{name}«.")

    def send_signal(self, workflow: Any, name: str, variables: Mapping[str, Any] | None = None) -> StepLog | None:
        """Deliver a signal by name to whatever in the instance waits for it (catch events, signal start
        events, event subprocesses); None if nothing in this instance waits for it (a signal is a
        broadcast: not being waited for is no error). `variables` are set where it is caught."""
        from SpiffWorkflow.bpmn import BpmnEvent

        definition = signal_definition(workflow, name)
        if definition is None:
            return None
        steps = StepLog()
        try:
            workflow.send_event(BpmnEvent(definition, dict(variables) if variables else None))
        except Exception as error:
            raise ProcessError(None, f"Das Signal »{name}« konnte nicht zugestellt werden: {error}") from error
        self._run(workflow, steps)
        return steps

    def evaluate_start_conditions(self, workflow: Any, variables: Mapping[str, Any]) -> StepLog | None:
        """Camunda's evaluateStartConditions for this instance: None if no conditional start it waits at holds."""
        from engine.runtime.conditional import fire_start_conditions

        try:
            fired = fire_start_conditions(workflow, dict(variables))
        except EngineError:
            raise
        except Exception as error:
            raise ProcessError(None, f"Die Startbedingung konnte nicht geprüft werden: {error}") from error
        if not fired:
            return None
        steps = StepLog()
        self._run(workflow, steps)
        return steps

    def log(self, session: Session, actor: str, kind: str, *, case_id: int | None = None,
            instance_id: int | None = None, element_id: str | None = None, data: Any = None) -> None:
        session.connection().execute(_INSERT_EVENT, [self.event_row(actor, kind, case_id=case_id,
                                                                    instance_id=instance_id, element_id=element_id,
                                                                    data=data)])

    def event_row(self, actor: str, kind: str, *, case_id: int | None = None, instance_id: int | None = None,
                  element_id: str | None = None, data: Any = None) -> dict[str, Any]:
        """A row of the event log as `log` writes it now (for `save`, which writes a step's event with its state)."""
        return {"at": self.clock.now(), "actor": actor, "case_id": case_id, "instance_id": instance_id, "kind": kind,
                "element_id": element_id,
                "data": self.serializer.convert_data(data) if isinstance(data, dict) else data}

    @staticmethod
    def current_data(workflow: Any) -> dict[str, Any]:
        """The data an instance holds now: that of what it waits at (tasks inside subprocesses included)."""
        from SpiffWorkflow.util.task import TaskState

        waiting = workflow.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.STARTED)
        waiting.sort(key=lambda task: task.last_state_change, reverse=True)
        source = waiting[0].data if waiting else (workflow.last_task.data if workflow.last_task else workflow.data)
        return {key: value for key, value in source.items() if not key.startswith("_")}

    @staticmethod
    def final_data(workflow: Any) -> dict[str, Any]:
        """The data of the end event a finished instance reached."""
        # SpiffWorkflow's internal "End" task joins every end event and holds the data that reached them.
        ends = [end for end in workflow.get_tasks(spec_name="End") if end.workflow is workflow
                and not isinstance(end.parent.task_spec, ScopedEventSubprocess)]
        source = ends[-1].data if ends else workflow.data
        return {key: value for key, value in source.items() if not key.startswith("_")}


def _is_message(definition: Any) -> bool:
    return type(definition).__name__ == "MessageEventDefinition"


def _failing_element(error: Exception) -> str | None:
    task = getattr(error, "task", None)
    spec = getattr(task, "task_spec", None) or getattr(error, "task_spec", None)
    return getattr(spec, "bpmn_id", None) or getattr(spec, "name", None)

