"""The runner on small scenarios of the format of issue 9, on the one-pass test cycle (tests/fixtures/engine), whose
model stays as it is: workplace steps through the workplace commands, refusals with nothing changed, and failing
expectations that say what the case does instead."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from engine.runtime.clock import BERLIN, SimulatedClock
from engine.runtime.errors import FormError
from engine.simulation import refusal, workday
from engine.simulation.runner import ScenarioResult, Simulator
from tests.conftest import PROCESSES

HEAD = "szenario: Test\nbeginn: 2025-03-03\nschritte:\n"  # Monday 3 March 2025, 08:00; steps from line 4
PLAN = """\
  - erledige: Beratungsgespräch führen
    mit: {gespraechsart: praesenz, planVereinbart: true, schrittBeschreibung: Bewerbung, schrittFaellig: heute+10,
          naechsterKontakt: folgetermin, naechsterKontaktAm: heute+7}
"""  # lines 4-6: the plan runs, the process waits for the step's date; a Folgetermin on 10 March at 08:00


@pytest.fixture(scope="module")
def simulator() -> Iterator[Simulator]:
    result = Simulator(PROCESSES)
    yield result
    result.close()


def run(simulator: Simulator, tmp_path: Path, steps: str) -> ScenarioResult:
    path = tmp_path / "test.yaml"
    path.write_text(HEAD + steps, encoding="utf-8")
    return simulator.run(simulator.load(path), snapshot=True)


def failures(simulator: Simulator, tmp_path: Path, steps: str) -> list[str]:
    result = run(simulator, tmp_path, steps)
    assert not result.ok
    prefix = f"{tmp_path / 'test.yaml'}:"
    assert all(failure.startswith(prefix) for failure in result.failures)
    return [failure.removeprefix(prefix) for failure in result.failures]


def test_a_missed_appointment_is_heard_while_the_session_task_is_open(simulator: Simulator, tmp_path: Path) -> None:
    result = run(simulator, tmp_path, """\
  - termin: {am: heute, um: "10:00", art: praesenz, zweck: Beratung, rfb: ja}
  - erwarte:
      termine: [{am: heute, um: "10:00", status: geplant, art: praesenz, rfb: ja, zweck: Beratung, ifk: qa}]
      aufgaben: {Beratungsgespräch führen: {wiedervorlage: heute, faellig: heute+14}}
      eingang: {ifk: qa, enthaelt: [Beratungsgespräch führen], aufgaben: 1, termine_heute: 1, wiedervorlagen: 0}
  - termin_versaeumt: {am: heute}
  - erwarte:
      wartet_genau: [Aufforderung mit Rechtsfolgenbelehrung erstellen]
      durchlaufen: [Termin versäumt]
      nie_durchlaufen: [Beratungsgespräch führen]
      termine: [{am: heute, um: "10:00", status: versaeumt}]
      eingang: {ifk: qa, termine_heute: 0}
""")
    assert result.ok, result.failures
    assert result.snapshot is not None  # the clock moved on to the end of the appointment before it was recorded
    assert result.snapshot.now == datetime(2025, 3, 3, 10, 45, tzinfo=BERLIN)


def test_elsewhere_the_missed_appointment_gets_the_process_refusal_and_nothing_changes(simulator: Simulator,
                                                                                       tmp_path: Path) -> None:
    steps = PLAN + """\
  - warte: P7D
  - termin_versaeumt: {am: heute}
    abgelehnt: wartet gerade nicht auf die Nachricht »Meldeversaeumnis«.
  - erwarte:
      wartet_genau: [Schritt fällig]
      termine: [{am: heute, um: "08:00", status: geplant}]
"""
    result = run(simulator, tmp_path, steps)
    assert result.ok, result.failures
    [failure] = failures(simulator, tmp_path, steps.replace("    abgelehnt: wartet gerade nicht auf die Nachricht "
                                                            "»Meldeversaeumnis«.\n", ""))
    assert failure.startswith("8: Der Fall 1 wartet gerade nicht auf die Nachricht »Meldeversaeumnis«.\n"
                              "    zuletzt durchlaufen: ")  # the scenario stops there: the expectation is not reached


def test_held_cancelled_follow_up_done_contact_and_incoming_event(simulator: Simulator, tmp_path: Path) -> None:
    result = run(simulator, tmp_path, PLAN + """\
  - termin: {am: heute+1, zweck: Rückfrage, art: telefon}
  - termin_absagen: {am: heute+1, von: elb}
  - wiedervorlage: {am: heute, grund: Unterlagen prüfen}
  - kontakt: {art: brief, notiz: Einladung verschickt}
  - erwarte:
      eingang: {ifk: qa, aufgaben: 0, wiedervorlagen: 1, termine_heute: 0}
  - wiedervorlage_erledigt:
  - warte: P7D
  - termin_wahrgenommen:
      gespraechsart: praesenz
      notiz: Stand besprochen
      naechsterKontakt: wiedervorlage
      naechsterKontaktAm: heute+14
  - ereignis: NachweisEingegangen
    abgelehnt: wartet gerade nicht auf die Nachricht »NachweisEingegangen«
  - erwarte:
      wartet_genau: [Schritt fällig]
      termine:
        - {am: heute-6, um: "08:00", status: abgesagt, art: telefon}
        - {am: heute, um: "08:00", status: wahrgenommen, art: praesenz}
      wiedervorlagen:
        - {am: heute-7, grund: Unterlagen, erledigt: ja, fuer: qa}
        - {am: heute+14, grund: Gespräch vom 10.03.2025, erledigt: nein}
      kontakte: [{art: brief, notiz: Einladung}]
