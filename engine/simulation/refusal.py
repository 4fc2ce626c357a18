"""A step that must be refused (`abgelehnt`): the product's German message, and nothing changed in the case."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from engine.queries import passed_elements, waiting_at
from engine.queries.agenda import case_agenda
from engine.runtime.errors import EngineError, FormError
from engine.runtime.formatting import date_text, datetime_text
from engine.services import Services
from engine.simulation.reading import Names, labels
from engine.simulation.values import plain
from engine.simulation.yamlfile import Path_, YamlFile

EXAMPLE = ("»abgelehnt: \"darf nicht in der Vergangenheit liegen\"« oder je Feld "
           "»abgelehnt: {naechsterKontaktAm: \"darf nicht in der Vergangenheit liegen\"}«")


@dataclass(frozen=True)
class Refusal:
    text: str | None  # the message contains this
    fields: Mapping[str, str]  # the message of each field (a FormError) contains this


def load(read: YamlFile, value: Any, where: Path_) -> Refusal:
    if isinstance(value, str | int | float) and not isinstance(value, bool) and str(value).strip():
        return Refusal(str(value).strip(), {})
    if isinstance(value, dict) and value and all(isinstance(text, str) and text.strip() for text in value.values()):
        return Refusal(None, {str(field): text.strip() for field, text in value.items()})
    raise read.error(f"»abgelehnt« nennt die erwartete Meldung, {EXAMPLE}.", *where)


def mismatch(refusal: Refusal, error: EngineError) -> str | None:
    """Why the refusal is not the one expected, or None."""
    message = str(error)
    if refusal.text is not None and refusal.text not in message:
        return f"Abgelehnt wurde mit »{message}«; erwartet war eine Meldung mit »{refusal.text}«."
    for field, text in refusal.fields.items():
        actual = error.errors.get(field) if isinstance(error, FormError) else None
        if actual is None:
            return f"Erwartet war eine Meldung zum Feld »{field}«; abgelehnt wurde mit »{message}«."
        if text not in actual:
            return f"Zum Feld »{field}« kam »{actual}«; erwartet war »{text}«."
    return None


@dataclass(frozen=True)
class CaseState:
    """What a refused command must leave as it was."""

    waiting: frozenset[str]
    open_tasks: tuple[str, ...]
    passed: int
    data: Any
    status: str
    counsellor: str | None
    appointments: tuple[tuple[int, datetime, str, str], ...]  # id, start, status, counsellor
    follow_ups: tuple[tuple[int, date, bool, str], ...]  # id, day, done, owner
    contacts: int


def state(services: Services, case_id: int) -> CaseState:
    case = services.case(case_id)
    agenda = case_agenda(services, case_id)
    return CaseState(
        frozenset(waiting_at(services, case_id)), tuple(task.id for task in services.open_tasks(case_id)),
        len(passed_elements(services, case_id)), plain(services.current_data(case_id)), case.status,
        case.counsellor, tuple((row.id, row.starts_at, row.status, row.counsellor) for row in agenda.appointments),
        tuple((row.id, row.due_on, row.done_at is not None, row.owner) for row in agenda.follow_ups),
        len(agenda.contacts))


def changes(before: CaseState, after: CaseState, names: Names) -> list[str]:
    """What changed between the two states, in German (nothing: an empty list)."""
    found = []
    if before.waiting != after.waiting or before.open_tasks != after.open_tasks:
        found.append(f"der Fall wartet jetzt an {labels(names, after.waiting) or 'nichts'} "
                     f"(vorher an {labels(names, before.waiting) or 'nichts'})")
    if after.passed != before.passed:
        found.append(f"{after.passed - before.passed} neue Elemente im Verlauf")
    if after.data != before.data:
        keys = sorted(key for key in set(before.data) | set(after.data) if before.data.get(key) != after.data.get(key))
        found.append(f"die Falldaten haben sich geändert ({', '.join(map(str, keys))})")
    if (after.status, after.counsellor) != (before.status, before.counsellor):
        found.append(f"der Fall ist jetzt {after.status} bei {after.counsellor} (vorher {before.status} bei "
                     f"{before.counsellor})")
    if after.appointments != before.appointments:
        changed = sorted(set(after.appointments) - set(before.appointments))
        found.append("Termine geändert: " + ", ".join(f"{datetime_text(start)} {status}"
                                                      for _, start, status, _ in changed))
    if after.follow_ups != before.follow_ups:
        changed_follow_ups = sorted(set(after.follow_ups) - set(before.follow_ups))
        found.append("Wiedervorlagen geändert: " + ", ".join(f"{date_text(day)}{' erledigt' if done else ''}"
                                                             for _, day, done, _ in changed_follow_ups))
    if after.contacts != before.contacts:
        found.append(f"{after.contacts - before.contacts} neue Kontakte")
    return found
