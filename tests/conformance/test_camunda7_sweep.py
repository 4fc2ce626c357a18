"""The Camunda 7 engine-test diagrams, as published: run as Camunda runs them or refused, never silent.

The corpus lies outside the repository (`../shared/conformance/`, README there); the floors in
`bpmn_floor.json` only rise: raise them when the engine gets better, never lower them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from engine.conformance.bpmn import run, summary
from engine.conformance.bpmn_drive import REFUSED, SILENT

ROOT = Path(__file__).resolve().parents[2]
FLOOR = Path(__file__).with_name("bpmn_floor.json")


def corpus_dirs() -> list[Path]:
    configured = os.environ.get("SRO_CONFORMANCE_DIR")
    places = [Path(configured)] if configured else []
    return [*places, ROOT.parent / "shared" / "conformance", Path("/work/shared/conformance")]


def corpus() -> Path:
    for place in corpus_dirs():
        if (place / "camunda7-engine-tests" / "FILES.txt").is_file():
            return place / "camunda7-engine-tests"
    looked = ", ".join(str(place) for place in corpus_dirs())
    pytest.fail(f"Die Camunda-7-Testdiagramme (camunda7-engine-tests/FILES.txt) wurden nicht gefunden; "
                f"gesucht in: {looked}. Bitte SRO_CONFORMANCE_DIR auf den Ordner conformance setzen.")


def test_every_diagram_runs_as_camunda_runs_it_or_is_refused_with_an_element() -> None:
    outcomes = run(corpus())
    assert len(outcomes) == 655
    silent = [f"{o.file} [{o.element_id}]: {o.reason}" for o in outcomes if o.status == SILENT]
    assert silent == []
    nameless = [f"{o.file}: {f.message}" for o in outcomes if o.status == REFUSED for f in o.findings
                if not f.element_id]
    assert nameless == []
    # every refusal is a German sentence: none falls back to the library's own English text
    untranslated = [f"{o.file}: {f.message}" for o in outcomes if o.status == REFUSED for f in o.findings
                    if "SpiffWorkflow meldet" in f.message]
    assert untranslated == []
    totals = summary(outcomes)["gesamt"]
    floor = json.loads(FLOOR.read_text(encoding="utf-8"))
    below = {key: (totals[key], minimum) for key, minimum in floor.items() if totals[key] < minimum}
    assert below == {}, f"unter dem Boden (gemessen, Boden): {below}"