""")
    assert result.ok, result.failures


def test_handover_closing_and_reopening_move_the_inbox(simulator: Simulator, tmp_path: Path) -> None:
    result = run(simulator, tmp_path, """\
  - wiedervorlage: {am: heute, grund: Nachfragen}
  - uebergabe: {an: vertretung, grund: Urlaub}
  - erwarte:
      ifk: vertretung
      eingang: {ifk: vertretung, enthaelt: [Beratungsgespräch führen], aufgaben: 1, wiedervorlagen: 1}
  - erwarte:
      eingang: {ifk: qa, enthaelt_nicht: [Beratungsgespräch führen], aufgaben: 0, wiedervorlagen: 0}
  - schliessen: {grund: verzogen}
  - erwarte:
      fallstatus: beendet
      wartet_genau: []
      offene_aufgaben: 0
      wiedervorlagen: [{am: heute, erledigt: ja, fuer: vertretung}]
      eingang: {ifk: vertretung, aufgaben: 0, wiedervorlagen: 0}
  - wiedereroeffnen:
  - erwarte: {fallstatus: aktiv, ifk: vertretung, wartet_genau: [Beratungsgespräch führen]}
""")
    assert result.ok, result.failures


@pytest.mark.parametrize(("step", "failure"), [
    ("  - wiedervorlage: {am: heute+7, grund: Unterlagen}\n    abgelehnt: Vergangenheit\n",
     "5: Erwartet war die Ablehnung »Vergangenheit«, aber der Schritt wurde ausgeführt; der Fall wartet jetzt an: "
     "Beratungsgespräch führen."),
    ("  - wiedervorlage: {am: heute-1, grund: Unterlagen}\n    abgelehnt: höchstens ein Jahr\n",
     "5: Abgelehnt wurde mit »Die Eingaben sind nicht gültig: wiedervorlageAm: Die Wiedervorlage darf nicht in der "
     "Vergangenheit liegen.«; erwartet war eine Meldung mit »höchstens ein Jahr«."),
    ("  - wiedervorlage: {am: heute-1, grund: Unterlagen}\n    abgelehnt: {grund: Bitte}\n",
     "5: Erwartet war eine Meldung zum Feld »grund«; abgelehnt wurde mit »Die Eingaben sind nicht gültig: "
     "wiedervorlageAm: Die Wiedervorlage darf nicht in der Vergangenheit liegen.«."),
    ("  - wiedervorlage: {am: heute-1, grund: Unterlagen}\n    abgelehnt: {wiedervorlageAm: höchstens}\n",
     "5: Zum Feld »wiedervorlageAm« kam »Die Wiedervorlage darf nicht in der Vergangenheit liegen.«; erwartet war "
     "»höchstens«."),
    ("  - nachricht: Meldeversaeumnis\n    abgelehnt: {terminAm: Zukunft}\n",
     "5: Erwartet war die Ablehnung »terminAm: Zukunft«, aber der Schritt wurde ausgeführt; der Fall wartet jetzt an: "
     "Aufforderung mit Rechtsfolgenbelehrung erstellen."),
], ids=["accepted", "other-message", "no-field-message", "other-field-message", "message-accepted"])
def test_a_refusal_that_does_not_come_as_expected_fails_the_step(simulator: Simulator, tmp_path: Path, step: str,
                                                                 failure: str) -> None:
    [found] = failures(simulator, tmp_path, "  - warte: P1D\n" + step + "  - erwarte: {offene_aufgaben: 5}\n")
    assert found.split("\n")[0] == failure


def test_a_refused_step_that_changed_something_fails(simulator: Simulator, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    def leaky(office: workday.Office, clock: SimulatedClock, case_id: int, kind: str, data: dict[str, Any]) -> None:
        office.agenda.record_contact(office.member("qa"), case_id, kind="email", note="trotzdem gespeichert")
        raise FormError({"art": "Ungültige Auswahl."})

    monkeypatch.setattr(workday, "run", leaky)
    [found] = failures(simulator, tmp_path, "  - kontakt: {art: fax}\n    abgelehnt: {art: Ungültige Auswahl}\n")
    assert found.split("\n")[0] == "4: Abgelehnt, aber verändert: 1 neue Kontakte."


def test_changes_between_two_states_are_described_in_german() -> None:
    when = datetime(2025, 3, 10, 8, 0, tzinfo=BERLIN)
    before = refusal.CaseState(frozenset({"Task_A"}), ("t1",), 3, {"modus": "x"}, "aktiv", "qa",
                               ((1, when, "geplant", "qa"),), (), 0)
    after = refusal.CaseState(frozenset({"Task_B"}), ("t2",), 5, {"modus": "y"}, "beendet", "qa",
                              ((1, when, "abgesagt", "qa"),), ((2, when.date(), False, "qa"),), 1)
    assert refusal.changes(before, before, {}) == []
    assert refusal.changes(before, after, {"A": ("Task_A",)}) == [
        "der Fall wartet jetzt an Task_B (vorher an A)", "2 neue Elemente im Verlauf",
        "die Falldaten haben sich geändert (modus)", "der Fall ist jetzt beendet bei qa (vorher aktiv bei qa)",
        "Termine geändert: 10.03.2025 08:00 abgesagt", "Wiedervorlagen geändert: 10.03.2025", "1 neue Kontakte"]


def test_failing_expectations_say_what_the_case_does(simulator: Simulator, tmp_path: Path) -> None:
    found = failures(simulator, tmp_path, """\
  - termin: {am: heute, um: "09:30", zweck: Rückfrage}
  - erwarte:
      wartet_genau: [Schritt prüfen]
      wartet_nicht: [Beratungsgespräch führen]
      nie_durchlaufen: [Zyklus beginnt]
      offene_aufgaben: 2
      aufgaben: {Beratungsgespräch führen: {faellig: heute+7, wiedervorlage: null}, Schritt prüfen: {faellig: heute}}
  - erwarte:
      fallstatus: beendet
      ifk: vertretung
      termine: [{am: heute, um: "10:00"}]
      wiedervorlagen: [{am: heute}]
      kontakte: [{art: brief}]
  - erwarte:
      eingang: {ifk: qa, enthaelt: [Schritt prüfen], enthaelt_nicht: [Beratungsgespräch führen], aufgaben: 0,
                wiedervorlagen: 1, termine_heute: 2}
  - erwarte:
      wartet_genau: []
