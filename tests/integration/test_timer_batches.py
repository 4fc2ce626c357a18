"""The timer sweep on PostgreSQL: due instances fire in batches (one transaction for several), a batch that fails is
fired again instance by instance, and the command connections plan their repeated statements once (issue 12: the
sweep's rate)."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select, text, update

from engine.runtime.clock import SimulatedClock
from engine.runtime.store import Event, ProcessInstance, Wait
from engine.services import Services
from engine.unit_of_work import TIMER_BATCH
from tests.conftest import PostgresSchema, make_postgres
from tests.cycle import session_form, task_at, today


@pytest.fixture
def postgres(postgres_schema: PostgresSchema, clock: SimulatedClock) -> Iterator[Services]:
    services = make_postgres(postgres_schema, clock)
    yield services
    services.engine.database.dispose()


def _cases_with_due_timers(services: Services, count: int) -> list[int]:
    """`count` cases whose session was held, each waiting for its plan's check-up timer, all due."""
    cases = []
    for number in range(count):
        case_id = services.start_case(f"K-{number:05d}", "team-nord", data={"naechsterKontaktAm": today(services)},
                                      actor="test").case_id
        services.complete_task(task_at(services, case_id, "Task_Beratungsgespraech"), session_form(services),
                               actor="test")
        cases.append(case_id)
    services.engine.clock.advance("P30D")  # type: ignore[attr-defined]
    return cases


def _fired(services: Services) -> Counter[int]:
    with services.engine.database.session() as session:
        return Counter(session.scalars(select(Event.case_id).where(Event.kind == "frist_abgelaufen")))


def _due(services: Services) -> int:
    with services.engine.database.session() as session:
        return int(session.scalar(select(func.count(Wait.id)).where(
            Wait.kind == "timer", Wait.due_at <= services.engine.clock.now())) or 0)


def test_a_sweep_fires_several_instances_per_transaction(postgres: Services) -> None:
    cases = _cases_with_due_timers(postgres, TIMER_BATCH + 3)
    commits: list[Any] = []
    event.listen(postgres.engine.database.engine, "commit", commits.append)

    assert postgres.fire_due_timers(limit=100) == len(cases)

    assert len(commits) == 2  # a full batch and the rest
    assert _fired(postgres) == Counter(cases)
    assert _due(postgres) == 0


def test_the_limit_counts_instances_and_cuts_a_batch(postgres: Services) -> None:
    cases = _cases_with_due_timers(postgres, 5)
    assert postgres.fire_due_timers(limit=3) == 3
    assert sum(_fired(postgres).values()) == 3
    assert postgres.fire_due_timers(limit=100) == 2
    assert _fired(postgres) == Counter(cases)


def test_a_batch_with_an_instance_saved_meanwhile_is_fired_instance_by_instance(postgres: Services) -> None:
    """Someone else saves one of the batch's instances after the sweep read it: the batch is rolled back whole
    (nothing of it stays), then each instance fires in its own transaction, that one from its new state."""
    cases = _cases_with_due_timers(postgres, 6)
    engine = postgres.engine
    run_engine = engine.run_engine
    with engine.database.session() as session:  # due at the same moment: they fire in the order they were made
        in_order = list(session.scalars(select(ProcessInstance.id).where(ProcessInstance.case_id.in_(cases))
                                        .order_by(ProcessInstance.id)))
    meddled: list[int] = []

    def run_after_someone_else_saved(workflow: Any) -> Any:
        if not meddled:  # the batch's third instance: another connection saves it first (as a web worker would)
            instance_id = in_order[2]
            with engine.database.engine.begin() as other:
                other.execute(update(ProcessInstance).where(ProcessInstance.id == instance_id)
                              .values(version=ProcessInstance.version + 1))
            meddled.append(instance_id)
        return run_engine(workflow)

    engine.run_engine = run_after_someone_else_saved  # type: ignore[method-assign]
    commits: list[Any] = []
    event.listen(engine.database.engine, "commit", commits.append)

    assert postgres.fire_due_timers(limit=100) == len(cases)

    # the other writer's commit, then one per instance: the failed batch committed nothing
    assert meddled and len(commits) == 1 + len(cases)
    assert _fired(postgres) == Counter(cases)  # each once
    with engine.database.session() as session:
        versions = dict(session.execute(select(ProcessInstance.id, ProcessInstance.version)
                                        .where(ProcessInstance.case_id.in_(cases))).all())
    assert versions[meddled[0]] == 4 and Counter(versions.values()) == Counter({3: 5, 4: 1})
    assert _due(postgres) == 0


