"""`sro bench`: step latency of a case at year 1 and at year 10, against plain in-memory SpiffWorkflow.

A step is one "complete task" command through the real service function on an SQLite file:
load (read the instance and restore the workflow), complete (validate the form and run the
engine), commit (save state and projections, write the event log, commit). The baseline is the
same diagram in plain SpiffWorkflow: complete the task and `serialize_json` the workflow.
"""

from __future__ import annotations

import re
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from engine.bootstrap import bootstrap
from engine.runtime.clock import BERLIN, SimulatedClock
from engine.runtime.store import OpenTask
from engine.services import Services

# The one-pass counselling cycle the engine tests use (session, step deadline, check, review).
DIAGRAM = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "engine" / "beratungszyklus.bpmn"
START = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 3), "p95_ms": round(p95 * 1000, 3), "n": len(ordered)}


class _Timed:
    """Times one method of one engine object (no global patching): the bench's stopwatch."""

    def __init__(self, target: Any, name: str) -> None:
        self.samples: list[float] = []
        original: Callable[..., Any] = getattr(target, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            begin = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.samples.append(time.perf_counter() - begin)

        setattr(target, name, timed)


def _session_form(today: date) -> dict[str, Any]:
    return {
        "gespraechsart": "praesenz", "planVereinbart": True, "planLaufzeit": "P14D",
        "schrittBeschreibung": "Drei Bewerbungen schreiben", "schrittFaellig": (today + timedelta(days=7)).isoformat(),
        "naechsterKontakt": "wiedervorlage", "naechsterKontaktAm": (today + timedelta(days=8)).isoformat(),
    }


def _ours(quick: bool, plain_step: Callable[[], float]) -> dict[str, Any]:
    """An old case (ten years of cycles) and a young one (first year) stepped in lockstep, in one database.

    Interleaving the two cases (and the plain SpiffWorkflow baseline) at the same moment keeps the
    comparison about the age of the case, not about what else the machine was doing meanwhile.
    """
    with tempfile.TemporaryDirectory(prefix="sro-bench-") as folder:
        clock = SimulatedClock(START)
        services = bootstrap(f"sqlite:///{folder}/bench.sqlite3", clock=clock)
        services.deploy([DIAGRAM.parent])
        old = services.start_case("B-alt", "team-bench", data={"naechsterKontaktAm": START.date()},
                                  actor="bench").case_id
        load = _Timed(services.engine, "load")
        complete = _Timed(services.engine, "complete_user_task")
        nine_years = START.replace(year=START.year + 9)
        while clock.now() < nine_years:
            _cycle(services, [old], load, complete)
        young = services.start_case("B-neu", "team-bench", data={"naechsterKontaktAm": clock.now().date()},
                                    actor="bench").case_id
        samples: dict[int, list[tuple[float, float, float]]] = {old: [], young: []}
        plain: list[float] = []
        for turn in range(16 if quick else 48):
            order = [old, young] if turn % 2 == 0 else [young, old]  # no case always goes first
            for case_id, step in _cycle(services, order, load, complete):
                samples[case_id].append(step)
                plain.append(plain_step())
        results: dict[str, Any] = {}
        for label, case_id in (("year_1", young), ("year_10", old)):
            steps = samples[case_id]
            results[label] = {
                "cycles_of_case": services.case(case_id).cycle_count,
                "step_total": _percentiles([total for total, _, _ in steps]),
                "load": _percentiles([loading for _, loading, _ in steps]),
                "complete": _percentiles([running for _, _, running in steps]),
                "commit": _percentiles([total - loading - running for total, loading, running in steps]),
            }
        services.engine.database.dispose()
        return {"ours": results, "plain": {"complete_and_serialize": _percentiles(plain)}}


def _cycle(services: Services, case_ids: list[int], load: _Timed,
           complete: _Timed) -> list[tuple[int, tuple[float, float, float]]]:
    """One counselling cycle for each case: session, step deadline, step check, review."""
    clock = services.engine.clock
    assert isinstance(clock, SimulatedClock)
    measured = []
    for case_id in case_ids:
        form = _session_form(clock.now().astimezone(BERLIN).date())
        measured.append((case_id, _step(services, case_id, "Task_Beratungsgespraech", form, load, complete)))
    clock.advance("P8D")
    services.fire_due_timers(limit=1000)
    for case_id in case_ids:
        measured.append((case_id, _step(services, case_id, "Task_SchrittPruefen", {"schrittErledigt": True},
                                        load, complete)))
    clock.advance("P15D")
    services.fire_due_timers(limit=1000)
    return measured


def _step(services: Services, case_id: int, element_id: str, form: dict[str, Any], load: _Timed,
          complete: _Timed) -> tuple[float, float, float]:
    """(total, load, complete) seconds of one complete-task command."""
    with services.engine.database.session() as session:
        task_id = session.query(OpenTask.id).filter_by(case_id=case_id, element_id=element_id).scalar()
    load.samples.clear()
    complete.samples.clear()
    begin = time.perf_counter()
    services.complete_task(task_id, form, actor="bench")
    total = time.perf_counter() - begin
    return total, sum(load.samples), sum(complete.samples)


def _plain_diagram() -> str:
    """The shipped diagram rewritten into what plain SpiffWorkflow can evaluate (Python via eval)."""
    text = DIAGRAM.read_text(encoding="utf-8")
    text = re.sub(r"\$\{([^}]*)\}", lambda m: m.group(1).replace("true", "True").replace("false", "False"), text)
    return text


def _plain_stepper() -> Callable[[], float]:
    """A function that performs one user-task step in plain SpiffWorkflow and returns its seconds."""
    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
    from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
    from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
    from SpiffWorkflow.util.task import TaskState

    parser = CamundaParser()
    parser.add_bpmn_str(_plain_diagram().encode("utf-8"), "beratungszyklus.bpmn")
    spec = parser.get_spec("Beratungszyklus")
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(CAMUNDA_CONFIG))
    past = "2000-01-01T00:00:00+00:00"
    forms = [{**_session_form(date(2025, 1, 6)), "schrittFaellig": past, "planLaufzeit": "PT0S"},
             {"schrittErledigt": True}]
    state: dict[str, Any] = {"workflow": None, "next": 0}

    def step() -> float:
        if state["workflow"] is None or state["next"] == len(forms):
            state["workflow"], state["next"] = BpmnWorkflow(spec), 0
        workflow = state["workflow"]
        workflow.refresh_timers()
        workflow.do_engine_steps()
        [task] = workflow.get_tasks(state=TaskState.READY, manual=True)
        begin = time.perf_counter()
        task.data.update(forms[state["next"]])
        task.run()
        workflow.refresh_timers()
        workflow.do_engine_steps()
        serializer.serialize_json(workflow)
        elapsed = time.perf_counter() - begin
        state["next"] += 1
        return elapsed

    return step


def run(quick: bool = False) -> dict[str, Any]:
    measured = _ours(quick, _plain_stepper())
    ours, plain = measured["ours"], measured["plain"]
    year_1, year_10 = ours["year_1"]["step_total"], ours["year_10"]["step_total"]
    baseline = plain["complete_and_serialize"]
    return {
        "method": "complete-task commands on an SQLite file; a case in its 10th year and one in its 1st year "
                  "stepped in lockstep with the plain SpiffWorkflow baseline; times in milliseconds",
        "ours": ours,
        "plain_spiffworkflow_in_memory": plain,
        "ratios": {
            "year10_over_year1_p50": round(year_10["p50_ms"] / year_1["p50_ms"], 3),
            "year10_over_year1_p95": round(year_10["p95_ms"] / year_1["p95_ms"], 3),
            "ours_over_plain_p50": round(year_1["p50_ms"] / baseline["p50_ms"], 3),
            "ours_over_plain_p95": round(year_1["p95_ms"] / baseline["p95_ms"], 3),
        },
        "targets": {"year10_over_year1": 1.1, "ours_over_plain": 3},
    }
