"""The workplace benchmark on a small caseload: the structure and sanity of its figures (not the speed),
and proof that the cloned cases are real cases the engine can carry on with."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from engine.bootstrap import bootstrap
from engine.domain.case import Case
from engine.letters.of_case import letters_of
from engine.letters.produced import case_fields, identity, invitations, produced, regime_on
from engine.runtime.clock import BERLIN, SimulatedClock
from engine.runtime.store import RUNNING, OpenTask, ProcessInstance, Wait
from engine.services import Services
from sro_benchmarks.workplace.experiments import EXPERIMENTS
from sro_benchmarks.workplace.measurement import CASE_FILE_STAGES, INBOX_PAGES
from sro_benchmarks.workplace.run import run
from tests.process_assert import assert_that

CASES, PER_IFK = 2_000, 100
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('bench') / 'workplace.sqlite3'}"
    return run(cases=CASES, per_ifk=PER_IFK, quick=True, database_url=url), url


@pytest.fixture
def services(bench: tuple[dict[str, Any], str]) -> Iterator[Services]:
    figures, url = bench
    result = bootstrap(url, clock=SimulatedClock(datetime.fromisoformat(figures["now"])), migrate=False)
    yield result
    result.engine.database.dispose()


def timing_is_sane(figures: dict[str, Any], n: int) -> None:
    assert figures["n"] == n
    assert 0 < figures["p50_ms"] <= figures["p95_ms"] <= figures["max_ms"]
    assert 0 <= figures["cpu_p50_ms"] <= figures["cpu_p95_ms"]


def test_counts_match_the_caseload(bench: tuple[dict[str, Any], str]) -> None:
    figures, _ = bench
    caseload, rows = figures["caseload"], figures["rows"]
    assert caseload["cases"] == CASES and caseload["per_ifk"] == PER_IFK
    assert caseload["ifk"] == CASES // PER_IFK and caseload["teams"] == 2
    assert sum(caseload["cases_per_stage"].values()) == CASES
    templates = caseload["template_cases"]
    assert rows["cases"] == CASES + templates
    assert rows["process_instances_running"] == rows["cases"]  # one running instance per case
    assert rows["process_instances"] > rows["cases"]  # cases in their second cycle keep the first
    assert rows["staff"] == caseload["ifk"]
    assert figures["database"]["size_mb"] > 0 and figures["database"]["temporary"] is False
    assert figures["generation_s"]["clones"] > 0
    verification = figures["verification"]
    assert verification["clones_loaded"] == 50 and verification["problem_count"] == 0, verification["problems"]


def test_every_clone_carries_its_team_as_partition_key(services: Services) -> None:
    """The inbox finds a team's tasks by the partition key: a clone's instances and open tasks carry the clone's
    team, not its template's."""
    with services.reading() as session:
        instances = session.execute(select(ProcessInstance.partition_key, Case.team)
                                    .join(Case, Case.id == ProcessInstance.case_id)).all()
        tasks = session.execute(select(OpenTask.partition_key, Case.team).join(Case, Case.id == OpenTask.case_id)).all()
    assert len(instances) > CASES and len(tasks) > CASES // 2
    assert [row for row in [*instances, *tasks] if row[0] != row[1]] == []


def test_figures_are_sane(bench: tuple[dict[str, Any], str]) -> None:
    figures, _ = bench
    ifk = len(figures["ifk_measured"])
    assert ifk == 10
    for page in INBOX_PAGES:
        timing_is_sane(figures["inbox"][page], ifk * 2)
        timing_is_sane(figures["inbox_query_only"]["time"][page], ifk)
    timing_is_sane(figures["inbox"]["all"], ifk * 2 * len(INBOX_PAGES))
    timing_is_sane(figures["case_file"]["all"], ifk * len(CASE_FILE_STAGES))
    assert set(figures["case_file"]) - {"all"} >= {"erstgespraech", "beratungsgespraech"}
    matching = figures["inbox_query_only"]["tasks_matching_filter_mean"]
    assert 0 < matching["mine"] < matching["default"] and matching["overdue"] < matching["default"]
    assert figures["inbox_query_only"]["rows_on_page_mean"]["default"] == 50
    target = figures["target"]
    assert target["measured_inbox_p95_ms"] == figures["inbox"]["all"]["p95_ms"]
    assert target["worst_page_p95_ms"] == max(figures["inbox"][page]["p95_ms"] for page in INBOX_PAGES)
    # the verdicts follow from the measurements, whichever way they come out
    limit = target["inbox_p95_ms"]
    assert target["met_over_all_inbox_requests"] is (target["measured_inbox_p95_ms"] <= limit)
    assert target["met_on_every_page"] is (target["worst_page_p95_ms"] <= limit)
    assert target["met"] is (target["met_over_all_inbox_requests"] and target["met_on_every_page"])
    plans = figures["analysis"]["inbox_query_plans"]
    assert set(plans) == set(INBOX_PAGES)
    assert any("cases" in line for line in plans["default"]["page"])
    assert figures["analysis"]["case_file_query_plans"]["statements"] > 0
    assert figures["analysis"]["profile_inbox_default"]["parts_cumulative"]
    assert figures["analysis"]["sql_share_of_default_inbox_request_p50"] > 0
    assert [line["run"] for line in figures["experiments"]["summary"]] == [name for name, _, _ in EXPERIMENTS]
    steps = figures["experiments"]["steps"]
    assert [step["experiment"] for step in steps] == [name for name, _, _ in EXPERIMENTS]
    covered = steps[1]["inbox_plans"]["default"]  # the experiment's index is the one used
    assert any("COVERING INDEX bench_x_open_tasks_inbox" in line for line in covered["page"])
    timing_is_sane(steps[-1]["inbox"]["all"], ifk * len(INBOX_PAGES))


