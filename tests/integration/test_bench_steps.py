"""The engine benchmark on a tiny run: the structure and consistency of its figures (not the speed), and
that what it steps is the shipped SRO model."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from click.testing import CliRunner

from engine.cli import main
from sro_benchmarks.steps import run
from tests.conftest import SRO_PROCESSES

CYCLES = 2
CYCLE_TASKS = {"Task_Beratungsgespraech", "Task_Kooperationsplan", "Task_SchrittPruefen", "Task_PlanUeberpruefen"}


@pytest.fixture(scope="module")
def figures() -> dict[str, Any]:
    return run(quick=True, years=1, cycles=CYCLES)


def timing_is_sane(figures: dict[str, Any], n: int) -> None:
    assert figures["n"] == n
    assert 0 < figures["p50_ms"] <= figures["p95_ms"] <= figures["max_ms"]


def test_the_shipped_model_is_stepped(figures: dict[str, Any]) -> None:
    model = figures["model"]
    shipped = {str(path.relative_to(SRO_PROCESSES)): hashlib.sha256(path.read_bytes()).hexdigest()
               for path in SRO_PROCESSES.rglob("*") if path.suffix in (".bpmn", ".dmn")}
    assert model["files"] == shipped
    assert {process for process, _ in model["deployed"]} == {
        "Beratungszyklus", "Meldeversaeumnis", "Aufforderung", "Schlichtung"}
    old, young = figures["ours"]["year_10"], figures["ours"]["year_1"]
    assert old["steps_by_task"] == dict.fromkeys(CYCLE_TASKS, CYCLES)
    # the young case starts with its first session in person, then goes round like the old one
    assert young["steps_by_task"] == {**dict.fromkeys(CYCLE_TASKS, CYCLES), "Task_Beratungsgespraech": CYCLES - 1,
                                      "Task_Erstgespraech": 1}
    assert figures["plain"]["steps_by_task"] == dict.fromkeys(CYCLE_TASKS, 2 * CYCLES)
    assert old["cycles_of_case"] > young["cycles_of_case"] == CYCLES + 1


def test_figures_are_sane_and_consistent(figures: dict[str, Any]) -> None:
    steps = 4 * CYCLES
    for case in ("year_1", "year_10"):
        ours = figures["ours"][case]
        for part in ("step_total", "load", "complete", "commit"):
            timing_is_sane(ours[part], steps)
        assert ours["step_total"]["p50_ms"] >= ours["complete"]["p50_ms"]
        assert 1_000 < ours["state_bytes"]["min"] <= ours["state_bytes"]["max"]
        assert set(ours["step_p50_ms_by_task"]) == set(ours["steps_by_task"])
    floor = figures["floor"]
    assert floor["state_bytes"]["n"] == 2 * steps
    assert floor["state_bytes"]["min"] == min(figures["ours"][case]["state_bytes"]["min"] for case in ("year_1",
                                                                                                        "year_10"))
    assert floor["wal_synchronous_full"]["pragmas"] == {"journal_mode": "WAL", "synchronous": "FULL"}
    assert floor["product_pragmas"]["pragmas"] == {"journal_mode": "WAL", "synchronous": "NORMAL"}
    for kind in ("wal_synchronous_full", "product_pragmas"):
        timing_is_sane(floor[kind]["commit"], 2 * steps)
    timing_is_sane(figures["plain"]["complete_and_serialize"], 2 * steps)
    year_1, year_10 = figures["ours"]["year_1"]["step_total"], figures["ours"]["year_10"]["step_total"]
    ratios = figures["ratios"]
    for quantile in ("p50", "p95"):  # the ratios are rounded to three places: abs half the last place
        assert ratios[f"year10_over_year1_{quantile}"] == pytest.approx(
            year_10[f"{quantile}_ms"] / year_1[f"{quantile}_ms"], rel=0.01, abs=0.0005)
        for name, over in (("floor_full", floor["wal_synchronous_full"]["commit"]),
                           ("floor_product", floor["product_pragmas"]["commit"]),
                           ("plain", figures["plain"]["complete_and_serialize"])):
            key = f"step_over_{name}_{quantile}" if name != "plain" else f"ours_over_plain_{quantile}"
            assert ratios[key] == pytest.approx(year_1[f"{quantile}_ms"] / over[f"{quantile}_ms"], rel=0.01, abs=0.0005)


def test_the_command_is_registered_by_the_benchmarks_package() -> None:
    result = CliRunner().invoke(main, ["bench", "--help"])
    assert result.exit_code == 0, result.output
    assert "--quick" in result.output and "--workplace" in result.output
