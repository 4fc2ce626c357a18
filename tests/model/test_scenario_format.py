"""The scenario format of issue 9 as the loader reads it: each new key, and each mistake as `file:line: German
sentence` (unknown names with the closest known one). No database: the names come from the shipped diagrams."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from engine.runtime.lint import load_files
from engine.simulation.reading import Names
from engine.simulation.runner import names
from engine.simulation.scenario import Scenario, load
from engine.simulation.yamlfile import ScenarioError
from tests.conftest import SRO_PROCESSES

HEAD = "szenario: Format\nbeginn: 2025-03-03\nschritte:\n"  # the steps start on line 4


@pytest.fixture(scope="module")
def known() -> tuple[Names, Names]:
    documents, findings = load_files([SRO_PROCESSES])
    assert not findings
    return names(documents)


def read(known: tuple[Names, Names], tmp_path: Path, steps: str) -> Scenario:
    path = tmp_path / "format.yaml"
    path.write_text(HEAD + steps, encoding="utf-8")
    return load(path, *known)


def refused(known: tuple[Names, Names], tmp_path: Path, steps: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        read(known, tmp_path, steps)
    error = caught.value
    assert str(error) == f"{tmp_path / 'format.yaml'}:{error.line}: {error.message}"
    return error


# ---------------------------------------------------------------- what the new keys read as


def test_workplace_steps_keep_their_inputs(known: tuple[Names, Names], tmp_path: Path) -> None:
    scenario = read(known, tmp_path, """\
  - termin: {am: heute+7, um: 10:30, art: telefon, zweck: Rückfrage, rfb: ja}
  - termin: {am: 2025-03-10, um: "08:00", zweck: Erstgespräch}
  - termin_versaeumt:
  - termin_wahrgenommen: {gespraechsart: telefon, notiz: Stand, naechsterKontakt: wiedervorlage,
                          naechsterKontaktAm: heute+14}
  - termin_absagen: {am: heute+7, um: "10:30", von: elb}
  - wiedervorlage: {am: heute+14, grund: Unterlagen prüfen}
  - wiedervorlage_erledigt: {am: heute}
  - kontakt: {art: email, notiz: Unterlagen erhalten}
  - ereignis: NachweisEingegangen
  - uebergabe: {an: vertretung, grund: Urlaub}
  - schliessen: {grund: integriert}
  - wiedereroeffnen:
""")
    assert [(step.kind, step.line) for step in scenario.steps][:3] == [("termin", 4), ("termin", 5),
                                                                      ("termin_versaeumt", 6)]
    first, second, missed, held, cancel, follow_up, done, contact, event, handover, close, reopen = scenario.steps
    # an unquoted 10:30 is the number 630 to YAML 1.1 (base 60); it is read back as the time
    assert dict(first.data) == {"am": "heute+7", "um": time(10, 30), "art": "telefon", "zweck": "Rückfrage",
                                "rfb": True}
    assert dict(second.data) == {"am": date(2025, 3, 10), "um": time(8, 0), "zweck": "Erstgespräch"}
    assert dict(missed.data) == {} and dict(reopen.data) == {} and dict(done.data) == {"am": "heute"}
    assert dict(held.data) == {"gespraechsart": "telefon", "notiz": "Stand", "naechsterKontakt": "wiedervorlage",
                               "naechsterKontaktAm": "heute+14"}
    assert dict(cancel.data) == {"am": "heute+7", "um": time(10, 30), "von": "elb"}
    assert dict(follow_up.data) == {"am": "heute+14", "grund": "Unterlagen prüfen"}
    assert dict(contact.data) == {"art": "email", "notiz": "Unterlagen erhalten"}
    assert dict(event.data) == {"ereignis": "NachweisEingegangen"}
    assert dict(handover.data) == {"an": "vertretung", "grund": "Urlaub"}
    assert dict(close.data) == {"grund": "integriert"}
    assert all(step.refusal is None for step in scenario.steps)


def test_a_refusal_names_the_message_or_a_field_and_relaxes_the_inputs(known: tuple[Names, Names],
                                                                       tmp_path: Path) -> None:
    scenario = read(known, tmp_path, """\
  - erledige: Erstgespräch in Präsenz führen
    mit: {naechsterKontaktAm: heute-1}
    abgelehnt: {naechsterKontaktAm: "darf nicht in der Vergangenheit liegen"}
  - nachricht: NachweisEingegangen
    abgelehnt: wartet gerade nicht
  - termin: {art: fax}
    abgelehnt: {art: Ungültige Auswahl, zweck: Bitte den Zweck}
  - ereignis: Irgendwas
    abgelehnt: Ungültige Auswahl