def test_experiments_leave_the_schema_as_it_was(services: Services) -> None:
    with services.engine.database.engine.connect() as connection:
        names = [row[0] for row in connection.exec_driver_sql("SELECT name FROM sqlite_master")]
    assert not [name for name in names if name.startswith("bench_x_") or name == "sqlite_stat1"]


def test_every_clone_loads_and_its_projection_matches_its_state(services: Services) -> None:
    engine = services.engine
    with engine.database.session() as session:
        rows = session.execute(select(ProcessInstance.id, ProcessInstance.state)
                               .join(Case, Case.id == ProcessInstance.case_id)
                               .where(Case.customer_number.like("WB-%"), ProcessInstance.status == RUNNING)).all()
        assert len(rows) == CASES
        stored = {instance: set(ids) for instance, ids in _tasks_by_instance(session).items()}
        seen: set[str] = set()
        for instance_id, state in rows:
            found = engine.find(session, instance_id)
            assert found is not None
            running = engine.load(session, found)
            assert set(running.before.tasks) == stored.get(instance_id, set())
            ids = set(UUID.findall(state))
            assert not ids & seen, "two clones share a task id"
            seen |= ids


def test_a_clone_has_produced_the_letters_its_state_yields(services: Services) -> None:
    """A clone is its template moved in time, letters included (their titles carry the moved dates), and its planned
    appointments have their invitations: the letter hook finds nothing new on a clone's next command that the case
    would have been sent long ago."""
    engine = services.engine
    today = engine.clock.today()
    with engine.database.session() as session:
        on = regime_on(engine, session)
        cases = session.execute(select(Case.id, Case.customer_number, Case.counsellor)
                                .where(Case.customer_number.like("WB-%")).order_by(Case.id)).all()
        with_plan, with_invitation, missing = 0, 0, []
        for case in cases[::10]:
            instance = engine.running_instance(session, case.id)
            assert instance is not None
            data = engine.current_data(engine.load(session, instance).workflow)
            made = produced(session, case.id)
            for letter in letters_of(data, case_fields(case), invitations(session, case.id), on, today):
                with_plan += letter.kind == "kooperationsplan"
                with_invitation += letter.kind == "einladung"
                if identity(letter) not in made:
                    missing.append((case.customer_number, identity(letter)))
    assert with_plan > 0 and with_invitation > 0
    assert missing == []


def _tasks_by_instance(session: Any) -> dict[int, list[str]]:
    result: dict[int, list[str]] = {}
    for instance_id, task_id in session.execute(select(OpenTask.instance_id, OpenTask.id)):
        result.setdefault(instance_id, []).append(task_id)
    return result


def test_a_cloned_task_is_completed_and_the_clones_go_on(services: Services) -> None:
    engine = services.engine
    clock = engine.clock
    assert isinstance(clock, SimulatedClock)
    today = clock.now().astimezone(BERLIN).date()
    with engine.database.session() as session:
        task = session.scalar(select(OpenTask).join(Case, Case.id == OpenTask.case_id)
                              .where(Case.customer_number.like("WB-%"), OpenTask.element_id == "Task_Kooperationsplan")
                              .order_by(OpenTask.case_id.desc()).limit(1))
        assert task is not None
        waiting_in_plans = session.scalar(select(func.count()).select_from(Wait).where(
            Wait.element_id == "Event_SchrittFaellig", Wait.due_at <= clock.now() + timedelta(days=4))) or 0
    assert waiting_in_plans > 0  # cloned cases whose step comes due within four days

    services.complete_task(task.id, {
        "planZiel": "Arbeitsaufnahme im Lager", "planLaufzeit": "P3M", "eigenbemuehungen": "Bewerbungen",
        "schritte": [{"beschreibung": "Lebenslauf aktualisieren", "verantwortlich": "elb",
                      "faellig": (today + timedelta(days=3)).isoformat(), "wiedervorlage": None}]}, actor="ifk-0001")
    assert_that(services, task.case_id).is_waiting_exactly_at(
        "Event_SchrittFaellig", "Event_Ueberpruefung", "StartEvent_Meldeversaeumnis", "StartEvent_Aufhebung")

    clock.advance("P4D")
    fired = services.fire_due_timers(limit=10_000)
    assert fired == waiting_in_plans + 1  # the cloned timers fire like any other, and ours too
    [check] = services.open_tasks(task.case_id)
    assert check.element_id == "Task_SchrittPruefen" and check.id != task.id
    services.complete_task(check.id, {"schrittNr": 1, "schrittErledigt": True}, actor="ifk-0001")
    assert_that(services, task.case_id).has_open_tasks_exactly("Task_PlanUeberpruefen")


def test_the_benchmark_database_is_left_where_it_was_asked_for(bench: tuple[dict[str, Any], str]) -> None:
    _, url = bench
    assert Path(url.split("///", 1)[1]).stat().st_size > 0
