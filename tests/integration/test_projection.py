"""Caseload projection: weekly figures from cases driven through the real diagrams, reproducible by seed,
independent of the number of workers, with a checked behaviour file and an SVG chart."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from engine.domain.staff import SESSIONS_PER_WEEK_PER_FTE
from engine.simulation.projection import (
    ProjectionResult,
    as_json,
    load_behaviour,
    run_projection,
    summary_lines,
    write_plot,
)
from engine.simulation.projection.results import Partial, merge
from engine.simulation.yamlfile import ScenarioError
from tests.conftest import SRO_PROCESSES

BEHAVIOUR = SRO_PROCESSES / "scenarios" / "projektion" / "verhalten.yaml"
SMALL = {"cases": 40, "months": 3, "counsellors": 2, "processes": SRO_PROCESSES, "workers": 1}


def _comparable(result: ProjectionResult) -> dict[str, Any]:
    data = as_json(result)
    data.pop("seconds")
    data.pop("worker_cpu_seconds")
    return data


@pytest.fixture(scope="module")
def small() -> ProjectionResult:
    return run_projection(BEHAVIOUR, seed=3, **SMALL)  # type: ignore[arg-type]


def test_weekly_rows_cover_the_months_with_sessions_per_counsellor(small: ProjectionResult) -> None:
    assert small.problems == []
    assert small.start.weekday() == 0
    assert len(small.weeks) == small.summary.weeks == 14  # 03.03. to 03.06.2025, whole weeks
    assert [row.week for row in small.weeks] == list(range(1, 15))
    mondays = [row.monday for row in small.weeks]
    assert all((mondays[n + 1] - mondays[n]).days == 7 for n in range(len(mondays) - 1))
    assert all(list(row.sessions_per_counsellor) == ["ifk-1", "ifk-2"] for row in small.weeks)
    assert small.summary.sessions == sum(row.sessions for row in small.weeks) > 0
    assert all(row.sessions_per_counsellor[name] > 0 for row in small.weeks[:3] for name in ("ifk-1", "ifk-2"))
    assert sum(row.in_person + row.by_phone for row in small.weeks) == small.summary.sessions
    assert small.summary.case_years == 10
    assert small.summary.caseload_per_counsellor == 20
    assert sum(small.summary.types.values()) == 40
    assert small.summary.commands > 40 * 3  # every case took many steps through the diagrams
    assert all(row.without_next_contact >= row.without_next_contact_timer_pending >= 0 for row in small.weeks)
    below = [row.week for row in small.weeks if row.sessions / 2 < SESSIONS_PER_WEEK_PER_FTE]
    assert small.summary.weeks_below_minimum == len(below)
    assert f"Mindestwert {SESSIONS_PER_WEEK_PER_FTE} je VZÄ in {len(below)} von 14 Wochen" in summary_lines(small)[2]
    lines = summary_lines(small)
    assert "Beratungsgespräche je IFK und Woche" in lines[2] and "Falljahre" in lines[0]


def test_weeks_below_minimum_count_weeks_whose_mean_per_counsellor_is_below_the_domain_minimum() -> None:
    minimum = SESSIONS_PER_WEEK_PER_FTE
    held = {0: 2 * minimum - 1, 1: 2 * minimum, 2: 2 * minimum + 3, 3: 0}  # week -> sessions of two counsellors
    partial = Partial(sessions={(week, "ifk-1", "praesenz"): count for week, count in held.items()})
    behaviour = load_behaviour(BEHAVIOUR)
    result = merge(behaviour, [partial], cases=10, months=1, counsellors=["ifk-1", "ifk-2"], seed=1,
                   start=date(2025, 3, 3), weeks=4)
    assert [row.mean_per_counsellor for row in result.weeks] == [minimum - 0.5, minimum, minimum + 1.5, 0]
    assert result.summary.weeks_below_minimum == 2  # weeks 1 and 4; reaching the minimum is not below it
    assert f"Mindestwert {minimum} je VZÄ in 2 von 4 Wochen unterschritten" in summary_lines(result)[2]


def test_same_seed_same_result_other_seed_other_result(small: ProjectionResult) -> None:
    again = run_projection(BEHAVIOUR, seed=3, **SMALL)  # type: ignore[arg-type]
    assert _comparable(again) == _comparable(small)
    other = run_projection(BEHAVIOUR, seed=4, **SMALL)  # type: ignore[arg-type]
    assert _comparable(other)["weeks"] != _comparable(small)["weeks"]


def test_the_result_does_not_depend_on_the_number_of_workers() -> None:
    arguments: dict[str, Any] = {"cases": 12, "months": 2, "counsellors": 3, "seed": 11, "processes": SRO_PROCESSES}
    alone = run_projection(BEHAVIOUR, workers=1, **arguments)
    shared = run_projection(BEHAVIOUR, workers=2, **arguments)  # two spawned processes, each its own database
    assert shared.workers == 2 and len(shared.worker_cpu_seconds) == 2
    assert {**_comparable(shared), "workers": 1} == _comparable(alone)


def test_behaviour_is_carried_through_the_diagrams(tmp_path: Path) -> None:
    """Clients who never turn up: no session is held; the Meldeversäumnis diagram runs, repetition leads to
    a demand without a plan, and with no proof and no good reason the demand ends in a reduction."""
    path = tmp_path / "fernbleiben.yaml"
    path.write_text("""verhalten:
  name: Niemand erscheint
  anlauf_tage: 5
  standard:
    erscheint: 0
    versaeumt_termin: 1
    kooperiert: 0.5
    setzt_schritte_um: 0.5
    nachweis_bei_aufforderung: 0
    wichtiger_grund: 0
    stellungnahme: 0
