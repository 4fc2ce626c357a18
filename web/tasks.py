"""Task forms generated from the diagram's formData, checked on the server; drafts kept per person."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from engine.domain import plan
from engine.domain.agenda import NEXT_CONTACT_DAY
from engine.domain.workdays import next_working_day
from engine.runtime.errors import FormError, ProcessError
from engine.runtime.model import UserTaskDef
from web.auth import case_role_required, me, workplace
from web.forms import MAX_STEP_ROWS, parse_submission, widget

blueprint = Blueprint("tasks", __name__)
STEP_LABELS = {"beschreibung": "Schritt", "verantwortlich": "Verantwortlich", "faellig": "Fällig am",
               "wiedervorlage": "Wiedervorlage"}
DEFAULT_STEP_ROWS = 3
GENERAL = "Hinweis"  # errors that belong to no single field


@blueprint.route("/aufgaben/<task_id>", methods=["GET", "POST"])
@case_role_required
def form(task_id: str) -> Any:
    services = current_app.extensions["sro"]
    task = workplace().task_for(me(), task_id, log_view=request.method == "GET")
    _, definition, data = services.task_form(task_id)
    custom = definition.form_key == plan.FORM_KEY
    if request.method == "GET":
        values = workplace().draft(me(), task_id) or _defaults(definition, data, services.clock.today(), custom)
        return _render(task, definition, data, values, {}, custom, _rows(values, custom))
    submitted = parse_submission(definition, request.form, custom)
    action = request.form.get("aktion", "abschliessen")
    rows = _rows(submitted, custom)
    if action == "zeile":
        return _render(task, definition, data, submitted, {}, custom, min(rows + 1, MAX_STEP_ROWS))
    if action == "entwurf":
        workplace().save_draft(me(), task_id, submitted)
        flash("Entwurf gespeichert. Die Aufgabe bleibt offen.", "hinweis")
        return redirect(url_for("tasks.form", task_id=task_id))
    try:
        outcome = services.complete_task(task_id, submitted, actor=me().username)
    except FormError as error:
        return _render(task, definition, data, submitted, error.errors, custom, rows), 422
    except ProcessError as error:  # e.g. a domain rule refused the values; nothing was saved
        return _render(task, definition, data, submitted, {GENERAL: str(error)}, custom, rows), 422
    flash(f"»{task.name}« erledigt.", "hinweis")
    for note in outcome.notes:  # e.g. where the agreed appointment went
        flash(note, "hinweis")
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


def _defaults(definition: UserTaskDef, data: dict[str, Any], today: date, custom: bool) -> dict[str, Any]:
    """The form's defaults; "Nächster Kontakt am" follows the case's contact density (the next working day
    after today plus its interval), and the plan form opens with the steps already set."""
    values: dict[str, Any] = {}
    for field in definition.fields:
        if field.default is not None:
            values[field.id] = field.default
        elif field.readonly and field.id in data:
            values[field.id] = data[field.id]
    density = data.get("kontaktdichte")
    interval = density.get("kontaktAbstandTage") if isinstance(density, dict) else None
    if definition.field(NEXT_CONTACT_DAY) is not None and isinstance(interval, int) and NEXT_CONTACT_DAY not in values:
        values[NEXT_CONTACT_DAY] = next_working_day(today + timedelta(days=interval)).isoformat()
    if custom and data.get("schritte") and "schritte" not in values:
        values["schritte"] = [{key: (value.isoformat() if isinstance(value, date) else value)
                               for key, value in step.items()} for step in data["schritte"]]
    return values


def _rows(values: dict[str, Any], custom: bool) -> int:
    if not custom:
        return 0
    return max(DEFAULT_STEP_ROWS, len(values.get("schritte") or []))
