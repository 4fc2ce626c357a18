"""`sro bench`: step latency of the shipped SRO model at year 1 and year 10, against an honest floor.

A step is one "complete task" command through the real service function on an SQLite file: load
(read the instance, restore the workflow), complete (run the engine: the task and what follows it up
to the next wait) and commit (the rest of the command: find the task, check the form, save state and
projections, write the event log and case columns, start the next cycle when one ends, COMMIT).
The cases run the shipped model (`processes/`:
beratungszyklus.bpmn, the processes it calls, the DMN tables) through a repeating counselling cycle:
session, Kooperationsplan with two dated steps, the first step's check when it comes due, the plan's
review when its term runs out (boundary timer), the next session two weeks later.

The floor (`floor.py`) is what any engine that keeps this state durably must pay: an SQLite commit
of a text of the same byte size as the state the step stored, measured right after each step, once
with synchronous FULL and once with the product's own pragmas (WAL, synchronous NORMAL). The
baseline (`plain.py`) runs the same cycle in plain SpiffWorkflow in memory on a rewritten copy.
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from engine.bootstrap import bootstrap
from engine.runtime.clock import SimulatedClock
from engine.services import Services
from sro_benchmarks import PROCESSES, counsellor
from sro_benchmarks.counsellor import Command, Counsellor
from sro_benchmarks.figures import sizes, summary
from sro_benchmarks.floor import Floor, product_pragmas
from sro_benchmarks.plain import PlainStepper

START = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)
ACTOR = "bench"
TEAM = "team-bench"
PLAN_TERM = "P1M"  # the review timer fires a month after the plan was agreed
STEPS = ((7, None), (60, None))  # step 1 comes due in a week; step 2 lies beyond the plan's term
NEXT_SESSION_DAYS = 14
DIGITS = 3


def _percentiles(samples: list[float]) -> dict[str, float | int]:
    return summary(samples, digits=DIGITS)


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


class _Bench:
    """The cases, the stopwatches and what each measured step produced."""

    def __init__(self, services: Services, clock: SimulatedClock) -> None:
        self.services = services
        self.clock = clock
        self.counsellor = Counsellor(services, ACTOR, TEAM)
        self.load = _Timed(services.engine, "load")
        self.complete = _Timed(services.engine, "complete_user_task")
        self.first_session: set[int] = set()  # cases whose next session is their first
        self.after_step: Callable[[int, int], None] = lambda case_id, state_bytes: None
        self.measured: dict[int, list[tuple[float, float, float, int, str]]] = {}

    def start(self, customer_number: str) -> int:
        case_id = self.counsellor.start(customer_number, first_contact_in_days=0)
        self.first_session.add(case_id)
        self.measured[case_id] = []
        return case_id

    def cycle(self, case_ids: list[int]) -> None:
        """One counselling cycle for each case, the cases in lockstep on the one clock."""
        today = self.clock.today()
        for case_id in case_ids:
            first = case_id in self.first_session
            self.first_session.discard(case_id)
            self.step(case_id, counsellor.session(today, first=first, answers={"kooperationsbereit": True},
                                                  contact="wiedervorlage", contact_in_days=30))
        for case_id in case_ids:
            self.step(case_id, counsellor.plan(today, STEPS, term=PLAN_TERM))
        self.let_time_pass(f"P{STEPS[0][0]}D", len(case_ids))
        for case_id in case_ids:
            self.step(case_id, counsellor.step_check(1))
        self.let_time_pass(PLAN_TERM, len(case_ids))
        today = self.clock.today()
        for case_id in case_ids:
            self.step(case_id, counsellor.review(today, contact="folgetermin_praesenz",
                                                 contact_in_days=NEXT_SESSION_DAYS))
        self.clock.advance(f"P{NEXT_SESSION_DAYS}D")

    def let_time_pass(self, duration: str, expected: int) -> None:
        self.clock.advance(duration)
        fired = self.services.fire_due_timers(limit=1000)
        if fired != expected:
            raise RuntimeError(f"{fired} Zeitereignisse ausgelöst, {expected} erwartet.")

    def step(self, case_id: int, command: Command) -> None:
        """One complete-task command: (total, load, complete) seconds, the stored state's bytes, the task."""
        task = self.counsellor.task(case_id, command.element_id)
        self.load.samples.clear()
        self.complete.samples.clear()
        begin = time.perf_counter()
        self.services.complete_task(task.id, command.form, actor=ACTOR)
        total = time.perf_counter() - begin
        engine = self.services.engine
        with engine.database.session() as session:
            instance = engine.find(session, task.instance_id)
        assert instance is not None
        state_bytes = len(instance.state.encode("utf-8"))
        self.measured[case_id].append((total, sum(self.load.samples), sum(self.complete.samples), state_bytes,
                                       command.element_id))
        self.after_step(case_id, state_bytes)

    def figures(self, case_id: int) -> dict[str, Any]:
        steps = self.measured[case_id]
        return {
            "cycles_of_case": self.services.case(case_id).cycle_count,
            "steps_by_task": dict(Counter(element for *_, element in steps)),
            "state_bytes": sizes([state for _, _, _, state, _ in steps]),
            "step_p50_ms_by_task": {element: summary([total for total, *_, task in steps if task == element],
                                                     digits=DIGITS)["p50_ms"]
                                    for element in dict.fromkeys(task for *_, task in steps)},
            "step_total": _percentiles([total for total, *_ in steps]),
            "load": _percentiles([loading for _, loading, *_ in steps]),
            "complete": _percentiles([running for _, _, running, *_ in steps]),
            "commit": _percentiles([total - loading - running for total, loading, running, *_ in steps]),
        }


