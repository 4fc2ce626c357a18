"""QA scenarios: YAML files a non-programmer can read, checked with file, line and a German sentence.

    szenario: Anfangsphase mit Kooperationsplan
    beginn: 2025-03-03
    fall:
      naechsterKontaktAm: heute+3
    schritte:
      - erledige: Erstgespräch in Präsenz führen
        mit: {gespraechsart: praesenz, ergebnis: plan_vereinbart, ...}
      - warte: P14D
      - nachricht: Meldeversaeumnis
      - erwarte:
          wartet: [Kooperationsplan vereinbaren]
          durchlaufen: [Erstgespräch in Präsenz führen, Fallstatus fortschreiben]
          fall: {modus: selbstbestimmt}
          entscheidungen: {prioritaetsgruppe: 3}

Tasks and elements are named by their German names or their ids. A value `heute`, `heute+14` or
`heute-3` is a date relative to the simulated day the step runs on.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from engine.runtime.clock import BERLIN
from engine.runtime.durations import DurationError, parse_duration
from engine.simulation import yamlfile
from engine.simulation.yamlfile import ScenarioError, YamlFile

STEP_KINDS = ("erledige", "warte", "nachricht", "erwarte")
EXPECTATIONS = ("wartet", "durchlaufen", "fall", "entscheidungen", "dokumente")
RELATIVE_DAY = re.compile(r"^heute(?:\s*([+-])\s*(\d{1,4}))?$")


@dataclass(frozen=True)
class Step:
    kind: str
    line: int
    target: str = ""  # task name as written, message name or duration
    data: Mapping[str, Any] = field(default_factory=dict)
    expect: Mapping[str, Any] = field(default_factory=dict)
    candidates: tuple[str, ...] = ()  # element ids a task name stands for (names can repeat across diagrams)


@dataclass(frozen=True)
class Scenario:
    name: str
    file: str
    start: datetime | None
    case_data: Mapping[str, Any]
    steps: tuple[Step, ...]
    process: str = "Beratungszyklus"


Names = Mapping[str, tuple[str, ...]]


def load(source: Path | YamlFile, task_names: Names, element_names: Names) -> Scenario:
    """Check a scenario (a path, or a file already read); `task_names`/`element_names` map names and ids to
    element ids."""
    read = source if isinstance(source, YamlFile) else yamlfile.read_yaml(source)
    raw = read.value
    if not isinstance(raw, dict):
        raise read.error("Ein Szenario ist eine Zuordnung mit »szenario«, »schritte« und optional »beginn«, "
                         "»fall«, »prozess«.")
    unknown = set(raw) - {"szenario", "beginn", "fall", "schritte", "prozess"}
    if unknown:
        key = sorted(unknown, key=str)[0]
        raise ScenarioError(read.file, read.key_line(key), f"Unbekannter Eintrag »{key}«; erlaubt sind szenario, "
                                                           "beginn, fall, prozess, schritte.")
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
    steps = tuple(_step(read.file, item, read.line("schritte", index) or 1, task_names, element_names)
                  for index, item in enumerate(raw_steps))
    return Scenario(name.strip(), read.file, start_moment(start), case_data, steps,
                    str(raw.get("prozess") or "Beratungszyklus"))


def start_moment(start: date | None) -> datetime | None:
    """The simulated clock's start for `beginn`: a day starts at 8:00 in Berlin."""
    if start is None:
        return None
    moment = start if isinstance(start, datetime) else datetime(start.year, start.month, start.day, 8, 0)
    return moment.replace(tzinfo=BERLIN) if moment.tzinfo is None else moment


def _step(file: str, item: Any, line: int, task_names: Names, element_names: Names) -> Step:
    if not isinstance(item, dict):
        raise ScenarioError(file, line, "Jeder Schritt ist eine Zuordnung, z. B. »- erledige: Schritt prüfen«.")
    kinds = [key for key in item if key in STEP_KINDS]
    extra = set(item) - set(STEP_KINDS) - {"mit"}
    if len(kinds) != 1 or extra:
        raise ScenarioError(file, line, "Ein Schritt ist genau eines von: erledige, warte, nachricht, erwarte "
                                        f"(gefunden: {', '.join(map(str, item))}).")
    kind = kinds[0]
    value = item[kind]
    data = item.get("mit") or {}
    if not isinstance(data, dict):
        raise ScenarioError(file, line, "»mit« enthält die Eingaben als Zuordnung Feld: Wert.")
    if kind == "erledige":
        if str(value) not in task_names:
            known = ", ".join(sorted({name for name in task_names if not name.startswith("Task_")})[:12])
            raise ScenarioError(file, line, f"Die Aufgabe »{value}« gibt es in keinem Diagramm. Bekannt sind z. B.: "
                                            f"{known}.")
        return Step(kind, line, str(value), data, candidates=task_names[str(value)])
    if kind == "warte":
        try:
            parse_duration(str(value))
        except DurationError as error:
            raise ScenarioError(file, line, f"»warte« braucht eine Dauer wie P14D oder P6M: {error}") from error
        return Step(kind, line, str(value))
    if kind == "nachricht":
        if not isinstance(value, str) or not value:
            raise ScenarioError(file, line, "»nachricht« braucht den Namen einer Nachricht, z. B. Meldeversaeumnis.")
        return Step(kind, line, value, data)
    if not isinstance(value, dict) or not value or set(value) - set(EXPECTATIONS):
        raise ScenarioError(file, line, f"»erwarte« enthält eines oder mehrere von: {', '.join(EXPECTATIONS)}.")
    for key in ("wartet", "durchlaufen"):
        for name in value.get(key) or []:
            if str(name) not in element_names:
                raise ScenarioError(file, line, f"»{name}« (unter {key}) gibt es in keinem Diagramm.")
    if value.get("dokumente"):
        raise ScenarioError(file, line, "Erzeugte Dokumente (Briefe) prüft die Simulation noch nicht; bitte "
                                        "»dokumente« weglassen.")
    expect = {
        "wartet": [(str(name), element_names[str(name)]) for name in value.get("wartet") or []],
        "durchlaufen": [(str(name), element_names[str(name)]) for name in value.get("durchlaufen") or []],
        "fall": dict(value.get("fall") or {}),
        "entscheidungen": dict(value.get("entscheidungen") or {}),
    }
    return Step(kind, line, "", {}, expect)


def resolve_relative(value: Any, today: date) -> Any:
    """`heute`, `heute+14`, `heute-3` become dates; lists and mappings are resolved inside."""
    if isinstance(value, str):
        match = RELATIVE_DAY.match(value.strip())
        if match:
            from datetime import timedelta

            sign, days = match.groups()
            offset = int(days or 0) * (-1 if sign == "-" else 1)
            return (today + timedelta(days=offset)).isoformat()
        return value
    if isinstance(value, list):
        return [resolve_relative(item, today) for item in value]
    if isinstance(value, dict):
        return {key: resolve_relative(item, today) for key, item in value.items()}
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    return value
