"""Task forms generated from the diagram's formData, checked on the server; drafts kept per person."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from engine.domain import plan
from engine.runtime.errors import FormError, ProcessError
from engine.runtime.model import FormField, UserTaskDef
from web.auth import case_role_required, me, workplace

blueprint = Blueprint("tasks", __name__)
STEP_FIELDS = ("beschreibung", "verantwortlich", "faellig", "wiedervorlage")
STEP_LABELS = {"beschreibung": "Schritt", "verantwortlich": "Verantwortlich", "faellig": "Fällig am",
               "wiedervorlage": "Wiedervorlage"}
DEFAULT_STEP_ROWS = 3
GENERAL = "Hinweis"  # errors that belong to no single field
MAX_STEP_ROWS = plan.MAX_STEPS


@blueprint.route("/aufgaben/<task_id>", methods=["GET", "POST"])
@case_role_required
def form(task_id: str) -> Any:
    services = current_app.extensions["sro"]
    task = workplace().task_for(me(), task_id)
    _, definition, data = services.task_form(task_id)
    custom = definition.form_key == plan.FORM_KEY
    if request.method == "GET":
        values = workplace().draft(me(), task_id) or _defaults(definition, data)
        return _render(task, definition, data, values, {}, custom, _rows(values, custom))
    submitted = _parse(definition, request.form, custom)
    action = request.form.get("aktion", "abschliessen")
    rows = _rows(submitted, custom)
    if action == "zeile":
        return _render(task, definition, data, submitted, {}, custom, min(rows + 1, MAX_STEP_ROWS))
    if action == "entwurf":
        workplace().save_draft(me(), task_id, submitted)
        flash("Entwurf gespeichert. Die Aufgabe bleibt offen.", "hinweis")
        return redirect(url_for("tasks.form", task_id=task_id))
    try:
        services.complete_task(task_id, submitted, actor=me().username)
    except FormError as error:
        return _render(task, definition, data, submitted, error.errors, custom, rows), 422
    except ProcessError as error:  # e.g. a domain rule refused the values; nothing was saved
        return _render(task, definition, data, submitted, {GENERAL: str(error)}, custom, rows), 422
    flash(f"»{task.name}« erledigt.", "hinweis")
    return redirect(url_for("cases.show", case_id=task.case_id))


def _render(task: Any, definition: UserTaskDef, data: dict[str, Any], values: dict[str, Any],
            errors: dict[str, str], custom: bool, rows: int) -> str:
    labels = {field.id: field.label for field in definition.fields}

    def field_label(key: str) -> str:
        """German label of an error key: a form field, a plan step's field, or a general note."""
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "schritte":
            return f"Schritt {parts[1]}, {STEP_LABELS.get(parts[2], parts[2])}"
        return {"schritte": "Schritte"}.get(key) or labels.get(key, key)

    return render_template("task.html", task=task, definition=definition, data=data, values=values,
                           errors=errors, custom=custom, rows=rows, widget=widget, field_label=field_label)


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


def _defaults(definition: UserTaskDef, data: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in definition.fields:
        if field.default is not None:
            values[field.id] = field.default
        elif field.readonly and field.id in data:
            values[field.id] = data[field.id]
    return values


def _parse(definition: UserTaskDef, form: MultiDict[str, str], custom: bool) -> dict[str, Any]:
    """The submitted form as the service expects it: the whole form, booleans from checkboxes included."""
    values: dict[str, Any] = {}
    for field in definition.fields:
        if field.readonly:
            continue
        if field.type == "boolean" and not field.required:
            values[field.id] = "true" if form.get(field.id) else "false"
        else:
            values[field.id] = form.get(field.id, "")
    if custom:
        steps = []
        for number in range(1, MAX_STEP_ROWS + 1):
            step = {name: form.get(f"schritt-{number}-{name}", "").strip() for name in STEP_FIELDS}
            if any(step.values()):
                steps.append({name: value or None for name, value in step.items()})
        values["schritte"] = steps
    return values


def _rows(values: dict[str, Any], custom: bool) -> int:
    if not custom:
        return 0
    return max(DEFAULT_STEP_ROWS, len(values.get("schritte") or []))