def _model(versions: list[tuple[str, int]]) -> dict[str, Any]:
    """Which model was stepped: the deployed processes and a digest of every file of `processes/`."""
    files = sorted(path for path in PROCESSES.rglob("*") if path.suffix in (".bpmn", ".dmn"))
    return {"folder": str(PROCESSES), "deployed": [list(version) for version in versions],
            "files": {str(path.relative_to(PROCESSES)): hashlib.sha256(path.read_bytes()).hexdigest()
                      for path in files}}


def _measure(folder: Path, years: int, cycles: int) -> dict[str, Any]:
    """An old case (`years` of cycles) and a young one stepped in lockstep, in one database.

    Interleaving the two cases, the floor's commits and the plain baseline at the same moment keeps
    the comparison about the age of the case and the work of a step, not about what else the machine
    was doing meanwhile.
    """
    clock = SimulatedClock(START)
    services = bootstrap(f"sqlite:///{folder}/bench.sqlite3", clock=clock)
    try:
        model = _model(services.deploy([PROCESSES], actor=ACTOR))
        pragmas = product_pragmas(services.engine.database)
        bench = _Bench(services, clock)
        old = bench.start("B-alt")
        end = START.replace(year=START.year + years)
        while clock.now() < end:
            bench.cycle([old])
        young = bench.start("B-neu")
        bench.measured[old].clear()
        plain = PlainStepper(PROCESSES)
        floors = [Floor(folder / "floor-full.sqlite3", journal_mode="WAL", synchronous="FULL"),
                  Floor(folder / "floor-product.sqlite3", **pragmas)]

        def after_step(case_id: int, state_bytes: int) -> None:
            turn = len(bench.measured[case_id])
            for floor in floors if turn % 2 else reversed(floors):  # neither floor always goes first
                floor.commit(state_bytes)
            plain.step()

        bench.after_step = after_step
        for turn in range(cycles):
            bench.cycle([old, young] if turn % 2 == 0 else [young, old])  # no case always goes first
        for floor in floors:
            floor.close()
        return {
            "model": model,
            "ours": {"year_1": bench.figures(young), "year_10": bench.figures(old)},
            "floor": {"state_bytes": sizes([state for steps in bench.measured.values() for *_, state, _ in steps]),
                      "wal_synchronous_full": floors[0].figures(DIGITS),
                      "product_pragmas": floors[1].figures(DIGITS)},
            "plain": {"complete_and_serialize": _percentiles(plain.samples),
                      "state_bytes": sizes(plain.state_bytes),
                      "steps_by_task": dict(Counter(plain.completed))},
        }
    finally:
        services.engine.database.dispose()


METHOD = (
    "complete-task commands through the service functions on an SQLite file, stepping the shipped SRO model "
    "(processes/: Beratungszyklus with its called processes and DMN tables) through a repeating cycle: session, "
    "Kooperationsplan (two dated steps, term P1M), check of step 1 when due, review when the plan's term runs "
    "out, next session 14 days later. A case in its 10th year and one in its 1st year are stepped in lockstep; "
    "a step is split into load (read the instance, restore the workflow), complete (run the engine) and commit "
    "(the rest: find the task, check the form, save state and projections, event log, case columns, the next "
    "cycle when one ends, COMMIT); "
    "after each step, the floor commits a text of the byte size of the state that step stored, on plain sqlite3 "
    "connections (one row, BEGIN, UPDATE, COMMIT), once with WAL and synchronous FULL and once with the "
    "product's pragmas read from its own connection; and the plain SpiffWorkflow baseline steps the same cycle "
    "in memory on a copy rewritten for the library (JUEL to Python, one DMN decision per document, external "
    "tasks completed by a no-op worker, so no domain action runs; state serialized without the spec, as the "
    "engine stores it). Times in milliseconds; ratios against the year-1 case's step_total."
)


def run(quick: bool = False, *, years: int = 9, cycles: int | None = None) -> dict[str, Any]:
    """Measure and return the figures (JSON-able). `years` of the old case, `cycles` measured per case."""
    with tempfile.TemporaryDirectory(prefix="sro-bench-") as folder:
        measured = _measure(Path(folder), years, cycles or (8 if quick else 24))
    year_1, year_10 = measured["ours"]["year_1"]["step_total"], measured["ours"]["year_10"]["step_total"]
    full = measured["floor"]["wal_synchronous_full"]["commit"]
    product = measured["floor"]["product_pragmas"]["commit"]
    plain = measured["plain"]["complete_and_serialize"]

    def ratio(part: str, over: dict[str, Any]) -> float:
        return round(float(year_1[part]) / float(over[part]), 3)

    return {
        "method": METHOD,
        **measured,
        "ratios": {
            "year10_over_year1_p50": round(float(year_10["p50_ms"]) / float(year_1["p50_ms"]), 3),
            "year10_over_year1_p95": round(float(year_10["p95_ms"]) / float(year_1["p95_ms"]), 3),
            "step_over_floor_full_p50": ratio("p50_ms", full),
            "step_over_floor_full_p95": ratio("p95_ms", full),
            "step_over_floor_product_p50": ratio("p50_ms", product),
            "step_over_floor_product_p95": ratio("p95_ms", product),
            "ours_over_plain_p50": ratio("p50_ms", plain),
            "ours_over_plain_p95": ratio("p95_ms", plain),
        },
        "targets": {"year10_over_year1": 1.1, "ours_over_plain": 3},
    }
