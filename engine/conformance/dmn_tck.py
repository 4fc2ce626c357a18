"""`sro conformance dmn-tck PATH`: the DMN TCK as published, run against the engine's DMN reader.

Reads `PATH/compliance-level-2` and `PATH/compliance-level-3` (one folder per model: the `.dmn`
files and `*-test-*.xml`), runs every test case and prints per level the models, the test cases
passed and the most frequent reasons for failure. A test case passes when every result node matches;
a model the engine refuses fails all its test cases with the refusal as the reason.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from engine.conformance.dmn_tck_cases import Case, Result, Temporal, TestFile, read_test_file, same
from engine.runtime.clock import SystemClock
from engine.runtime.dmn.drg import Model, read_models
from engine.runtime.errors import DmnError
from engine.runtime.feel.standard import temporal
from engine.runtime.xmlsafe import parse_xml

LEVELS = ("compliance-level-2", "compliance-level-3")
_CLOCK = SystemClock()  # the TCK's now() and today() compare with the real time


@dataclass
class LevelReport:
    level: str
    models: int = 0
    models_refused: int = 0
    cases: int = 0
    passed: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    failures: list[dict[str, str]] = field(default_factory=list)

    @property
    def percent(self) -> float:
        return round(100 * self.passed / self.cases, 1) if self.cases else 0.0

    def as_json(self) -> dict[str, Any]:
        return {"stufe": self.level, "modelle": self.models, "modelle_abgelehnt": self.models_refused,
                "testfaelle": self.cases, "bestanden": self.passed, "prozent": self.percent,
                "gruende": dict(self.reasons.most_common()), "fehlschlaege": self.failures}


def _general(reason: str) -> str:
    """A reason with the names and places taken out, so that alike failures group together."""
    text = re.sub(r"^[^:]*\.dmn:\d+: ", "", reason)
    text = re.sub(r"»[^«]*«", "»…«", text)
    text = re.sub(r"'[^']*'", "'…'", text)
    text = re.sub(r"\d+", "n", text)
    return text[:140]


def engine_value(value: Any) -> Any:
    if isinstance(value, Temporal):
        converted = temporal.from_text(value.text)
        return converted if converted is not None else value.text
    if isinstance(value, list):
        return [engine_value(item) for item in value]
    if isinstance(value, dict):
        return {key: engine_value(item) for key, item in value.items()}
    return value


def _outcome(model: Model, case: Case, result: Result) -> str | None:
    """None if the result node matches, else the reason it does not."""
    inputs = {name: engine_value(value) for name, value in case.inputs.items()}
    try:
        if case.kind == "decisionService" and case.invocable:
            value = model.invoke(case.invocable, inputs, _CLOCK)
            if isinstance(value, dict) and result.name in value:
                value = value[result.name]
        else:
            value = model.evaluate(result.name, inputs, _CLOCK)
    except DmnError as error:
        if result.error:
            return None
        return f"Fehler: {_general(error.args[0] if error.args else str(error))}"
    if result.error and value is None:
        return None
    if same(value, engine_value(result.expected)):
        return None
    if value is None:
        return "Falsches Ergebnis: null statt eines Werts"
    return "Falsches Ergebnis: anderer Wert"


def run_level(folder: Path, limit_failures: int = 2000) -> LevelReport:
    report = LevelReport(folder.name)
    for model_folder in sorted(path for path in folder.iterdir() if path.is_dir()):
        test_files = sorted(model_folder.glob("*-test-*.xml"))
        if not test_files:
            continue
        report.models += 1
        roots = {}
        refusals: dict[str, str] = {}
        for dmn_file in sorted(model_folder.glob("*.dmn")):
            try:
                roots[dmn_file.name] = parse_xml(dmn_file.read_bytes(), dmn_file.name)
            except Exception as error:  # an unreadable file is that model's refusal, not the runner's end
                refusals[dmn_file.name] = str(error)
        models = read_models(roots, lenient=True)
        refused = False
        for test_path in test_files:
            tests: TestFile = read_test_file(test_path)
            model = models.get(tests.model)
            refusal: str | None = refusals.get(tests.model) or (None if model is not None else "Modelldatei fehlt")
            if isinstance(model, DmnError):
                refusal = str(model.args[0] if model.args else model)
            if refusal is not None:
                refused = True
            for case in tests.cases:
                report.cases += 1
                reason: str | None
                if refusal is not None or not isinstance(model, Model):
                    reason = f"Modell abgelehnt: {_general(refusal or '')}"
                else:
                    reason = next((outcome for outcome in (_outcome(model, case, result) for result in case.results)
                                   if outcome is not None), None)
                if reason is None:
                    report.passed += 1
                    continue
                report.reasons[reason] += 1
                if len(report.failures) < limit_failures:
                    report.failures.append({"modell": model_folder.name, "testfall": case.id,
                                            "grund": reason if refusal is None else str(refusal)[:300]})
        report.models_refused += refused
    return report


def run(path: Path) -> list[LevelReport]:
    """Every level found under PATH, in order; raises FileNotFoundError if neither level is there."""
    folders = [path / level for level in LEVELS if (path / level).is_dir()]
    if not folders:
        raise FileNotFoundError(f"Unter {path} liegen weder {LEVELS[0]} noch {LEVELS[1]}.")
    return [run_level(folder) for folder in folders]


def summary(reports: list[LevelReport], top: int = 8) -> str:
    lines = []
    for report in reports:
        lines.append(f"{report.level}: {report.models} Modelle ({report.models_refused} abgelehnt), "
                     f"{report.passed} von {report.cases} Testfällen bestanden ({report.percent:.1f} %)")
        for reason, count in report.reasons.most_common(top):
            lines.append(f"  {count:5d}  {reason}")
    return "\n".join(lines)


@click.command("dmn-tck")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--json", "json_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Ergebnis (je Stufe, mit allen Fehlschlägen) zusätzlich als JSON in diese Datei schreiben.")
@click.option("--top", default=8, show_default=True, help="So viele häufigste Gründe je Stufe zeigen.")
def command(path: Path, json_file: Path | None, top: int) -> None:
    """DMN-TCK (Stufen 2 und 3) wie veröffentlicht ausführen: bestandene Testfälle und häufigste Gründe."""
    try:
        reports = run(path)
    except FileNotFoundError as error:
        raise click.ClickException(str(error)) from None
    click.echo(summary(reports, top))
    if json_file is not None:
        json_file.write_text(json.dumps([report.as_json() for report in reports], indent=2, ensure_ascii=False),
                             encoding="utf-8")
        click.echo(f"JSON geschrieben: {json_file}")
