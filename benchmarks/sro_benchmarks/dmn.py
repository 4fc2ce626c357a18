"""DMN evaluation speed: decisions per second for the two SRO decision tables and a sample of the DMN TCK.

Each decision is evaluated with compiled models (read once, as a deployment does) over a fixed round of
inputs; the figure is evaluations per second of wall time, best of a few repetitions.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Mapping
from datetime import date
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


def _tck_sample(seconds: float) -> dict[str, Any]:
    """Decisions per second over the value cases of a few TCK models (if the corpus and the runner are there)."""
    try:
        from engine.conformance.dmn_tck_bench import sample_rate
    except ImportError:
        return {"fehlt": "kein DMN-TCK-Läufer in dieser Version"}
    rates: dict[str, Any] = sample_rate(seconds)
    return rates


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