def test_command_connections_plan_their_repeated_statements_once(postgres: Services) -> None:
    """PostgreSQL plans a prepared statement anew for every execution while its generic plan looks dearer than the
    custom ones (the save's JSON row sets are estimated at 100 rows, the sweep's LIMIT is a parameter): on the
    command connections the generic plan is used, so repeated statements are planned once."""
    _cases_with_due_timers(postgres, 12)
    postgres.fire_due_timers(limit=100)
    with postgres.unit_of_work() as work:  # the command pool's one connection, which ran all of the above
        plans = work.session.connection().execute(text(
            "SELECT generic_plans, custom_plans, statement FROM pg_prepared_statements")).all()
        mode = work.session.connection().scalar(text("SHOW plan_cache_mode"))
    saves = [plan for plan in plans if "WITH saved AS" in plan.statement]
    assert mode == "force_generic_plan"
    assert saves and saves[0].generic_plans >= 5 and saves[0].custom_plans == 0
    with postgres.engine.database.session() as session:  # reads keep PostgreSQL's own choice
        assert session.scalar(text("SHOW plan_cache_mode")) == "auto"


def test_a_batch_reads_what_the_letter_hook_needs_with_one_statement_and_makes_each_letter_once(
        postgres_schema: PostgresSchema, tmp_path: Path) -> None:
    """The cases came before the letter templates (their letters could not be made then): the sweep's batch makes
    each case's letters, read for all of its cases at once, and a later command makes none of them again."""
    from engine.bootstrap import bootstrap
    from tests.conftest import SRO_PROCESSES
    from tests.integration.conftest import MONDAY, staffed
    from tests.integration.test_calendar_web import WEDNESDAY

    shutil.copytree(SRO_PROCESSES, tmp_path / "ohne_vorlagen", ignore=shutil.ignore_patterns("vorlagen"))
    clock = SimulatedClock(MONDAY)
    services = bootstrap(database=postgres_schema.database(), clock=clock)
    try:
        services.deploy([tmp_path / "ohne_vorlagen"])
        office = staffed(services, clock)
        cases = []
        for number in range(4):
            case_id = office.cases.intake(office.member("anna"), f"901A12345{number}",
                                          first_session=office.at(WEDNESDAY, 9 + number))
            office.first_session(case_id)
            office.agreed_plan(case_id)
            cases.append(case_id)
        assert not _letters(services)
        services.deploy([SRO_PROCESSES / "vorlagen"], actor="test")
        clock.advance("P100D")
        statements: list[str] = []
        event.listen(services.engine.database.engine, "before_cursor_execute",
                     lambda connection, cursor, statement, *rest: statements.append(statement))

        assert services.fire_due_timers(limit=100) == len(cases)

        assert len([statement for statement in statements if " AS part," in statement]) == 1
        made = _letters(services)
        assert set(made) == set(cases)
        for letters in made.values():
            assert len(letters) == len(set(letters))
            assert {"einladung", "kooperationsplan"} <= {kind for kind, _, _ in letters}
        with services.unit_of_work() as work:  # the hook once more for every case: nothing new
            for case_id in cases:
                services.step_hooks[0](work.session, case_id, {}, "test")
            work.commit()
        assert _letters(services) == made
    finally:
        services.engine.database.dispose()


