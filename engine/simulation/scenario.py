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

import yaml

from engine.runtime.durations import DurationError, parse_duration
from engine.runtime.errors import EngineError

STEP_KINDS = ("erledige", "warte", "nachricht", "erwarte")
EXPECTATIONS = ("wartet", "durchlaufen", "fall", "entscheidungen", "dokumente")
RELATIVE_DAY = re.compile(r"^heute(?:\s*([+-])\s*(\d{1,4}))?$")


class ScenarioError(EngineError):
    def __init__(self, file: str, line: int | None, message: str) -> None:
        self.file, self.line, self.message = file, line, message
        super().__init__(f"{file}:{line}: {message}" if line else f"{file}: {message}")


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


def read_yaml(path: Path) -> tuple[Any, Any]:
    """The YAML node tree (for line numbers) and the plain value, or ScenarioError in German."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
        return yaml.compose(text, Loader=yaml.SafeLoader), yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise ScenarioError(file, mark.line + 1 if mark else None,
                            f"Die Datei ist kein gültiges YAML: {getattr(error, 'problem', error)}") from error
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError(file, None, f"Die Datei kann nicht gelesen werden: {error}") from error


def load(path: Path, task_names: Names, element_names: Names) -> Scenario:
    """Read and check a scenario; `task_names`/`element_names` map names and ids to element ids."""
    file = str(path)
    node, raw = read_yaml(path)
    if not isinstance(raw, dict) or node is None:
        raise ScenarioError(file, 1, "Ein Szenario ist eine Zuordnung mit »szenario«, »schritte« und optional "
                                     "»beginn«, »fall«, »prozess«.")
    lines = _key_lines(node)
    unknown = set(raw) - {"szenario", "beginn", "fall", "schritte", "prozess"}
    if unknown:
        key = sorted(unknown)[0]
        raise ScenarioError(file, lines.get(key), f"Unbekannter Eintrag »{key}«; erlaubt sind szenario, beginn, "
                                                  "fall, prozess, schritte.")
    name = raw.get("szenario")
    if not isinstance(name, str) or not name.strip():
        raise ScenarioError(file, lines.get("szenario", 1), "Bitte dem Szenario einen Namen geben (»szenario: ...«).")
    start = raw.get("beginn")
    if start is not None and not isinstance(start, date):
        raise ScenarioError(file, lines.get("beginn"), f"»beginn« muss ein Datum sein (JJJJ-MM-TT), nicht »{start}«.")
    case_data = raw.get("fall") or {}
    if not isinstance(case_data, dict):
        raise ScenarioError(file, lines.get("fall"), "»fall« enthält die Startdaten als Zuordnung Feld: Wert.")
    steps_node = _value_node(node, "schritte")
    raw_steps = raw.get("schritte")
    if not isinstance(raw_steps, list) or not raw_steps or steps_node is None:
        raise ScenarioError(file, lines.get("schritte", 1), "Ein Szenario braucht eine Liste »schritte«.")
    steps = tuple(_step(file, item, item_node, task_names, element_names)
                  for item, item_node in zip(raw_steps, steps_node.value, strict=True))
    return Scenario(name.strip(), file, _start(start), case_data, steps, str(raw.get("prozess") or "Beratungszyklus"))


def _start(start: date | None) -> datetime | None:
    if start is None:
        return None
    from engine.runtime.clock import BERLIN

    moment = start if isinstance(start, datetime) else datetime(start.year, start.month, start.day, 8, 0)
    return moment.replace(tzinfo=BERLIN) if moment.tzinfo is None else moment


def _step(file: str, item: Any, node: Any, task_names: Names, element_names: Names) -> Step:
    line = node.start_mark.line + 1
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


def _key_lines(node: Any) -> dict[str, int]:
    return {key.value: key.start_mark.line + 1 for key, _ in getattr(node, "value", []) if hasattr(key, "value")}


def _value_node(node: Any, name: str) -> Any:
    for key, value in getattr(node, "value", []):
        if getattr(key, "value", None) == name:
            return value
    return None


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