""")
    assert found == [
        "5: wartet nicht genau an: Schritt prüfen; wartet an: Beratungsgespräch führen; "
        "wartet an »Beratungsgespräch führen«, sollte es aber nicht; "
        "»Zyklus beginnt« wurde durchlaufen, sollte es aber nie; "
        "offene Aufgaben: erwartet 2, tatsächlich 1 (Beratungsgespräch führen); "
        "»Beratungsgespräch führen« faellig: erwartet 10.03.2025, tatsächlich 17.03.2025; "
        "»Beratungsgespräch führen« wiedervorlage: erwartet –, tatsächlich 03.03.2025; "
        "die Aufgabe »Schritt prüfen« ist nicht offen; offen sind: Beratungsgespräch führen",
        "11: fallstatus: erwartet beendet, tatsächlich aktiv; ifk: erwartet vertretung, tatsächlich qa; "
        "termine: erwartet {am: 03.03.2025, um: 10:00}; tatsächlich: 03.03.2025 09:30 praesenz geplant; "
        "wiedervorlagen: erwartet {am: 03.03.2025}; tatsächlich: keine; "
        "kontakte: erwartet {art: brief}; tatsächlich: keine",
        "17: im Eingang von qa fehlt »Schritt prüfen«; dort steht: Beratungsgespräch führen; "
        "im Eingang von qa steht »Beratungsgespräch führen«, sollte es aber nicht; "
        "Eingang von qa, aufgaben: erwartet 0, tatsächlich 1 (Beratungsgespräch führen); "
        "Eingang von qa, wiedervorlagen: erwartet 1, tatsächlich 0; "
        "Eingang von qa, termine_heute: erwartet 2, tatsächlich 1 (03.03.2025 09:30 praesenz geplant)",
        "20: wartet nicht genau an: nichts; wartet an: Beratungsgespräch führen",
    ]


def test_a_step_that_does_not_fit_the_case_says_why(simulator: Simulator, tmp_path: Path) -> None:
    [missed] = failures(simulator, tmp_path, "  - termin: {am: heute+2, um: '11:00', zweck: x}\n"
                                             "  - termin_versaeumt: {am: heute+1}\n")
    assert missed.split("\n")[0] == ("5: Am 04.03.2025 hat der Fall keinen geplanten Termin; Termine des Falls: "
                                     "05.03.2025 11:00 praesenz geplant.")
    [done] = failures(simulator, tmp_path, "  - wiedervorlage_erledigt: {am: heute}\n")
    assert done.split("\n")[0] == "4: Am 03.03.2025 ist für den Fall keine Wiedervorlage offen."