def _letters(services: Services) -> dict[int, list[tuple[str, int, str]]]:
    found: dict[int, list[tuple[str, int, str]]] = {}
    with services.engine.database.session() as session:
        for case_id, data in session.execute(select(Event.case_id, Event.data).where(
                Event.kind == "schreiben_erstellt").order_by(Event.id)):
            found.setdefault(case_id, []).append((data["art"], int(data["nr"]), data["titel"]))
    return found


def test_a_timer_whose_step_fails_is_recorded_once_and_the_others_fire(services: Services) -> None:
    """The oldest due timer's step fails (the diagram cannot run there): its transaction is rolled back and it stays
    due, the case's event log says why (once), the worker's log says so in German, and every other due timer fires.
    Before, the failure ended the sweep and `sro worker`, and a restarted worker met it first again."""
    from engine.runtime.errors import ProcessError
    from engine.worker import fire_timers

    cases = _cases_with_due_timers(services, 3)
    engine = services.engine
    with engine.database.session() as session:
        broken = session.scalar(select(ProcessInstance.id).where(ProcessInstance.case_id == cases[0]))
    load, run_engine = engine.load, engine.run_engine
    loaded: list[int] = []

    def remember(session: Any, instance: Any) -> Any:
        loaded.append(instance.id)
        return load(session, instance)

    def fail_for_the_broken_one(workflow: Any) -> Any:
        if loaded[-1] == broken:
            raise ProcessError("Gateway_Weiter", "Die Bedingung »${weiter}« ließ sich nicht auswerten.")
        return run_engine(workflow)

    engine.load = remember  # type: ignore[method-assign]
    engine.run_engine = fail_for_the_broken_one  # type: ignore[method-assign]
    said: list[str] = []

    assert fire_timers(services, once=True, report=said.append) == 2
    assert fire_timers(services, once=True, report=said.append) == 0  # passed by, not tried again

    assert _fired(services) == Counter(cases[1:])
    with engine.database.session() as session:
        failures = session.execute(select(Event.case_id, Event.element_id, Event.data)
                                   .where(Event.kind == "frist_fehlgeschlagen")).all()
        still_due = session.scalar(select(func.count(Wait.id)).where(Wait.case_id == cases[0], Wait.kind == "timer"))
    assert len(failures) == 1 and failures[0].case_id == cases[0]
    assert "ließ sich nicht auswerten" in failures[0].data["fehler"]
    assert still_due and still_due >= 1
    assert [line for line in said if "nicht auslösen" in line] == [
        f"Zeitgeber: Die Frist »{failures[0].element_id}« im Fall {cases[0]} ließ sich nicht auslösen: Im "
        "Prozessschritt »Gateway_Weiter«: Die Bedingung »${weiter}« ließ sich nicht auswerten. Sie bleibt fällig und "
        "wird bis zum Neustart des Zeitgebers übergangen; die übrigen Fristen laufen weiter."]
    assert broken in services.failed_timers


def test_a_failing_timer_is_raised_to_a_caller_that_does_not_pass_it_by(services: Services) -> None:
    """The simulations and the projection fire timers directly: a step that cannot run is their path's failure and
    reaches them as the ProcessError it is, with nothing of its batch written."""
    from engine.runtime.errors import ProcessError

    cases = _cases_with_due_timers(services, 3)
    engine = services.engine

    def failing(workflow: Any) -> Any:
        raise ProcessError("Gateway_Weiter", "Die Bedingung ließ sich nicht auswerten.")

    engine.run_engine = failing  # type: ignore[method-assign]
    with pytest.raises(ProcessError, match="Gateway_Weiter"):
        services.fire_due_timers(limit=100)
    assert not _fired(services) and not services.failed_timers and not services.new_timer_failures()
    assert _due(services) >= len(cases)
