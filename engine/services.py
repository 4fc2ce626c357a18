"""The service layer: every command (start a case, complete a task, deliver a message, fire a timer) is
one function and one database transaction. Web views, the command line and tests all call these.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from engine import agenda
from engine.agenda import SESSION_FIELD
from engine.domain.case import (
    ACTIVE,
    CLOSE_REASONS,
    CLOSED,
    DEFAULT_PROCESS,
    Case,
    carry_over,
    case_columns,
    initial_data,
)
from engine.domain.counselling import SESSION_KINDS
from engine.domain.dates import date_problems
from engine.runtime import forms
from engine.runtime.clock import Clock, berlin_date
from engine.runtime.conditional import START_CONDITION
from engine.runtime.engine import InstanceRow, ProcessEngine, Running, StepLog
from engine.runtime.errors import (
    ConflictError,
    EngineError,
    FormError,
    NotFoundError,
    NothingWaitsError,
    ProcessError,
    TaskAlreadyCompletedError,
)
from engine.runtime.formatting import date_text
from engine.runtime.model import Document, UserTaskDef
from engine.runtime.store import OpenTask, ProcessInstance, ProcessVersion, Wait, table
from engine.runtime.writes import Projection
from engine.unit_of_work import (
    DUE_TIMERS,
    DUE_TIMERS_LOCKED,
    INSTANCE_AND_CASE_BY_ID,
    TASK_INSTANCE_AND_CASE,
    TIMER_BATCH,
    TIMER_FAILED,
    CaseRow,
    Outcome,
    TimerFailed,
    UnitOfWork,
    instance_and_case,
)

_CASES = table(Case).name
_WRITE_CASE_COLUMNS = (update(table(Case)).where(table(Case).c.id == bindparam("case_id"))
                       .values({name: bindparam(name) for name in case_columns({})}))
CustomForm = Callable[[UserTaskDef, Mapping[str, Any], date], dict[str, Any]]
# Called once per case a command stepped, before it commits, with the data the case's instance holds now.
StepHook = Callable[[Session, int, Mapping[str, Any], str], None]
_STEPPED = "sro.stepped"  # Session.info key: case id -> (running instance or None, actor) of the command's last step


class Services:
    """The commands of the product, bound to one process engine (database + clock).

    Built by engine.bootstrap, which binds the counselling domain (actions, functions, custom forms)
    to the generic engine.
    """

    def __init__(self, engine: ProcessEngine, custom_forms: Mapping[str, CustomForm] | None = None,
                 step_hooks: Iterable[StepHook] = ()) -> None:
        self.engine = engine
        self.custom_forms: dict[str, CustomForm] = dict(custom_forms or {})
        # Instances whose due timers this process could not fire: skipped by its sweeps until it restarts, so one
        # broken step does not hold up every timer due after it.
        self.failed_timers: set[int] = set()
        self._unreported_failures: list[str] = []
        self.step_hooks = list(step_hooks)

    @property
    def clock(self) -> Clock:
        return self.engine.clock

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.engine, self._after_steps if self.step_hooks else None)

    def note_case_changed(self, session: Session, case_id: int, actor: str) -> None:
        """A command changed a case outside its process (e.g. booked an appointment): the step hooks see it too."""
        session.info.setdefault(_STEPPED, {}).setdefault(case_id, (None, actor))

    def _after_steps(self, session: Session) -> None:
        stepped: dict[int, tuple[Running | None, str]] = session.info.pop(_STEPPED, {})
        if len(stepped) > 1:  # a batch of timers: a hook that can reads for all cases at once
            for hook in self.step_hooks:
                prefetch = getattr(hook, "prefetch", None)
                if prefetch is not None:
                    prefetch(session, list(stepped))
        for case_id, (running, actor) in stepped.items():
            if running is None:
                instance = self.engine.running_instance(session, case_id)
                if instance is None:
                    continue
                running = self.engine.load(session, instance)
            data = self.engine.current_data(running.workflow)
            for hook in self.step_hooks:
                hook(session, case_id, data, actor)

    def reading(self) -> AbstractContextManager[Session]:
        """A read-only session for queries (engine/queries.py); commands use a unit of work."""
        return self.engine.database.session()

    # ------------------------------------------------------------------ deployment

    def deploy(self, paths: Iterable[Path], actor: str = "system") -> list[tuple[str, int]]:
        """Diagrams, decision tables and the letter templates beside them (`vorlagen/`): all or nothing."""
        from engine.letters import stored

        paths = list(paths)
        templates = stored.checked(paths)  # refused before anything is written
        with self.unit_of_work() as uow:
            versions = self.engine.deploy_paths(uow.session, paths, actor, actions=self.engine.script_engine.actions)
            if templates is not None:
                stored.store(uow.session, templates, self.engine.clock.now(), actor)
            result = [(version.process_id, version.version) for version in versions]
            uow.commit()
        return result

    # ------------------------------------------------------------------ commands

    def start_case(self, customer_number: str, team: str, *, data: Mapping[str, Any] | None = None,
                   counsellor: str | None = None, process_id: str = DEFAULT_PROCESS,
                   actor: str = "system", uow: UnitOfWork | None = None) -> Outcome:
        with uow or self.unit_of_work() as work:
            session = work.session
            if session.scalar(select(Case.id).where(Case.customer_number == customer_number)) is not None:
                raise ConflictError(f"Für die Kundennummer {customer_number} gibt es bereits einen Fall.")
            now = self.engine.clock.now()
            data = initial_data(data or {})
            case = Case(customer_number=customer_number, team=team, counsellor=counsellor, process_id=process_id,
                        status=ACTIVE, cycle_count=0, data=self.engine.serializer.convert_data(data),
                        created_at=now, updated_at=now, **case_columns(data))
            session.add(case)
            session.flush()
            self.engine.log(session, actor, "fall_angelegt", case_id=case.id,
                            data={"kundennummer": customer_number, "team": team, "daten": dict(data or {})})
            outcome = Outcome(case.id, 0)
            self._start_cycle(session, CaseRow(case.id, case.process_id, 0, team, counsellor), dict(data), actor,
                              outcome)
            work.commit()
        return outcome

    def complete_task(self, task_id: str, data: Mapping[str, Any], *, actor: str,
                      uow: UnitOfWork | None = None) -> Outcome:
        with uow or self.unit_of_work() as work:
            session = work.session
            row = session.connection().execute(TASK_INSTANCE_AND_CASE, {"task_id": task_id}).first()
            if row is None:
                raise TaskAlreadyCompletedError("Diese Aufgabe ist nicht mehr offen; sie wurde bereits erledigt "
                                                "oder ist entfallen.")
            instance, case = instance_and_case(row)
            running = self.engine.load(session, instance)
            definition = self.engine.user_task(running, task_id)
            if definition is None:
                raise NotFoundError(f"Die Aufgabe {row.element_id} hat kein Formular im Diagramm.")
            custom = self.custom_forms.get(definition.form_key or "")
            today = self.engine.clock.today()
            cleaned = custom(definition, data, today) if custom is not None else forms.validate(definition, data)
            problems = date_problems(cleaned, today)
            if problems:
                raise FormError(problems)
            steps = self.engine.complete_user_task(running.workflow, task_id, cleaned)
            outcome = Outcome(case.id, instance.id)
            if cleaned.get(SESSION_FIELD) in SESSION_KINDS:  # a form that records a held session
                now = self.engine.clock.now()
                agenda.record_session(session, case.ref, kind=cleaned[SESSION_FIELD], element_id=row.element_id,
                                      actor=actor, now=now)
                held = [day for day in (case.last_session, berlin_date(now)) if day is not None]
                case.last_session, case.last_session_known = max(held), True
            self._after_step(session, case, running, steps, actor, outcome,
                             kind="aufgabe_erledigt", element_id=row.element_id,
                             data={"aufgabe": row.name, "eingaben": cleaned})
            self._keep_agenda(session, case, running, row.name, cleaned, actor, outcome)
            work.commit()
        return outcome

    def _keep_agenda(self, session: Session, case: CaseRow, running: Running, task_name: str,
                     cleaned: Mapping[str, Any], actor: str, outcome: Outcome) -> None:
        """What a completed form means for the case's agenda besides a held session: an agreed next contact
        becomes an appointment or a Wiedervorlage; open session tasks follow the next appointment."""
        now = self.engine.clock.now()
        contact = agenda.agreed_contact(cleaned)
        if contact is not None:
            what = "Wiedervorlage" if contact.kind is None else "Termin"
            kept = agenda.keep_agreed_contact(session, case.ref, contact, actor=actor, now=now,
                                              purpose=f"{what} aus »{task_name}« vom {date_text(now)}")
            note = agenda.booking_note(contact, kept)
            if note:
                outcome.notes.append(note)
        # Only an open session task follows; a case's open tasks are those of its running instance, which the
        # outcome names after the step: none among them (a plan to draw up, a step to check) is no statement.
        elements = agenda.session_elements(running.process.user_tasks.values())
        if elements.intersection(outcome.open_tasks):
            agenda.follow_next_appointment(session, case.id, elements, now)

    def deliver_message(self, case_id: int, message: str, payload: Mapping[str, Any] | None = None, *,
                        actor: str, uow: UnitOfWork | None = None) -> Outcome:
        with uow or self.unit_of_work() as work:
            session = work.session
            wait = session.scalar(select(Wait).where(Wait.case_id == case_id, Wait.kind == "message",
                                                     Wait.name == message).limit(1))
            if wait is None:
                if session.get(Case, case_id) is None:
                    raise NotFoundError(f"Den Fall {case_id} gibt es nicht.")
                raise NothingWaitsError(f"Der Fall {case_id} wartet gerade nicht auf die Nachricht »{message}«.")
            instance, case = self._instance_and_case(session, wait.instance_id)
            running = self.engine.load(session, instance)
            steps = self.engine.send_message(running.workflow, message, dict(payload or {}))
            outcome = Outcome(case.id, instance.id)
            self._after_step(session, case, running, steps, actor, outcome,
                             kind="nachricht_zugestellt", element_id=wait.element_id,
                             data={"nachricht": message, "inhalt": dict(payload or {})})
            work.commit()
        return outcome

    def send_signal(self, signal: str, variables: Mapping[str, Any] | None = None, *, actor: str,
                    uow: UnitOfWork | None = None) -> list[Outcome]:
        """Send a signal (BPMN: a broadcast) to every running case that waits for it, in one transaction;
        the variables are set where it is caught. No case waiting is no error: the list is empty."""
        with uow or self.unit_of_work() as work:
            session = work.session
            waits = session.scalars(select(Wait).where(Wait.kind == "event", Wait.name == signal)
                                    .order_by(Wait.instance_id)).all()
            outcomes = []
            for instance_id in dict.fromkeys(wait.instance_id for wait in waits):
                instance, case = self._instance_and_case(session, instance_id)
                running = self.engine.load(session, instance)
                steps = self.engine.send_signal(running.workflow, signal, variables)
                if steps is None:
                    continue
                outcome = Outcome(case.id, instance.id)
                self._after_step(session, case, running, steps, actor, outcome, kind="signal_empfangen",
                                 element_id=None, data={"signal": signal, "inhalt": dict(variables or {})})
                outcomes.append(outcome)
            work.commit()
        return outcomes

    def evaluate_start_conditions(self, variables: Mapping[str, Any] | None = None, *, actor: str,
                                  uow: UnitOfWork | None = None) -> list[Outcome]:
        """Evaluate the start conditions of every running case that waits at a conditional start event of its
        process, with these variables (Camunda: evaluateStartConditions); each whose condition holds begins,
        with the variables set, in one transaction. No condition holding is no error: the list is empty."""
        with uow or self.unit_of_work() as work:
            session = work.session
            waits = session.scalars(select(Wait).where(Wait.kind == "event", Wait.name == START_CONDITION)
                                    .order_by(Wait.instance_id)).all()
            outcomes = []
            for instance_id in dict.fromkeys(wait.instance_id for wait in waits):
                instance, case = self._instance_and_case(session, instance_id)
                running = self.engine.load(session, instance)
                steps = self.engine.evaluate_start_conditions(running.workflow, dict(variables or {}))
                if steps is None:
                    continue
                outcome = Outcome(case.id, instance.id)
                self._after_step(session, case, running, steps, actor, outcome, kind="startbedingung_erfuellt",
                                 element_id=None, data={"variablen": dict(variables or {})})
                outcomes.append(outcome)
            work.commit()
        return outcomes

    def fire_due_timers(self, *, limit: int = 100, actor: str = "zeitgeber", pass_failing: bool = False) -> int:
        """Fire the timers that are due on the engine's clock, oldest first; returns how many instances fired (one
        command fires every timer of an instance that is due). At most `limit` instances.

        A timer whose step cannot run (ProcessError) is raised, as every command raises it (the simulations report
        it as the failure of their path); with `pass_failing` (the worker) it is recorded in its case's event log
        once, reported by `new_timer_failures`, and passed by while this process runs, and the sweep goes on.

        On PostgreSQL the due rows are locked with SKIP LOCKED, so several workers share the work and a timer fires
        once (the instance version check is the second line of defence), and up to TIMER_BATCH instances fire in
        one transaction: per instance the command is the same (its steps, its event, its letters), but BEGIN,
        COMMIT and the search for due rows come once per batch, a sixth of a timer command on its own. A batch in
        which anything fails is rolled back whole and fired again one instance per transaction, so one instance
        saved meanwhile by someone else (ConflictError: skipped, its timer stays due for the next sweep if it still
        is) or one that cannot run costs the others nothing. On SQLite one instance per transaction: there a
        transaction holds the only write lock, which the counsellors' commands wait for.
        """
        batch = TIMER_BATCH if self.engine.database.dialect == "postgresql" else 1
        fired = 0
        for _ in range(limit):  # a bound: an instance in conflict each time counts as a round
            size = min(batch, limit - fired)
            if size <= 0:
                break
            if size == 1:
                count, found = self._fire_one_by_one(actor, 1, pass_failing)
            else:
                try:
                    count, found = self._fire_batch(actor, size)
                except EngineError:
                    count, found = self._fire_one_by_one(actor, size, pass_failing)
            fired += count
            if found < size:
                break  # nothing more is due (or the rest is another worker's)
        return fired

    def _fire_one_by_one(self, actor: str, count: int, pass_failing: bool) -> tuple[int, int]:
        fired = 0
        for tried in range(count):
            try:
                if not self._fire_batch(actor, 1)[0]:
                    return fired, tried
                fired += 1
            except ConflictError:
                continue  # another worker or a counsellor saved this instance first: its timer is handled there
            except TimerFailed as failed:
                if not pass_failing:
                    raise failed.error from None
                self._record_timer_failure(actor, failed)
        return fired, count

    def _record_timer_failure(self, actor: str, failed: TimerFailed) -> None:
        """A timer whose step cannot run (the diagram fails there): its transaction was rolled back, the timer stays
        due. It goes into the event log of its case (what an operator and the case file see), once per process,
        and this process's sweeps pass it by until it restarts (then it is tried once more)."""
        reason = str(failed.error)
        with self.unit_of_work() as work:
            self.engine.log(work.session, actor, TIMER_FAILED, case_id=failed.case_id,
                            instance_id=failed.instance_id, element_id=failed.element_id,
                            data={"faellig": failed.due_at, "fehler": reason})
            work.commit()
        self.failed_timers.add(failed.instance_id)
        self._unreported_failures.append(
            f"Die Frist »{failed.element_id}« im Fall {failed.case_id} ließ sich nicht auslösen: {reason} Sie bleibt "
            f"fällig und wird bis zum Neustart des Zeitgebers übergangen; die übrigen Fristen laufen weiter.")

    def new_timer_failures(self) -> list[str]:
        """The German reports of timers that failed since the last call (for the worker's log)."""
        reports, self._unreported_failures = self._unreported_failures, []
        return reports

    def _fire_batch(self, actor: str, size: int, uow: UnitOfWork | None = None) -> tuple[int, int]:
        """Fire the due timers of the instances of up to `size` due rows in one transaction: how many instances
        fired, and how many due rows were found."""
        with uow or self.unit_of_work() as work:
            session = work.session
            query = DUE_TIMERS_LOCKED if self.engine.database.dialect == "postgresql" else DUE_TIMERS
            if self.failed_timers:  # (a statement of its own: the usual search stays the prepared one)
                query = query.where(ProcessInstance.id.not_in(list(self.failed_timers)))
            try:
                due = session.connection().execute(query, {"now": self.engine.clock.now(), "batch": size}).all()
            except OperationalError as error:
                if self.engine.database.dialect == "sqlite" and "locked" in str(error.orig).lower():
                    raise ConflictError("Die Datenbank ist gerade belegt.") from error
                raise  # a lost or refused connection is no busy database: the worker reports it and waits
            if not due:
                return 0, 0
            fired: set[int] = set()  # instance ids
            for wait in due:
                if wait.id in fired:  # a second due timer of an instance (`id` is the instance's): fired with the first
                    continue
                fired.add(wait.id)
                instance, case = instance_and_case(wait)
                running = self.engine.load(session, instance)
                try:
                    steps = self.engine.run_engine(running.workflow)
                except ProcessError as error:
                    if size > 1:
                        raise  # the batch is fired again one by one, where this one is recorded
                    raise TimerFailed(case.id, instance.id, wait.element_id,
                                       wait.due_at.isoformat() if wait.due_at else None, error) from error
                outcome = Outcome(case.id, instance.id)
                self._after_step(session, case, running, steps, actor, outcome,
                                 kind="frist_abgelaufen", element_id=wait.element_id,
                                 data={"faellig": wait.due_at.isoformat() if wait.due_at else None})
            work.commit()
        return len(fired), len(due)

    def close_case(self, case_id: int, reason: str, *, actor: str, uow: UnitOfWork | None = None) -> None:
        """End the case: its running cycle ends where it stands (no task or timer remains), the case keeps its
        data and history and can be reopened."""
        if reason not in CLOSE_REASONS:
            raise FormError({"grund": f"Ungültige Auswahl; erlaubt sind {', '.join(CLOSE_REASONS.values())}."})
        with uow or self.unit_of_work() as work:
            session = work.session
            case = session.get(Case, case_id, with_for_update=True)
            if case is None:
                raise NotFoundError(f"Den Fall {case_id} gibt es nicht.")
            if case.status == CLOSED:
                raise ConflictError("Der Fall ist bereits geschlossen.")
            instance = self.engine.running_instance(session, case_id)
            if instance is not None:
                running = self.engine.load(session, instance)
                case.data = self.engine.serializer.convert_data(
                    {**self.engine.serializer.restore_data(case.data), **self.engine.current_data(running.workflow)})
                self.engine.cancel(session, running)
            now = self.engine.clock.now()
            case.status, case.closed_reason, case.closed_at, case.updated_at = CLOSED, reason, now, now
            self.engine.log(session, actor, "fall_geschlossen", case_id=case_id,
                            instance_id=instance.id if instance else None, data={"grund": reason})
            work.commit()

    def reopen_case(self, case_id: int, *, actor: str, uow: UnitOfWork | None = None) -> Outcome:
        """Take a closed case up again: a new cycle starts with the case data as it was closed."""
        with uow or self.unit_of_work() as work:
            session = work.session
            case = session.get(Case, case_id, with_for_update=True)
            if case is None:
                raise NotFoundError(f"Den Fall {case_id} gibt es nicht.")
            if case.status != CLOSED:
                raise ConflictError("Der Fall ist nicht geschlossen.")
            case.status, case.closed_reason, case.closed_at = ACTIVE, None, None
            self.engine.log(session, actor, "fall_wiedereroeffnet", case_id=case_id)
            outcome = Outcome(case.id, 0)
            data = dict(self.engine.serializer.restore_data(case.data))
            self._start_cycle(session, CaseRow(case.id, case.process_id, case.cycle_count, case.team,
                                               case.counsellor), carry_over(data), actor, outcome)
            work.commit()
        return outcome

    # ------------------------------------------------------------------ helpers

    def _instance_and_case(self, session: Session, instance_id: int) -> tuple[InstanceRow, CaseRow]:
        found = session.connection().execute(INSTANCE_AND_CASE_BY_ID, {"instance_id": instance_id}).first()
        if found is None:
            raise ConflictError("Der Vorgang ist bereits abgeschlossen.")
        return instance_and_case(found)

    def _after_step(self, session: Session, case: CaseRow, running: Running, steps: StepLog, actor: str,
                    outcome: Outcome, *, kind: str, element_id: str | None, data: dict[str, Any]) -> None:
        instance, workflow = running.instance, running.workflow
        data["durchlaufen"] = steps.passed
        # The case columns follow the step's data and the timers the instance now waits for: on PostgreSQL
        # written by the save's own statement.
        last_data = steps.last_data
        projection = None if last_data is None else (lambda after: Projection(
            _CASES, "id", case.id, self._case_columns(session, case, last_data, after.waits)))
        open_elements = self.engine.save(session, running, event=self.engine.event_row(
            actor, kind, case_id=case.id, instance_id=instance.id, element_id=element_id, data=data),
            projection=projection)
        outcome.passed.extend(steps.passed)
        if workflow.is_completed():
            final = carry_over(self.engine.final_data(workflow))
            self.engine.log(session, actor, "zyklus_beendet", case_id=case.id, instance_id=instance.id,
                            data={"zyklus": instance.cycle_no})
            self._start_cycle(session, case, final, actor, outcome)
        else:
            outcome.instance_id = instance.id
            outcome.open_tasks = open_elements
            session.info.setdefault(_STEPPED, {})[case.id] = (running, actor)

    def _start_cycle(self, session: Session, case: CaseRow, data: dict[str, Any], actor: str,
                     outcome: Outcome) -> None:
        """Continue-as-new: the next pass gets a fresh instance with the case data carried over."""
        version = self.engine.latest_version(session, case.process_id)
        case.cycle_count += 1
        session.connection().execute(
            update(table(Case)).where(table(Case).c.id == case.id)
            .values(cycle_count=case.cycle_count, data=self.engine.serializer.convert_data(data),
                    updated_at=self.engine.clock.now(), **case_columns(data)))
        # The case's team is the partition of its instances: its open tasks are found by team (the inbox).
        running, steps, open_elements = self.engine.start(session, case.id, version.id, data, case.cycle_count, actor,
                                                          partition_key=case.team)
        outcome.instance_id = running.instance.id
        outcome.cycles_started += 1
        outcome.passed.extend(steps.passed)
        self._write_case_columns(session, case, data, running)
        if running.workflow.is_completed():
            raise EngineError("Der Zyklus endete sofort wieder, ohne auf etwas zu warten; das Diagramm hätte "
                              "eine Endlosschleife erzeugt.")
        outcome.open_tasks = open_elements
        session.info.setdefault(_STEPPED, {})[case.id] = (running, actor)

    def _write_case_columns(self, session: Session, case: CaseRow, data: Mapping[str, Any], running: Running) -> None:
        columns = self._case_columns(session, case, data, running.before.waits)
        session.connection().execute(_WRITE_CASE_COLUMNS, {"case_id": case.id, **columns})

    def _case_columns(self, session: Session, case: CaseRow, data: Mapping[str, Any],
                      waits: Iterable[tuple[str, str, str, str, datetime | None]]) -> dict[str, Any]:
        """Case columns from the data of the last step and the earliest timer the instance now waits for."""
        timers = [due for _, kind, _, _, due in waits if kind == "timer" and due is not None]
        scheduled = berlin_date(min(timers)) if timers else None
        if not case.last_session_known:
            case.last_session, case.last_session_known = agenda.last_session(session, case.id), True
        return case_columns(data, scheduled, self.engine.clock.today(), case.last_session)

    # ------------------------------------------------------------------ queries used by commands and tests

    def task_form(self, task_id: str) -> tuple[OpenTask, UserTaskDef, dict[str, Any]]:
        """An open task, its form as the diagram declares it, and the instance's current data."""
        with self.engine.database.session() as session:
            task = session.get(OpenTask, task_id)
            if task is None:
                raise TaskAlreadyCompletedError("Diese Aufgabe ist nicht mehr offen; sie wurde bereits erledigt "
                                                "oder ist entfallen.")
            row = self.engine.find(session, task.instance_id)
            assert row is not None
            running = self.engine.load(session, row)
            definition = self.engine.user_task(running, task_id) or UserTaskDef(task.element_id, task.name)
            spiff_task = running.workflow.get_task_from_id(UUID(task_id))
            data = {key: value for key, value in spiff_task.data.items() if not key.startswith("_")}
            return task, definition, data

    def open_tasks(self, case_id: int) -> list[OpenTask]:
        with self.engine.database.session() as session:
            return list(session.scalars(select(OpenTask).where(OpenTask.case_id == case_id)
                                        .order_by(OpenTask.created_at, OpenTask.id)))

    def waits(self, case_id: int) -> list[Wait]:
        with self.engine.database.session() as session:
            return list(session.scalars(select(Wait).where(Wait.case_id == case_id).order_by(Wait.id)))

    def case(self, case_id: int) -> Case:
        with self.engine.database.session() as session:
            case = session.get(Case, case_id)
            if case is None:
                raise NotFoundError(f"Den Fall {case_id} gibt es nicht.")
            return case

    def deployed_documents(self, process_id: str = DEFAULT_PROCESS) -> dict[str, Document]:
        """The diagrams and decision tables the latest version of the process runs on, as deployed."""
        with self.reading() as session:
            version = self.engine.latest_version(session, process_id)
            return {deployment.file_name: document for deployment, document in
                    (self.engine.deployment(session, deployment_id)
                     for deployment_id in [version.deployment_id, *version.requires])}

    def case_data(self, case_id: int) -> dict[str, Any]:
        """The case data as the last finished cycle left it (carried into the running cycle)."""
        restored: dict[str, Any] = self.engine.serializer.restore_data(self.case(case_id).data)
        return restored

    def current_data(self, case_id: int) -> dict[str, Any]:
        """The data the case's running instance holds now; the case data if no cycle runs."""
        with self.reading() as session:
            instance = self.engine.running_instance(session, case_id)
            if instance is not None:
                return self.engine.current_data(self.engine.load(session, instance).workflow)
        return self.case_data(case_id)

    def processes(self) -> list[ProcessVersion]:
        with self.engine.database.session() as session:
            return list(session.scalars(select(ProcessVersion).order_by(ProcessVersion.process_id,
                                                                        ProcessVersion.version)))
