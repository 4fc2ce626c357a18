"""Task forms on the web: how a diagram's form field is shown, and a submitted form as the services expect it."""

from __future__ import annotations

import re
from typing import Any

from werkzeug.datastructures import MultiDict

from engine.domain import plan
from engine.runtime.model import FormField, UserTaskDef

STEP_FIELDS = ("beschreibung", "verantwortlich", "faellig", "wiedervorlage")
MAX_STEP_ROWS = plan.MAX_STEPS
STEP_KEY = re.compile(r"schritt-([1-9][0-9]{0,5})-(?:" + "|".join(STEP_FIELDS) + ")")


def widget(field: FormField) -> str:
    """How a form field is shown: the template switches on this."""
    if field.type == "boolean":
        return "ja_nein" if field.required else "checkbox"
    if field.type == "enum":
        return "auswahl" if len(field.options) > 3 else "optionen"
    if field.type == "string":
        length = field.constraint("maxlength")
        return "text" if length is not None and int(length) <= 200 else "textbereich"
    return {"long": "zahl", "date": "datum"}.get(field.type, "text")


def parse_submission(definition: UserTaskDef, form: MultiDict[str, str], custom: bool) -> dict[str, Any]:
    """The submitted form as the service expects it: the whole form, booleans from checkboxes included;
    `custom` adds the plan's step rows (the Kooperationsplan form)."""
    values: dict[str, Any] = {}
    for field in definition.fields:
        if field.readonly:
            continue
        if field.type == "boolean" and not field.required:
            values[field.id] = "true" if form.get(field.id) else "false"
        else:
            values[field.id] = form.get(field.id, "")
    if custom:
        # every row sent, also beyond the form's MAX_STEP_ROWS: the plan's check refuses too many in German,
        # nothing is dropped without a word
        steps = []
        for number in sorted(_step_numbers(form)):
            step = {name: form.get(f"schritt-{number}-{name}", "").strip() for name in STEP_FIELDS}
            if any(step.values()):
                steps.append({name: value or None for name, value in step.items()})
        values["schritte"] = steps
    return values


def _step_numbers(form: MultiDict[str, str]) -> set[int]:
    found = set()
    for key in form:
        match = STEP_KEY.fullmatch(key)
        if match is not None:
            found.add(int(match.group(1)))
    return found