""", encoding="utf-8")
    result = run_projection(path, cases=6, months=4, counsellors=1, seed=1, processes=SRO_PROCESSES, workers=1)
    assert result.problems == []
    assert result.summary.types == {"standard": 6}
    assert result.summary.sessions == 0
    assert result.summary.missed_appointments >= 12
    assert result.summary.demands > 0
    assert result.summary.reductions_breach > 0
    # every missed appointment leaves the session open beside the Meldeversäumnis path: a next contact stays
    assert result.weeks[-1].without_next_contact == 0


def test_cases_arriving_during_the_run_have_their_first_session_later(tmp_path: Path) -> None:
    path = tmp_path / "zugang.yaml"
    path.write_text(GOOD + "  zugang: {anteil: 1, anstieg: 3}\n", encoding="utf-8")
    result = run_projection(path, cases=8, months=2, counsellors=1, seed=2, processes=SRO_PROCESSES, workers=1)
    assert result.problems == []
    assert result.weeks[0].sessions == 0  # every Erstgespräch is 7 to 14 days after the case arrives
    assert result.summary.sessions > 0 and result.summary.types == {"standard": 8}


def test_example_behaviour_file_is_valid() -> None:
    behaviour = load_behaviour(BEHAVIOUR, plan_terms=("P1M", "P2M", "P3M", "P6M"))
    assert behaviour.ramp_days == 28
    assert [kind.name for kind in behaviour.types] == ["integrationsnah", "kooperationsbereit", "schwierig",
                                                       "erwerbsminderung", "ausnahme"]
    hard = behaviour.types[2]
    assert hard.p("erscheint") == 0.75 and hard.p("wichtiger_grund") == 0.2  # own value, inherited value
    assert behaviour.types[0].integrationsnah and behaviour.types[4].ausnahme == "unzumutbar"


GOOD = """verhalten:
  standard:
    erscheint: 0.9
    versaeumt_termin: 0.5
    kooperiert: 0.8
    setzt_schritte_um: 0.8
    nachweis_bei_aufforderung: 0.7
    wichtiger_grund: 0.2
"""


@pytest.mark.parametrize(("text", "line", "words"), [
    (GOOD.replace("erscheint: 0.9", "erscheint: 1.5"), 3, "»erscheint« ist eine Wahrscheinlichkeit"),
    (GOOD.replace("    wichtiger_grund: 0.2\n", ""), 2, "fehlt »wichtiger_grund«"),
    (GOOD + "    erscheinen: 0.5\n", 9, "Unbekannter Eintrag »erscheinen«"),
    (GOOD + "    planlaufzeit: {P3M: 1, P4M: 1}\n", 9, "»P4M« bietet das Formular"),
    (GOOD + "    schritte_je_plan: {1: 2, 30: 1}\n", 9, "erlaubt sind 1 bis 20"),
    (GOOD + "    ohne_plan: {kein_plan: -1}\n", 9, "Gewicht von »kein_plan«"),
    (GOOD + "    merkmale:\n      ausnahme: manchmal\n", 10, "»ausnahme« ist eines von"),
    (GOOD + "  typen:\n    schwierig:\n      erscheint: 0.5\n", 10, "braucht einen »anteil«"),
    (GOOD + "  typen:\n    schwierig:\n      anteil: 1\n      kooperiert: ja\n", 12, "»kooperiert« ist eine"),
    (GOOD + "  beginn: im Frühjahr\n", 9, "»beginn« muss ein Datum sein"),
    (GOOD + "  anlauf_tage: 0\n", 9, "»anlauf_tage« ist eine ganze Zahl"),
    (GOOD + "  zugang: {anteil: 2}\n", 9, "»anteil« ist eine Wahrscheinlichkeit"),
    (GOOD + "  zugang:\n    anteil: 0.5\n    anstieg: 0\n", 11, "»anstieg« ist eine Zahl von 1 bis 100"),
    (GOOD + "  texte: {ziele: []}\n", 9, "»ziele« ist eine Liste von Texten"),
    (GOOD + "  texte:\n    titel: [Herr]\n", 10, "Unbekannter Eintrag »titel«"),
    (GOOD.replace("verhalten:", "projektion:"), 1, "obersten Eintrag »verhalten:«"),
    (GOOD + "    erscheint: [0.5\n", 10, "kein gültiges YAML"),
])
def test_malformed_behaviour_file_names_file_and_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    path = tmp_path / "verhalten.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_behaviour(path, plan_terms=("P1M", "P2M", "P3M", "P6M"))
    assert str(caught.value).startswith(f"{path}:{line}: "), str(caught.value)
    assert words in str(caught.value)


def test_run_refuses_a_malformed_file_before_simulating(tmp_path: Path) -> None:
    path = tmp_path / "verhalten.yaml"
    path.write_text(GOOD + "    planlaufzeit: {P5M: 1}\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r":9: Die Laufzeit »P5M« bietet das Formular"):
        run_projection(path, cases=2, months=1, counsellors=1, seed=1, processes=SRO_PROCESSES, workers=1)


def test_plot_is_well_formed_svg(small: ProjectionResult, tmp_path: Path) -> None:
    path = tmp_path / "projektion.svg"
    write_plot(small, path)
    root = ElementTree.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = [element.text or "" for element in root.iter("{http://www.w3.org/2000/svg}text")]
    assert any("Beratungsgespräche je IFK und Woche" in text for text in texts)
    assert any(f"{SESSIONS_PER_WEEK_PER_FTE} je VZÄ" in text for text in texts)
    assert len(list(root.iter("{http://www.w3.org/2000/svg}polyline"))) == 2  # mean per IFK, without contact
    title = root.find("{http://www.w3.org/2000/svg}title")
    assert title is not None and "Gemischter Fallbestand" in (title.text or "")
