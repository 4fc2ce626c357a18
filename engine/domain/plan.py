"""The Kooperationsplan (§ 15 SGB II): its custom form, its dated steps and the helper functions on them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from engine.domain.dates import ahead_problem
from engine.domain.labels import RESPONSIBLE
from engine.runtime.errors import FormError
from engine.runtime.forms import parse_date, validate
from engine.runtime.model import UserTaskDef

FORM_KEY = "sro:kooperationsplan"
MAX_STEPS = 20
OPEN = "offen"


def validate_plan(task: UserTaskDef, submitted: Mapping[str, Any], today: date) -> dict[str, Any]:
    """The plan form: the flat fields as the diagram declares them, plus the list `schritte`.

    Also the form of steps set for the client ("Schritte festlegen"): the same list, carried into the
    plan when they are agreed in one (`planDochVereinbart`); only an agreed plan has `planVereinbartAm`.

    Each step needs a description, a responsible party and a due date from today on; a
    Wiedervorlage is optional and, if given, is the day the step is checked instead of its due date.
    """
    flat = {key: value for key, value in submitted.items() if key != "schritte"}
    errors: dict[str, str] = {}
    try:
        cleaned = validate(task, flat)
    except FormError as error:
        errors.update(error.errors)
        cleaned = {}
    raw_steps = submitted.get("schritte")
    steps: list[dict[str, Any]] = []
    if not isinstance(raw_steps, Sequence) or isinstance(raw_steps, str) or not raw_steps:
        errors["schritte"] = "Bitte mindestens einen Schritt mit Fälligkeit eintragen."
    elif len(raw_steps) > MAX_STEPS:
        errors["schritte"] = f"Höchstens {MAX_STEPS} Schritte je Kooperationsplan."
    else:
        for number, raw in enumerate(raw_steps, start=1):
            step, problems = _step(number, raw, today)
            errors.update(problems)
            steps.append(step)
    if errors:
        raise FormError(errors)
    cleaned["schritte"] = steps
    if cleaned.get("planDochVereinbart") is not False:  # steps set for the client are no agreed plan
        cleaned["planVereinbartAm"] = today
    return cleaned


def _step(number: int, raw: Any, today: date) -> tuple[dict[str, Any], dict[str, str]]:
    prefix = f"schritte.{number}"
    if not isinstance(raw, Mapping):
        return {}, {prefix: "Ein Schritt braucht Beschreibung, Verantwortung und Fälligkeit."}
    problems: dict[str, str] = {}
    unknown = set(raw) - {"beschreibung", "verantwortlich", "faellig", "wiedervorlage"}
    for name in sorted(unknown):
        problems[f"{prefix}.{name}"] = "Dieses Feld gibt es im Schritt nicht."
    description = raw.get("beschreibung")
    if not isinstance(description, str) or not description.strip():
        problems[f"{prefix}.beschreibung"] = "Pflichtfeld: bitte den Schritt beschreiben."
    elif len(description) > 500:
        problems[f"{prefix}.beschreibung"] = "Höchstens 500 Zeichen."
    responsible = raw.get("verantwortlich")
    if not isinstance(responsible, str) or responsible not in RESPONSIBLE:
        allowed = ", ".join(f"»{label}«" for label in RESPONSIBLE.values())
        problems[f"{prefix}.verantwortlich"] = f"Ungültige Auswahl; erlaubt sind {allowed}."
    due = _date(raw.get("faellig"), f"{prefix}.faellig", problems, required=True)
    follow_up = _date(raw.get("wiedervorlage"), f"{prefix}.wiedervorlage", problems, required=False)
    for key, value, what in ((f"{prefix}.faellig", due, "Die Fälligkeit"),
                             (f"{prefix}.wiedervorlage", follow_up, "Die Wiedervorlage")):
        problem = ahead_problem(value, today, what) if value is not None else None
        if problem is not None:
            problems[key] = problem
    step = {"nr": number, "beschreibung": description, "verantwortlich": responsible, "faellig": due,
            "wiedervorlage": follow_up, "status": OPEN}
    return step, problems


def _date(raw: Any, key: str, problems: dict[str, str], *, required: bool) -> date | None:
    if raw is None or raw == "":
        if required:
            problems[key] = "Pflichtfeld: bitte ein Datum angeben."
        return None
    try:
        return parse_date(raw)
    except ValueError as error:
        problems[key] = str(error)
        return None


def check_date(step: Mapping[str, Any]) -> date:
    """When a step is checked: its Wiedervorlage if it has one, else its due date."""
    checked: date = step.get("wiedervorlage") or step["faellig"]
    return checked


def next_check(steps: Sequence[Mapping[str, Any]] | None) -> date:
    """naechsterPruefzeitpunkt(schritte): the earliest check date of an open step."""
    open_steps = [step for step in steps or () if step.get("status") == OPEN]
    if not open_steps:
        raise ValueError("Der Kooperationsplan hat keinen offenen Schritt mehr.")
    return min(check_date(step) for step in open_steps)


def open_count(steps: Sequence[Mapping[str, Any]] | None) -> int:
    """offeneSchritte(schritte)."""
    return sum(1 for step in steps or () if step.get("status") == OPEN)


def find_step(steps: Sequence[Mapping[str, Any]] | None, number: Any) -> dict[str, Any]:
    for step in steps or ():
        if step.get("nr") == number:
            return dict(step)
    raise ValueError(f"Im Kooperationsplan gibt es keinen Schritt Nr. {number}.")


def replace_step(steps: Sequence[Mapping[str, Any]], changed: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [dict(changed) if step.get("nr") == changed["nr"] else dict(step) for step in steps]
