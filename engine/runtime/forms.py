"""Checks submitted task data against the task's Camunda formData: types, required, bounds, choices.

Written here rather than with a form library (WTForms, pydantic): the form is not known in code but
declared by the diagram (Camunda's field types and constraint names, read at deployment), German
numbers and dates must be accepted as Camunda Tasklist users type them, and the same rules serve the
web form, the QA scenarios and the service layer without a web framework.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from engine.runtime.errors import FormError
from engine.runtime.formatting import date_text
from engine.runtime.model import FormField, UserTaskDef

_TRUE = {"true", "1", "ja", "on", "yes"}
_FALSE = {"false", "0", "nein", "off", "no", ""}
MAX_STRING = 10_000
EARLIEST, LATEST = date(1900, 1, 1), date(2099, 12, 31)
_WHOLE = re.compile(r"^-?[0-9]{1,18}$")
_GROUPED = re.compile(r"^-?[0-9]{1,3}(\.[0-9]{3}){1,5}$")


def validate(task: UserTaskDef, submitted: Mapping[str, Any]) -> dict[str, Any]:
    """Return the cleaned values for every form field, or raise FormError listing every problem.

    Unknown fields are refused: task data feeds gateway conditions, so a submitted value must not
    shadow a variable the form does not declare. A submission describes the whole form: an optional
    field left out is empty (None) or its default, so no stale value from an earlier cycle decides a
    gateway. Read-only fields are never part of the result; the data they display stays as it is.
    """
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    known = {form_field.id for form_field in task.fields}
    for name in submitted:
        if name not in known:
            errors[name] = "Dieses Feld gibt es im Formular nicht."
    for form_field in task.fields:
        raw = submitted.get(form_field.id)
        if form_field.readonly:
            if form_field.id in submitted:
                errors[form_field.id] = "Dieses Feld ist schreibgeschützt."
            continue
        if _blank(raw):
            if form_field.required:
                errors[form_field.id] = "Pflichtfeld: bitte ausfüllen."
                continue
            raw = form_field.default if form_field.default is not None and form_field.id not in submitted else None
            if _blank(raw):
                cleaned[form_field.id] = False if form_field.type == "boolean" and form_field.id in submitted else None
                continue
        try:
            value = _convert(form_field, raw)
            _check_bounds(form_field, value)
        except ValueError as error:
            errors[form_field.id] = str(error)
            continue
        cleaned[form_field.id] = value
    if errors:
        raise FormError(errors)
    return cleaned


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _convert(form_field: FormField, raw: Any) -> Any:
    kind = form_field.type
    if kind == "string":
        if not isinstance(raw, str):
            raise ValueError("Bitte einen Text eingeben.")
        if len(raw) > MAX_STRING:
            raise ValueError(f"Höchstens {MAX_STRING} Zeichen.")
        return raw
    if kind == "long":
        if isinstance(raw, bool):
            raise ValueError("Bitte eine ganze Zahl eingeben.")
        if isinstance(raw, int):
            return raw
        text = raw.strip() if isinstance(raw, str) else ""
        # German thousands separators (1.500) are fine; a decimal point is not a whole number.
        if not (_WHOLE.match(text) or _GROUPED.match(text)):
            raise ValueError("Bitte eine ganze Zahl eingeben.")
        return int(text.replace(".", ""))
    if kind == "boolean":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
            return raw.strip().lower() in _TRUE
        raise ValueError("Bitte »ja« oder »nein« wählen.")
    if kind == "date":
        return parse_date(raw)
    if kind == "enum":
        options = dict(form_field.options)
        if not isinstance(raw, str) or raw not in options:
            allowed = ", ".join(f"»{label}«" for label in options.values())
            raise ValueError(f"Ungültige Auswahl; erlaubt sind {allowed}.")
        return raw
    raise ValueError(f"Der Feldtyp »{kind}« wird nicht unterstützt.")


def parse_date(raw: Any) -> date:
    """A calendar date from a date, ISO text (2025-01-31) or German text (31.01.2025), between 1900 and 2099:
    a year 0001 or 9999 is a typing slip, never a date of a case."""
    if isinstance(raw, datetime):
        raise ValueError("Bitte ein Datum ohne Uhrzeit angeben.")
    value: date | None = raw if isinstance(raw, date) else None
    if isinstance(raw, str):
        text = raw.strip()
        try:
            if "." in text:
                day, month, year = text.split(".")
                if len(year) != 4:
                    raise ValueError
                value = date(int(year), int(month), int(day))
            elif len(text) == 10:
                value = date.fromisoformat(text)
        except ValueError:
            pass
    if value is None:
        raise ValueError("Bitte ein gültiges Datum im Format TT.MM.JJJJ eingeben.")
    if not EARLIEST <= value <= LATEST:
        raise ValueError(f"Bitte ein Datum zwischen dem {date_text(EARLIEST)} und dem {date_text(LATEST)} angeben.")
    return value


def _check_bounds(form_field: FormField, value: Any) -> None:
    minlength, maxlength = form_field.constraint("minlength"), form_field.constraint("maxlength")
    if isinstance(value, str):
        if minlength and len(value) < int(minlength):
            raise ValueError(f"Mindestens {minlength} Zeichen.")
        if maxlength and len(value) > int(maxlength):
            raise ValueError(f"Höchstens {maxlength} Zeichen (eingegeben: {len(value)}).")
    lower, upper = form_field.constraint("min"), form_field.constraint("max")
    if form_field.type == "long":
        if lower is not None and value < int(lower):
            raise ValueError(f"Der Wert muss mindestens {lower} sein.")
        if upper is not None and value > int(upper):
            raise ValueError(f"Der Wert darf höchstens {upper} sein.")
    if form_field.type == "date":
        if lower is not None and value < date.fromisoformat(lower[:10]):
            raise ValueError(f"Das Datum darf nicht vor dem {_german(lower)} liegen.")
        if upper is not None and value > date.fromisoformat(upper[:10]):
            raise ValueError(f"Das Datum darf nicht nach dem {_german(upper)} liegen.")


def _german(iso: str) -> str:
    return date_text(date.fromisoformat(iso[:10]))
