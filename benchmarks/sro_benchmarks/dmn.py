"""DMN evaluation speed: decisions per second for the two SRO decision tables and a sample of the DMN TCK.

Each decision is evaluated with compiled models (read once, as a deployment does) over a fixed round of
inputs; the figure is evaluations per second of wall time, best of a few repetitions.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from engine.runtime import dmn
from engine.runtime.xmlsafe import parse_xml
from sro_benchmarks import PROCESSES

_TABLES = PROCESSES / "entscheidungen"


def _minderung_inputs() -> list[dict[str, Any]]:
    rounds = []
    for stichtag, art, frueher, grund, rfb, haerte, schlichtung, folge in itertools.product(
        (date(2026, 6, 30), date(2026, 7, 1)), ("pflichtverletzung", "meldeversaeumnis", "arbeitsverweigerung"),
        (0, 1, 2), (False, True), (True, False), (False, True), (False, True), (1, 3),
    ):
        rounds.append({"stichtag": stichtag, "art": art, "fruehereMinderungen": frueher, "wichtigerGrund": grund,
                       "rfbErteilt": rfb, "haerte": haerte, "schlichtungLaeuft": schlichtung,
                       "ersteEinladungZumPlan": False, "meldeversaeumnisseInFolge": folge})
    return rounds


def _prioritaet_inputs() -> list[dict[str, Any]]:
    return [
        {"anfangsphase": anfang, "ausnahme": ausnahme, "ohneVeraenderungsperspektive": ohne,
         "erwerbsminderungPruefung": pruefung, "integrationsnah": nah, "kooperationsbereit": bereit}
        for anfang, ausnahme, ohne, pruefung, nah, bereit in itertools.product(
            (False, True), ("keine", "integriert", "unzumutbar"), (False, True), (False, True), (False, True),
            (True, False))
    ]


def _rate(evaluate: Callable[[Mapping[str, Any]], object], inputs: list[dict[str, Any]], seconds: float) -> float:
    best = 0.0
    for _ in range(3):
        count = 0
        start = time.perf_counter()
        while time.perf_counter() - start < seconds / 3:
            for variables in inputs:
                evaluate(variables)
            count += len(inputs)
        best = max(best, count / (time.perf_counter() - start))
    return round(best)


def _sro(file: str, decision_id: str, inputs: list[dict[str, Any]], seconds: float) -> float:
    path = _TABLES / file
    decisions = dmn.read_decisions(parse_xml(path.read_bytes(), path.name), path.name)
    return _rate(lambda variables: dmn.evaluate(decisions, decision_id, variables), inputs, seconds)


# A sample of the TCK: decision tables, BKMs and invocations, contexts, a loan model, date arithmetic.
_TCK_SAMPLE = ("compliance-level-2/0004-simpletable-U", "compliance-level-2/0009-invocation-arithmetic",
               "compliance-level-3/0004-lending", "compliance-level-3/0014-loan-comparison",
               "compliance-level-3/0020-vacation-days", "compliance-level-3/0034-drg-scopes")


def _tck_folder() -> Path | None:
    candidates = [Path(os.environ["SRO_CONFORMANCE_DIR"])] if os.environ.get("SRO_CONFORMANCE_DIR") else []
    candidates += [PROCESSES.parent.parent / "shared" / "conformance", Path("/work/shared/conformance")]
    return next((candidate / "dmn-tck" for candidate in candidates if (candidate / "dmn-tck").is_dir()), None)


def _tck_sample(seconds: float) -> dict[str, Any]:
    """Decisions per second over every result node of a few TCK models (compiled once, as on deployment)."""
    from engine.conformance.dmn_tck import engine_value
    from engine.conformance.dmn_tck_cases import read_test_file
    from engine.runtime.clock import SystemClock
    from engine.runtime.dmn.drg import Model, read_models

    folder = _tck_folder()
    if folder is None:
        return {"fehlt": "DMN-TCK-Material nicht gefunden (SRO_CONFORMANCE_DIR setzen)"}
    calls: list[tuple[Model, str, dict[str, Any]]] = []
    for name in _TCK_SAMPLE:
        model_folder = folder / name
        roots = {path.name: parse_xml(path.read_bytes(), path.name) for path in sorted(model_folder.glob("*.dmn"))}
        models = read_models(roots, lenient=True)
        for test_path in sorted(model_folder.glob("*-test-*.xml")):
            tests = read_test_file(test_path)
            model = models.get(tests.model)
            if not isinstance(model, Model):
                continue
            for case in tests.cases:
                inputs = {key: engine_value(value) for key, value in case.inputs.items()}
                calls.extend((model, result.name, inputs) for result in case.results if case.kind == "decision")
    clock = SystemClock()

    def evaluate(call: Mapping[str, Any]) -> object:
        model, decision, inputs = call["call"]
        try:
            return model.evaluate(decision, inputs, clock)
        except dmn.DmnError:
            return None
    rate = _rate(evaluate, [{"call": call} for call in calls], seconds)
    return {"modelle": len(_TCK_SAMPLE), "entscheidungen": len(calls), "entscheidungen_pro_sekunde": rate}


def run(quick: bool = False) -> dict[str, Any]:
    seconds = 0.6 if quick else 3.0
    return {
        "entscheidungen_pro_sekunde": {
            "Leistungsminderung": _sro("leistungsminderung.dmn", "Leistungsminderung", _minderung_inputs(), seconds),
            "Prioritaetsgruppe": _sro("prioritaet.dmn", "Prioritaetsgruppe", _prioritaet_inputs(), seconds),
        },
        "dmn_tck_stichprobe": _tck_sample(seconds),
    }


__all__ = ["run"]