""")
    session, message, booking, event = scenario.steps
    assert session.refusal is not None and session.refusal.text is None
    assert dict(session.refusal.fields) == {"naechsterKontaktAm": "darf nicht in der Vergangenheit liegen"}
    assert message.refusal is not None and message.refusal.text == "wartet gerade nicht"
    assert dict(booking.data) == {"art": "fax"}  # a choice the product refuses; `zweck` may be missing
    assert booking.refusal is not None and dict(booking.refusal.fields) == {"art": "Ungültige Auswahl",
                                                                            "zweck": "Bitte den Zweck"}
    assert dict(event.data) == {"ereignis": "Irgendwas"}


def test_expectations_keep_names_as_element_ids_and_days_as_written(known: tuple[Names, Names],
                                                                    tmp_path: Path) -> None:
    [step] = read(known, tmp_path, """\
  - erwarte:
      wartet_genau: []
      wartet_nicht: [Schritt prüfen]
      nie_durchlaufen: [Task_Kooperationsplan]
      offene_aufgaben: 0
      aufgaben: {Schritt prüfen: {faellig: heute+7, wiedervorlage: null}}
      fallstatus: beendet
      ifk: vertretung
      termine: [{am: heute+7, um: "10:00", status: geplant, art: praesenz, rfb: nein, zweck: Folge, ifk: qa}]
      wiedervorlagen: [{am: 2025-03-17, grund: Unterlagen, erledigt: ja, fuer: qa}]
      kontakte: []
      eingang: {enthaelt: [Beratungsgespräch führen], enthaelt_nicht: [Schritt prüfen], aufgaben: 1,
                wiedervorlagen: 0, termine_heute: 2}
