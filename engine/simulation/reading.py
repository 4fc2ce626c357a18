"""Reading the parts of a scenario file: names of tasks and elements, days, times, yes/no, choices and counts, each
mistake as `file:line: German sentence`, unknown names with the closest known one."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time
from typing import Any

from engine.simulation.yamlfile import Path_, ScenarioError, YamlFile

Names = Mapping[str, tuple[str, ...]]  # a German name or an id -> the element ids it stands for
RELATIVE_DAY = re.compile(r"^heute(?:\s*([+-])\s*(\d{1,4}))?$")
CLOCK_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
YES, NO = ("ja", "true"), ("nein", "false")


def suggestion(word: Any, known: Iterable[str]) -> str:
    """` Meinten Sie »…«?` for the known word closest to `word`, or nothing when none is close."""
    close = difflib.get_close_matches(str(word), list(known), n=1, cutoff=0.6)
    return f" Meinten Sie »{close[0]}«?" if close else ""


def refuse_unknown(read: YamlFile, given: Mapping[Any, Any], allowed: Sequence[str], where: Path_) -> None:
    for key in given:
        if key not in allowed:
            raise ScenarioError(read.file, read.key_line(*where, key),
                                f"Unbekannter Eintrag »{key}«; erlaubt sind: {', '.join(allowed)}."
                                f"{suggestion(key, allowed)}")


def mapping(read: YamlFile, value: Any, where: Path_, what: str, example: str) -> dict[Any, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise read.error(f"»{what}« ist eine Zuordnung, z. B. »{example}«.", *where)
    return value


def names_list(read: YamlFile, value: Any, where: Path_, names: Names, key: str, *,
               empty: bool = False) -> list[tuple[str, tuple[str, ...]]]:
    """A list of element (or task) names or ids: each with the ids it stands for."""
    if not isinstance(value, list) or (not value and not empty):
        raise read.error(f"»{key}« ist eine Liste von Namen, z. B. »{key}: [Schritt prüfen]«.", *where)
    return [(str(name), element(read, name, (*where, index), names, key)) for index, name in enumerate(value)]


def element(read: YamlFile, name: Any, where: Path_, names: Names, key: str) -> tuple[str, ...]:
    if str(name) not in names:
        raise read.error(f"»{name}« (unter {key}) gibt es in keinem Diagramm.{suggestion(name, _readable(names))}",
                         *where)
    return names[str(name)]


def task(read: YamlFile, name: Any, where: Path_, tasks: Names, *, line: int | None = None) -> tuple[str, ...]:
    """The element ids of a user task named `name`; the message lists known tasks (the closest first)."""
    if str(name) in tasks:
        return tasks[str(name)]
    readable = _readable(tasks)
    close = difflib.get_close_matches(str(name), readable, n=3, cutoff=0.6)
    known = ", ".join([*close, *(item for item in readable if item not in close)][:12])
    raise ScenarioError(read.file, line or read.line(*where), f"Die Aufgabe »{name}« gibt es in keinem Diagramm. "
                                                              f"Bekannt sind z. B.: {known}.{suggestion(name, close)}")


def _readable(names: Names) -> list[str]:
    """The German names, without the technical ids."""
    return sorted({name for name, ids in names.items() if name not in ids})


def day(read: YamlFile, value: Any, where: Path_, key: str) -> str | date:
    """A day as written: `heute`, `heute+7`, `heute-3` (resolved when the step runs) or a date."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and RELATIVE_DAY.match(value.strip()):
        return value.strip()
    raise read.error(f"»{key}« braucht einen Tag wie heute, heute+7 oder 2025-03-10, nicht »{value}«.", *where)


def clock_time(read: YamlFile, value: Any, where: Path_, key: str) -> time:
    """A time of day, "10:00". YAML 1.1 reads an unquoted 10:00 as the number 600 (base 60); that is taken back."""
    if isinstance(value, int) and not isinstance(value, bool) and 60 <= value < 24 * 60:
        return time(value // 60, value % 60)
    match = CLOCK_TIME.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise read.error(f"»{key}« braucht eine Uhrzeit wie \"10:00\", nicht »{value}«.", *where)
    return time(int(match.group(1)), int(match.group(2)))


def flag(read: YamlFile, value: Any, where: Path_, key: str) -> bool:
    if isinstance(value, bool):
        return value
    if str(value).lower() in YES + NO:
        return str(value).lower() in YES
    raise read.error(f"»{key}« ist ja oder nein, nicht »{value}«.", *where)


def choice(read: YamlFile, value: Any, where: Path_, key: str, allowed: Iterable[str]) -> str:
    known = list(allowed)
    if str(value) not in known:
        raise read.error(f"»{key}« ist eines von {', '.join(known)}, nicht »{value}«.{suggestion(value, known)}",
                         *where)
    return str(value)


def text(read: YamlFile, value: Any, where: Path_, key: str) -> str:
    if isinstance(value, bool | dict | list) or value is None:
        raise read.error(f"»{key}« ist ein Text, nicht »{value}«.", *where)
    return str(value)


def count(read: YamlFile, value: Any, where: Path_, key: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise read.error(f"»{key}« ist eine Anzahl (0, 1, 2 …), nicht »{value}«.", *where)
    return value


def label(names: Names, element: str) -> str:
    """An element's German name where it is unique to it, else its id."""
    for name, ids in names.items():
        if ids == (element,) and name != element:
            return name
    return element


def labels(names: Names, elements: Iterable[str]) -> str:
    return ", ".join(sorted(label(names, element) for element in elements))
