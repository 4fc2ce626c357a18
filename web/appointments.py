"""One appointment and what may be done with it: move it (to a free slot of its day or another day and time),
cancel it (cancelled by the client or by the job centre), record it held as a session (outside a session
task) or missed. Reached from the calendar and the case file; a refused form is shown again in place."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from engine.domain.agenda import CANCELLED_BY, NEXT_CONTACT_CHOICE, NEXT_CONTACT_DAY
from engine.domain.workdays import next_working_day
from engine.queries.appointments import AppointmentPage, appointment_page
from engine.runtime.clock import berlin_date
from engine.runtime.errors import FormError
from engine.runtime.formatting import datetime_text
from engine.workplace.agenda import Agenda
from web.auth import case_role_required, local_path, me, services, workplace
from web.refusals import REFUSALS, field_errors, form_day, form_moment

blueprint = Blueprint("appointments", __name__)


def _found(appointment_id: int) -> AppointmentPage:
    found = appointment_page(services(), appointment_id)
    if found is None:
        abort(404)
    workplace().case_for(me(), found.appointment.case_id)  # the team's cases only (403 otherwise)
    return found


def _back(found: AppointmentPage) -> Any:
    return redirect(local_path(request.form.get("zurueck"),
                               url_for("cases.show", case_id=found.appointment.case_id)))


def _render(found: AppointmentPage, *, failed: str | None = None, errors: Mapping[str, str] | None = None) -> Any:
    today = services().clock.today()
    interval = found.contact_interval_days
    proposed_next = next_working_day(today + timedelta(days=interval)) if interval else None
    values = request.form.to_dict() if failed else dict(request.args)
    page = render_template(
        "appointment.html", page=found, a=found.appointment, failed=failed, errors=dict(errors or {}),
        values=values, today=today, now=services().clock.now(), cancelled_by=CANCELLED_BY,
        held_today=berlin_date(found.appointment.starts_at) == today, proposed_next=proposed_next,
        back=local_path(values.get("zurueck"), ""))
    return (page, 422) if failed else page


def _refused(found: AppointmentPage, form: str, error: Exception, fields: Mapping[str, str] | None = None) -> Any:
    return _render(found, failed=form, errors=field_errors(error, fields))


@blueprint.get("/termine/<int:appointment_id>")
@case_role_required
def show(appointment_id: int) -> Any:
    return _render(_found(appointment_id))


@blueprint.post("/termine/<int:appointment_id>/verschieben")
@case_role_required
def move(appointment_id: int) -> Any:
    found = _found(appointment_id)
    try:
        starts_at = form_moment(request.form.get("tag"), request.form.get("uhrzeit"))
        Agenda(workplace()).move(me(), appointment_id, starts_at)
    except REFUSALS as error:
        return _refused(found, "verschieben", error, {"beginn": "tag"})
    flash(f"Termin verschoben auf {datetime_text(starts_at)}.", "hinweis")
    return _back(found)


@blueprint.post("/termine/<int:appointment_id>/absagen")
@case_role_required
def cancel(appointment_id: int) -> Any:
    found = _found(appointment_id)
    by = request.form.get("von", "")
    try:
        Agenda(workplace()).cancel(me(), appointment_id, by)
    except REFUSALS as error:
        return _refused(found, "absagen", error, {"abgesagtVon": "von"})
    flash(f"Termin am {datetime_text(found.appointment.starts_at)} {CANCELLED_BY[by]}.", "hinweis")
    return _back(found)


@blueprint.post("/termine/<int:appointment_id>/wahrgenommen")
@case_role_required
def held(appointment_id: int) -> Any:
    """The appointment took place as a session outside a session task; the next contact is agreed with it."""
    found = _found(appointment_id)
    form = request.form
    errors: dict[str, str] = {}
    choice = form.get("naechsterKontakt") or None
    next_day = form_day(form.get("naechsterKontaktAm"), "naechsterKontaktAm", errors) \
        if form.get("naechsterKontaktAm") else None
    if choice and next_day is None and not errors:
        errors["naechsterKontaktAm"] = "Bitte das Datum des nächsten Kontakts angeben."
    try:
        if errors:
            raise FormError(errors)
        Agenda(workplace()).hold(me(), appointment_id, kind=form.get("gespraechsart", ""), note=form.get("notiz", ""),
                                 next_contact=choice, next_day=next_day)
    except REFUSALS as error:
        return _refused(found, "wahrgenommen", error,
                        {NEXT_CONTACT_DAY: "naechsterKontaktAm", NEXT_CONTACT_CHOICE: "naechsterKontakt",
                         "beginn": "naechsterKontaktAm"})
    flash("Gespräch erfasst; es zählt als Beratungsgespräch.", "hinweis")
    return _back(found)