""").steps
    expect = step.expect
    assert expect["wartet_genau"] == []
    assert expect["wartet_nicht"] == [("Schritt prüfen", ("Task_SchrittPruefen",))]
    assert expect["nie_durchlaufen"] == [("Task_Kooperationsplan", ("Task_Kooperationsplan",))]
    assert expect["offene_aufgaben"] == 0
    assert expect["aufgaben"] == [("Schritt prüfen", ("Task_SchrittPruefen",),
                                   {"faellig": "heute+7", "wiedervorlage": None})]
    assert (expect["fallstatus"], expect["ifk"]) == ("beendet", "vertretung")
    assert expect["termine"] == [{"am": "heute+7", "um": time(10, 0), "status": "geplant", "art": "praesenz",
                                  "rfb": False, "zweck": "Folge", "ifk": "qa"}]
    assert expect["wiedervorlagen"] == [{"am": date(2025, 3, 17), "grund": "Unterlagen", "erledigt": True,
                                         "fuer": "qa"}]
    assert expect["kontakte"] == []
    assert expect["eingang"] == {"ifk": "qa", "enthaelt": [("Beratungsgespräch führen", ("Task_Beratungsgespraech",))],
                                 "enthaelt_nicht": [("Schritt prüfen", ("Task_SchrittPruefen",))], "aufgaben": 1,
                                 "wiedervorlagen": 0, "termine_heute": 2}


# ---------------------------------------------------------------- mistakes: file, line, German sentence

MISTAKES = [
    # steps
    ("  - warte: P1D\n  - termn: {am: heute}\n", 5,
     "Ein Schritt ist genau eines von: erledige, warte, nachricht, erwarte, termin, termin_versaeumt, "
     "termin_wahrgenommen, termin_absagen, wiedervorlage, wiedervorlage_erledigt, kontakt, uebergabe, schliessen, "
     "wiedereroeffnen, ereignis (gefunden: termn). Meinten Sie »termin«?"),
    ("  - termin: {am: heute, zweck: x}\n    mit: {art: telefon}\n", 5,
     "»mit« gehört zu erledige und nachricht; bei »termin« stehen die Angaben unter »termin«."),
    ("  - warte: P1D\n    abgelehnt: nein\n", 5,
     "»abgelehnt« passt nicht zu »warte«: abgelehnt werden Eingaben (erledige, nachricht und die Schritte des "
     "Arbeitsplatzes)."),
    ("  - nachricht: Meldeversaeumnis\n    abgelehnt: [eins, zwei]\n", 5,
     "»abgelehnt« nennt die erwartete Meldung, »abgelehnt: \"darf nicht in der Vergangenheit liegen\"« oder je Feld "
     "»abgelehnt: {naechsterKontaktAm: \"darf nicht in der Vergangenheit liegen\"}«."),
    ("  - nachricht: Meldeversaeumnis\n    abgelehnt: {naechsterKontaktAm: ''}\n", 5,
     "»abgelehnt« nennt die erwartete Meldung, »abgelehnt: \"darf nicht in der Vergangenheit liegen\"« oder je Feld "
     "»abgelehnt: {naechsterKontaktAm: \"darf nicht in der Vergangenheit liegen\"}«."),
    ("  - erledige: Schritt prüfn\n", 4,
     "Die Aufgabe »Schritt prüfn« gibt es in keinem Diagramm. Bekannt sind z. B.: Schritt prüfen"),
    # workplace steps
    ("  - termin: {am: heute+7, um: \"10:00\"}\n", 4,
     "»termin« braucht »zweck«, z. B. »termin: {am: heute+7, um: \"10:00\", art: praesenz, zweck: Folgegespräch, "
     "rfb: ja}«."),
    ("  - termin:\n      am: heute+7\n      zwek: Folgegespräch\n", 6,
     "Unbekannter Eintrag »zwek«; erlaubt sind: am, um, art, zweck, rfb. Meinten Sie »zweck«?"),
    ("  - termin:\n      am: morgen\n      zweck: Folgegespräch\n", 5,
     "»am« braucht einen Tag wie heute, heute+7 oder 2025-03-10, nicht »morgen«."),
    ("  - termin:\n      am: heute\n      um: \"25:00\"\n      zweck: Folgegespräch\n", 6,
     "»um« braucht eine Uhrzeit wie \"10:00\", nicht »25:00«."),
    ("  - termin:\n      am: heute\n      um: 9\n      zweck: Folgegespräch\n", 6,
     "»um« braucht eine Uhrzeit wie \"10:00\", nicht »9«."),
    ("  - termin:\n      am: heute\n      art: präsenz\n      zweck: Folgegespräch\n", 6,
     "»art« ist eines von praesenz, telefon, video, nicht »präsenz«. Meinten Sie »praesenz«?"),
    ("  - termin:\n      am: heute\n      zweck: Folgegespräch\n      rfb: vielleicht\n", 7,
     "»rfb« ist ja oder nein, nicht »vielleicht«."),
    ("  - termin: [heute, Folgegespräch]\n", 4,
     "»termin« ist eine Zuordnung, z. B. »termin: {am: heute+7, um: \"10:00\", art: praesenz, zweck: Folgegespräch, "
     "rfb: ja}«."),
    ("  - termin_wahrgenommen: {notiz: Stand, naechsterKontakt: wiedervorlage}\n", 4,
     "»naechsterKontakt« braucht den Tag »naechsterKontaktAm«."),
    ("  - ereignis: NachweisEingegang\n", 4,
     "»ereignis« ist eines von NachweisEingegangen, StellungnahmeEingegangen, SchlichtungBeendet, PflichtErfuellt, "
     "PersonGemeldet, "
     "nicht »NachweisEingegang«. Meinten Sie »NachweisEingegangen«?"),
    ("  - wiedereroeffnen: {grund: Rückkehr}\n", 4,
     "»wiedereroeffnen« hat keine Angaben; bitte nur »- wiedereroeffnen:« schreiben."),
    ("  - uebergabe:\n      an: vertretng\n      grund: Urlaub\n", 5,
     "»an« ist eines von qa, vertretung, teamleitung, nicht »vertretng«. Meinten Sie »vertretung«?"),
    ("  - schliessen:\n", 4, "»schliessen« braucht »grund«, z. B. »schliessen: {grund: integriert}«."),
    # expectations
    ("  - erwarte:\n      wartet: [Schritt prüfen]\n      wartet_genua: [Schritt prüfen]\n", 6,
     "Unbekannter Eintrag »wartet_genua«; erlaubt sind: wartet, wartet_genau, wartet_nicht, durchlaufen, "
     "nie_durchlaufen, offene_aufgaben, aufgaben, fall, entscheidungen, fallstatus, ifk, termine, wiedervorlagen, "
     "kontakte, eingang, dokumente. Meinten Sie »wartet_genau«?"),
    ("  - erwarte:\n      wartet: []\n", 5, "»wartet« ist eine Liste von Namen, z. B. »wartet: [Schritt prüfen]«."),
    ("  - erwarte:\n      wartet_nicht:\n        - Kooperationsplan vereinbaren\n        - Schritt prüfn\n", 7,
     "»Schritt prüfn« (unter wartet_nicht) gibt es in keinem Diagramm. Meinten Sie »Schritt prüfen«?"),
    ("  - erwarte:\n      offene_aufgaben: zwei\n", 5, "»offene_aufgaben« ist eine Anzahl (0, 1, 2 …), nicht »zwei«."),
    ("  - erwarte:\n      aufgaben:\n        Kaffee kochen: {faellig: heute}\n", 6,
     "Die Aufgabe »Kaffee kochen« gibt es in keinem Diagramm. Bekannt sind z. B.: "),
    ("  - erwarte:\n      aufgaben:\n        Schritt prüfen:\n          faelig: heute\n", 7,
     "Unbekannter Eintrag »faelig«; erlaubt sind: faellig, wiedervorlage. Meinten Sie »faellig«?"),
    ("  - erwarte:\n      aufgaben:\n        Schritt prüfen: {}\n", 6,
     "Bitte bei »Schritt prüfen« »faellig« oder »wiedervorlage« angeben."),
    ("  - erwarte:\n      fallstatus: geschlossen\n", 5,
     "»fallstatus« ist eines von aktiv, beendet, nicht »geschlossen«."),
    ("  - erwarte:\n      fall: [modus]\n", 5, "»fall« ist eine Zuordnung, z. B. »fall: {modus: selbstbestimmt}«."),
    ("  - erwarte:\n      termine: {am: heute}\n", 5,
     "»termine« ist eine Liste, z. B. »termine: [{am: …, um: …, status: …, art: …, rfb: …, zweck: …, ifk: …}]« "
     "(leer: »[]«)."),
    ("  - erwarte:\n      termine:\n        - {am: heute}\n        - {status: geplant}\n", 7,
     "Jeder Eintrag unter »termine« braucht »am«."),
    ("  - erwarte:\n      termine:\n        - am: heute\n          status: verpasst\n", 7,
     "»status« ist eines von geplant, wahrgenommen, versaeumt, abgesagt, nicht »verpasst«."),
    ("  - erwarte:\n      wiedervorlagen:\n        - {am: heute, erledigt: vielleicht}\n", 6,
     "»erledigt« ist ja oder nein, nicht »vielleicht«."),
    ("  - erwarte:\n      kontakte:\n        - {art: mail}\n", 6,
     "»art« ist eines von email, brief, telefon, sonstiges, nicht »mail«. Meinten Sie »email«?"),
    ("  - erwarte:\n      eingang:\n        ifk: qa\n        termine: 1\n", 7,
     "Unbekannter Eintrag »termine«; erlaubt sind: ifk, enthaelt, enthaelt_nicht, aufgaben, wiedervorlagen, "
     "termine_heute. Meinten Sie »termine_heute«?"),
    ("  - erwarte:\n      eingang: {ifk: anna}\n", 5, "»ifk« ist eines von qa, vertretung, teamleitung, nicht »anna«."),
    ("  - erwarte:\n      eingang:\n        enthaelt: [Beratungsgespräch fuehren]\n", 6,
     "»Beratungsgespräch fuehren« (unter enthaelt) gibt es in keinem Diagramm. Meinten Sie »Beratungsgespräch "
     "führen«?"),
    ("  - erwarte:\n      eingang: {}\n", 5,
     "»eingang« nennt, was im Eingang stehen soll: ifk, enthaelt, enthaelt_nicht, aufgaben, wiedervorlagen, "
     "termine_heute."),
]


@pytest.mark.parametrize(("steps", "line", "message"), MISTAKES, ids=[f"{index:02}" for index in range(len(MISTAKES))])
def test_each_mistake_names_file_line_and_what_to_write(known: tuple[Names, Names], tmp_path: Path, steps: str,
                                                        line: int, message: str) -> None:
    error = refused(known, tmp_path, steps)
    assert (error.line, error.message[:len(message)]) == (line, message)


def test_an_unknown_top_level_key_suggests_the_right_one(known: tuple[Names, Names], tmp_path: Path) -> None:
    path = tmp_path / "format.yaml"
    path.write_text("szenario: Tippfehler\nbegin: 2025-03-03\nschritte:\n  - warte: P1D\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load(path, *known)
    assert (caught.value.line, caught.value.message) == (2, "Unbekannter Eintrag »begin«; erlaubt sind szenario, "
                                                            "beginn, fall, prozess, schritte. Meinten Sie »beginn«?")
