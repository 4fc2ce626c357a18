"""QA scenarios: YAML files a non-programmer can read, checked with file, line and a German sentence.

    szenario: Anfangsphase mit Kooperationsplan
    beginn: 2025-03-03
    fall:
      naechsterKontaktAm: heute+3
    schritte:
      - erledige: Erstgespräch in Präsenz führen
        mit: {gespraechsart: praesenz, ergebnis: plan_vereinbart, naechsterKontakt: folgetermin_praesenz,
              naechsterKontaktAm: heute+14, ...}
      - erwarte:
          wartet_genau: [Kooperationsplan vereinbaren]
          aufgaben: {Kooperationsplan vereinbaren: {faellig: heute+7}}
          termine: [{am: heute+14, status: geplant}]
      - erledige: Kooperationsplan vereinbaren
        mit: {planZiel: ..., schritte: [{beschreibung: ..., verantwortlich: elb, faellig: 2000-01-01}]}
        abgelehnt: {schritte.1.faellig: "darf nicht in der Vergangenheit liegen"}
      - warte: P14D
      - erwarte:
          eingang: {ifk: qa, enthaelt: [Beratungsgespräch führen], termine_heute: 1}

Tasks and elements are named by their German names or their ids. A day is `heute`, `heute+14` or
`heute-3` (relative to the simulated day the step runs on, in Berlin) or a date; a time is "10:00".

Steps of the process: `erledige` (complete the open task with the inputs `mit`), `warte` (a duration;
the simulated clock moves on and due timers fire), `nachricht` (deliver a message, inputs `mit`).

Steps of the workplace, through the commands the web pages call, by the simulation's staff: the case
belongs to the IFK `qa` of team `simulation`; `vertretung` is a colleague, `teamleitung` the team lead
(who hands cases over).
  termin: {am, um, art: praesenz|telefon|video, zweck, rfb: ja|nein}  book an appointment (without `um`:
      the first free slot of the day in the calendar)
  termin_versaeumt: {am, um}  the case's planned appointment that day was missed: the process hears
      Meldeversaeumnis (the clock first moves to the appointment's end if that is later the same day)
  termin_wahrgenommen: {am, um, gespraechsart, notiz, naechsterKontakt, naechsterKontaktAm}  the
      appointment took place outside a session task; the next contact is agreed as in a session form
  termin_absagen: {am, um, von: elb|jobcenter}     wiedervorlage: {am, grund}
  wiedervorlage_erledigt: {am}     kontakt: {art: email|brief|telefon|sonstiges, notiz}
  ereignis: NachweisEingegangen|StellungnahmeEingegangen|SchlichtungBeendet|PflichtErfuellt|PersonGemeldet
            (recorded in the case file)
  uebergabe: {an: vertretung, grund}     schliessen: {grund: integriert|verzogen|...}     wiedereroeffnen:
`am` is today where it may be left out.

A refusal: every step but `warte` and `erwarte` may say `abgelehnt: "Text"` (the command must fail with
a message containing the text) or `abgelehnt: {feld: "Text"}` (the form's message for that field, by
its id as the page names it: naechsterKontaktAm, schritte.1.faellig, beginn, zweck, wiedervorlageAm,
grund, ...). Then nothing may have changed: the case waits where it waited, its history, data, status,
appointments, Wiedervorlagen and contacts are as before. With `abgelehnt` required inputs may be left
out and choices may be anything, so that what the product says about them can be tested.

Expectations (`erwarte`), each optional:
  wartet: [..]  waits at each of these          wartet_nicht: [..]  at none of these
  wartet_genau: [..]  waits at exactly these open tasks and events, nothing else (boundary events,
      subprocesses and call activities under way need not be named); [] waits for nothing
  durchlaufen: [..]  passed in this order (others between)   nie_durchlaufen: [..]  never passed, all cycles
  offene_aufgaben: N   aufgaben: {Schritt prüfen: {faellig: heute+7, wiedervorlage: heute+3}}  the open
      task's due and follow-up day (null: none)
  fall: {..}  data of the running cycle (mappings compared by the keys named)   entscheidungen: {..}
  fallstatus: aktiv|beendet     ifk: qa|vertretung  (who the case belongs to)
  termine: [{am, um, status: geplant|wahrgenommen|versaeumt|abgesagt, art, rfb, zweck, ifk}]  all
      appointments of the case in time order, each entry naming what it checks (zweck: contained)
  wiedervorlagen: [{am, grund, erledigt: ja|nein, fuer}]  all of the case's, by day
  kontakte: [{art, notiz}]  all of the case's, in time order
  eingang: {ifk: qa, enthaelt: [..], enthaelt_nicht: [..], aufgaben: N, wiedervorlagen: N,
      termine_heute: N}  the IFK's inbox now (their own cases; a task whose Wiedervorlage lies ahead is
      not shown), the Wiedervorlagen due by today and today's appointments
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from engine.runtime.clock import BERLIN
from engine.runtime.durations import DurationError, parse_duration
from engine.simulation import expectations, reading, refusal, workday, yamlfile
from engine.simulation.reading import Names, suggestion
from engine.simulation.refusal import Refusal
from engine.simulation.yamlfile import ScenarioError, YamlFile

PROCESS_STEPS = ("erledige", "warte", "nachricht", "erwarte")
STEP_KINDS = (*PROCESS_STEPS, *workday.STEPS)
TOP_LEVEL = ("szenario", "beginn", "fall", "prozess", "schritte")

__all__ = ["Names", "Scenario", "Step", "load", "start_moment"]


@dataclass(frozen=True)
class Step:
    kind: str
    line: int
    target: str = ""  # task name as written, message name or duration
    data: Mapping[str, Any] = field(default_factory=dict)  # inputs: `mit`, or those of a workplace step
    expect: Mapping[str, Any] = field(default_factory=dict)  # of `erwarte`, as expectations.load reads it
    candidates: tuple[str, ...] = ()  # element ids a task name stands for (names can repeat across diagrams)
    refusal: Refusal | None = None  # `abgelehnt`: the step must be refused with this message


@dataclass(frozen=True)
class Scenario:
    name: str
    file: str
    start: datetime | None
    case_data: Mapping[str, Any]
    steps: tuple[Step, ...]
    process: str = "Beratungszyklus"


def load(source: Path | YamlFile, task_names: Names, element_names: Names) -> Scenario:
    """Check a scenario (a path, or a file already read); `task_names`/`element_names` map names and ids to
    element ids."""
    read = source if isinstance(source, YamlFile) else yamlfile.read_yaml(source)
    raw = read.value
    if not isinstance(raw, dict):
        raise read.error("Ein Szenario ist eine Zuordnung mit »szenario«, »schritte« und optional »beginn«, "
                         "»fall«, »prozess«.")
    unknown = set(raw) - set(TOP_LEVEL)
    if unknown:
        key = sorted(unknown, key=str)[0]
        raise ScenarioError(read.file, read.key_line(key), f"Unbekannter Eintrag »{key}«; erlaubt sind "
                                                           f"{', '.join(TOP_LEVEL)}.{suggestion(key, TOP_LEVEL)}")
    name = raw.get("szenario")
    if not isinstance(name, str) or not name.strip():
        raise ScenarioError(read.file, read.key_line("szenario") or 1,
                            "Bitte dem Szenario einen Namen geben (»szenario: ...«).")
    start = raw.get("beginn")
    if start is not None and not isinstance(start, date):
        raise ScenarioError(read.file, read.key_line("beginn"),
                            f"»beginn« muss ein Datum sein (JJJJ-MM-TT), nicht »{start}«.")
    case_data = raw.get("fall") or {}
    if not isinstance(case_data, dict):
        raise ScenarioError(read.file, read.key_line("fall"), "»fall« enthält die Startdaten als Zuordnung Feld: Wert.")
    raw_steps = raw.get("schritte")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise ScenarioError(read.file, read.key_line("schritte") or 1, "Ein Szenario braucht eine Liste »schritte«.")
    steps = tuple(_step(read, index, item, task_names, element_names) for index, item in enumerate(raw_steps))
    return Scenario(name.strip(), read.file, start_moment(start), case_data, steps,
                    str(raw.get("prozess") or "Beratungszyklus"))


def start_moment(start: date | None) -> datetime | None:
    """The simulated clock's start for `beginn`: a day starts at 8:00 in Berlin."""
    if start is None:
        return None
    moment = start if isinstance(start, datetime) else datetime(start.year, start.month, start.day, 8, 0)
    return moment.replace(tzinfo=BERLIN) if moment.tzinfo is None else moment


