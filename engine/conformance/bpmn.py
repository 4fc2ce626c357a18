"""`sro conformance bpmn PATH`: Camunda 7's own engine-test diagrams, run or refused, never silently wrong.

PATH is the folder `camunda7-engine-tests` as published (its `FILES.txt` lists the diagrams); each
file is linted and deployed as it is, together with the files that define the processes it calls
(as the Camunda test deploys them), then driven by `bpmn_drive.py`.

What counts as "run as Camunda runs it" (`wie_camunda`): the Java test of the same name in Camunda's
repository (camunda/camunda-bpm-platform at 3dd653fe66d352d15009a6b4b355e81bf683d319,
engine/src/test/java/org/camunda/bpm/engine/test/...) says what the engine does with the diagram.
Reading all 655 tests by hand was not done; the decision taken, pragmatic and stated here:
- an accepted diagram whose every instance ends (``beendet``) under the driver counts as run as
  Camunda runs it: the driver only does what a test does (start, complete tasks, correlate messages,
  send signals, move the clock to the due jobs), and almost every test drives its instance to its end;
- where the driver needs what the test knows, `bpmn_expectations.py` records it, read from the Java
  test (about 60 files, chosen among those that failed or waited): the variables the test starts with
  or completes tasks with, an error the test expects (then a loud error of this engine counts, e.g.
  no outgoing flow selectable), or the elements the test leaves the instance waiting at;
- a refusal counts only where the test expects Camunda itself to refuse the deployment (a
  ParseException: the parameterised parse tests, `...Fails`, `...NotAllowed`, `...Disallowed`);
  silent and all other failed or waiting outcomes never count.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

import click

from engine.conformance.bpmn_drive import (
    COMPLETED,
    FAILED,
    REFUSED,
    SILENT,
    WAITING,
    Corpus,
    Outcome,
    examine,
    reason_key,
)
from engine.conformance.bpmn_expectations import expectation_for

STATUS_LABELS = {COMPLETED: "beendet", WAITING: "wartend", REFUSED: "abgelehnt", FAILED: "Fehler", SILENT: "STILL"}


def as_expected(outcome: Outcome) -> bool:
    expected = expectation_for(outcome.file)
    if expected.refused:
        return outcome.status == REFUSED
    if expected.error:
        return outcome.status == FAILED
    if outcome.status == COMPLETED:
        return not expected.waits_at
    return outcome.status == WAITING and bool(expected.waits_at) and set(outcome.waits_at) <= expected.waits_at


def run(root: Path) -> list[Outcome]:
    """Every file of FILES.txt under `root`, in the listed order."""
    corpus = Corpus(root)
    return [_examined(corpus, name) for name in corpus.files]


def _examined(corpus: Corpus, name: str) -> Outcome:
    try:
        return examine(corpus, name, expectation_for(name))
    except Exception as error:  # a crash of lint or deployment itself: loud, counted, and the sweep goes on
        return Outcome(name, FAILED, None, f"Absturz beim Prüfen oder Bereitstellen: {type(error).__name__}: {error}")


def summary(outcomes: list[Outcome]) -> dict[str, Any]:
    def counts(group: list[Outcome]) -> dict[str, int]:
        statuses = Counter(outcome.status for outcome in group)
        return {"dateien": len(group), "angenommen": len(group) - statuses[REFUSED], "beendet": statuses[COMPLETED],
                "wartend": statuses[WAITING], "abgelehnt": statuses[REFUSED], "fehler": statuses[FAILED],
                "still": statuses[SILENT], "wie_camunda": sum(as_expected(o) for o in group),
                "ablehnung_ohne_element": sum(1 for o in group if o.status == REFUSED
                                              and any(not f.element_id for f in o.findings))}

    features: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        features.setdefault(outcome.feature, []).append(outcome)
    reasons = Counter(reason_key(o.reason) for o in outcomes if o.status == REFUSED)
    failures = Counter(reason_key(o.reason) for o in outcomes if o.status == FAILED)
    return {"gesamt": counts(outcomes),
            "je_bereich": {name: counts(group) for name, group in sorted(features.items())},
            "ablehnungsgruende": reasons.most_common(), "fehlergruende": failures.most_common()}


def _print(result: dict[str, Any], top: int) -> None:
    header = f"{'Bereich':34} {'Dateien':>7} {'angen.':>6} {'beendet':>7} {'wartend':>7} {'abgel.':>6} " \
             f"{'Fehler':>6} {'STILL':>5} {'wie C.':>6}"
    click.echo(header)
    rows = [*result["je_bereich"].items(), ("GESAMT", result["gesamt"])]
    for name, c in rows:
        click.echo(f"{name:34} {c['dateien']:7} {c['angenommen']:6} {c['beendet']:7} {c['wartend']:7} "
                   f"{c['abgelehnt']:6} {c['fehler']:6} {c['still']:5} {c['wie_camunda']:6}")
    click.echo(f"\nHäufigste Ablehnungsgründe (von {result['gesamt']['abgelehnt']}):")
    for reason, count in result["ablehnungsgruende"][:top]:
        click.echo(f"{count:5}  {reason}")
    if result["fehlergruende"]:
        click.echo(f"\nHäufigste Laufzeitfehler (von {result['gesamt']['fehler']}):")
        for reason, count in result["fehlergruende"][:top]:
            click.echo(f"{count:5}  {reason}")


@click.command("bpmn")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--json", "json_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Ergebnis je Datei und Zusammenfassung als JSON in diese Datei schreiben.")
@click.option("--top", default=15, show_default=True, help="So viele häufigste Gründe anzeigen.")
@click.option("--show", "show", default=None, help="Nur Dateien mit diesem Ergebnis einzeln auflisten "
                                                    "(beendet, wartend, abgelehnt, fehler, still).")
def command(path: Path, json_file: Path | None, top: int, show: str | None) -> None:
    """Camunda-7-Testdiagramme (Ordner mit FILES.txt) ausführen oder begründet ablehnen lassen."""
    if not (path / "FILES.txt").is_file():
        raise click.ClickException(f"Im Ordner {path} liegt keine FILES.txt (die Liste der Diagramme).")
    started = time.perf_counter()
    outcomes = run(path)
    result = summary(outcomes)
    if show:
        for outcome in outcomes:
            if outcome.status == show:
                click.echo(f"{outcome.file} [{outcome.element_id}] {outcome.reason} {' '.join(outcome.waits_at)}")
    _print(result, top)
    click.echo(f"\n{len(outcomes)} Dateien in {time.perf_counter() - started:.1f} s.")
    if json_file is not None:
        json_file.write_text(json.dumps({**result, "dateien": [o.to_json() for o in outcomes]}, ensure_ascii=False,
                                        indent=1), encoding="utf-8")
    if result["gesamt"]["still"] or result["gesamt"]["ablehnung_ohne_element"]:
        raise SystemExit(1)