def _step(read: YamlFile, index: int, item: Any, task_names: Names, element_names: Names) -> Step:
    where = ("schritte", index)
    file, line = read.file, read.line(*where) or 1
    if not isinstance(item, dict):
        raise ScenarioError(file, line, "Jeder Schritt ist eine Zuordnung, z. B. »- erledige: Schritt prüfen«.")
    kinds = [key for key in item if key in STEP_KINDS]
    extra = sorted(set(item) - set(STEP_KINDS) - {"mit", "abgelehnt"}, key=str)
    if len(kinds) != 1 or extra:
        hint = suggestion(extra[0], STEP_KINDS) if extra else ""
        raise ScenarioError(file, line, f"Ein Schritt ist genau eines von: {', '.join(STEP_KINDS)} "
                                        f"(gefunden: {', '.join(map(str, item))}).{hint}")
    kind = kinds[0]
    value = item[kind]
    if "mit" in item and kind not in ("erledige", "nachricht"):
        raise read.error(f"»mit« gehört zu erledige und nachricht; bei »{kind}« stehen die Angaben unter »{kind}«.",
                         *where, "mit")
    refused = None
    if "abgelehnt" in item:
        if kind in ("warte", "erwarte"):
            raise read.error(f"»abgelehnt« passt nicht zu »{kind}«: abgelehnt werden Eingaben (erledige, nachricht "
                             "und die Schritte des Arbeitsplatzes).", *where, "abgelehnt")
        refused = refusal.load(read, item["abgelehnt"], (*where, "abgelehnt"))
    data = item.get("mit") or {}
    if not isinstance(data, dict):
        raise ScenarioError(file, line, "»mit« enthält die Eingaben als Zuordnung Feld: Wert.")
    if kind == "erledige":
        candidates = reading.task(read, value, (*where, kind), task_names, line=line)
        return Step(kind, line, str(value), data, candidates=candidates, refusal=refused)
    if kind == "warte":
        try:
            parse_duration(str(value))
        except DurationError as error:
            raise ScenarioError(file, line, f"»warte« braucht eine Dauer wie P14D oder P6M: {error}") from error
        return Step(kind, line, str(value))
    if kind == "nachricht":
        if not isinstance(value, str) or not value:
            raise ScenarioError(file, line, "»nachricht« braucht den Namen einer Nachricht, z. B. Meldeversaeumnis.")
        return Step(kind, line, value, data, refusal=refused)
    if kind == "erwarte":
        return Step(kind, line, "", {}, expectations.load(read, where, value, element_names, task_names))
    return Step(kind, line, "", workday.load(read, where, kind, value, refused is not None), refusal=refused)
