"""Acting on a case from the browser: intake of a new case with its first appointment, recording a missed
appointment (the process hears the Meldeversäumnis in every state of the case), Wiedervorlagen, events from
outside (proof, statement, end of conciliation), other contacts, handover, closing and reopening, search.
Each is one workplace command; a refusal is shown with its German message and changes nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from engine.agenda import AgendaError
from engine.domain.labels import INCOMING_MESSAGES
from engine.queries.agenda import find_cases
from engine.runtime.clock import BERLIN
from engine.runtime.errors import ConflictError, FormError
from engine.runtime.formatting import date_text, datetime_text
from engine.workplace.agenda import Agenda
from engine.workplace.cases import Caseload
from web.auth import case_role_required, local_path, me, services, workplace
from web.cases import render_case
from web.refusals import GENERAL, REFUSALS, field_errors, form_day, form_moment

blueprint = Blueprint("agenda", __name__)


def _agenda() -> Agenda:
    return Agenda(workplace())


def _back(case_id: int) -> Any:
    return redirect(local_path(request.form.get("zurueck"), url_for("cases.show", case_id=case_id)))


@blueprint.route("/faelle/neu", methods=["GET", "POST"])
@case_role_required
def intake() -> Any:
    """Neuen Fall anlegen: customer number and the first appointment (the Erstgespräch, in person)."""
    source = request.form if request.method == "POST" else request.args
    proposed = source.get("beginn", "")
    day_text, time_text = source.get("tag", ""), source.get("uhrzeit", "")
    if proposed and not day_text:
        try:
            moment = datetime.fromisoformat(proposed).astimezone(BERLIN)
            day_text, time_text = moment.date().isoformat(), moment.strftime("%H:%M")
        except ValueError:
            pass
    values = {"kundennummer": source.get("kundennummer", ""), "tag": day_text, "uhrzeit": time_text}
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            case_id = Caseload(workplace()).intake(me(), values["kundennummer"],
                                                   first_session=form_moment(day_text, time_text))
        except FormError as error:
            errors.update(field_errors(error, {"erstgespraech": "tag"}))
        except ConflictError as error:
            errors["kundennummer"] = str(error)
        else:
            flash("Fall angelegt; das Erstgespräch ist gebucht.", "hinweis")
            return redirect(url_for("cases.show", case_id=case_id))
    return render_template("intake.html", values=values, errors=errors), (422 if errors else 200)


@blueprint.post("/termine/<int:appointment_id>/versaeumt")
@case_role_required
def missed(appointment_id: int) -> Any:
    case_id = request.form.get("fall", type=int) or 0
    try:
        outcome = _agenda().record_missed(me(), appointment_id)
    except REFUSALS as error:
        flash(str(error), "fehler")
    else:
        flash("Termin als versäumt erfasst; das Meldeversäumnis ist zu prüfen.", "hinweis")
        for note in outcome.notes:
            flash(note, "hinweis")
    return _back(case_id)


def _in_place(case_id: int, form: str, error: Exception, fields: dict[str, str] | None = None) -> Any:
    """The case file again with the refused form open, its messages next to its fields (`fields` renames a
    command's field to the form's) and the input kept; nothing was changed."""
    return render_case(case_id, failed=form, errors=field_errors(error, fields), values=request.form.to_dict())


@blueprint.post("/faelle/<int:case_id>/termine")
@case_role_required
def book(case_id: int) -> Any:
    """Book an appointment from the case file (the form opens with the day the contact density proposes)."""
    form = request.form
    try:
        starts_at = form_moment(form.get("tag"), form.get("uhrzeit"))
        _agenda().book(me(), case_id, starts_at=starts_at, kind=form.get("art", ""), purpose=form.get("zweck", ""),
                       with_rfb=form.get("rfb") == "ja")
    except REFUSALS as error:
        return _in_place(case_id, "termin", error, {"beginn": "tag", "ifk": GENERAL})
    flash(f"Termin am {datetime_text(starts_at)} gebucht.", "hinweis")
    return _back(case_id)


@blueprint.post("/faelle/<int:case_id>/wiedervorlagen")
@case_role_required
def add_follow_up(case_id: int) -> Any:
    errors: dict[str, str] = {}
    day = form_day(request.form.get("am"), "am", errors)
    try:
        if day is None:
            raise FormError(errors)
        _agenda().add_follow_up(me(), case_id, due_on=day, reason=request.form.get("grund", ""))
    except REFUSALS as error:
        return _in_place(case_id, "wiedervorlage", error, {"wiedervorlageAm": "am", "ifk": GENERAL})
    flash(f"Wiedervorlage zum {date_text(day)} angelegt.", "hinweis")
    return _back(case_id)


@blueprint.post("/wiedervorlagen/<int:follow_up_id>/erledigt")
@case_role_required
def follow_up_done(follow_up_id: int) -> Any:
    try:
        _agenda().follow_up_done(me(), follow_up_id)
    except (AgendaError, ConflictError) as error:
        flash(str(error), "fehler")
    else:
        flash("Wiedervorlage erledigt.", "hinweis")
    return redirect(local_path(request.form.get("zurueck"), url_for("inbox.show")))


@blueprint.post("/faelle/<int:case_id>/ereignis")
@case_role_required
def incoming(case_id: int) -> Any:
    """An event from outside the case waits for: proof received, statement received, conciliation ended."""
    message = request.form.get("ereignis", "")
    try:
        outcome = _agenda().record_incoming(me(), case_id, message)
    except REFUSALS as error:
        return _in_place(case_id, "ereignis", error)
    flash(f"»{INCOMING_MESSAGES[message]}« erfasst.", "hinweis")
    for note in outcome.notes:
        flash(note, "hinweis")
    return _back(case_id)


@blueprint.post("/faelle/<int:case_id>/kontakte")
@case_role_required
def contact(case_id: int) -> Any:
    """A contact that is no counselling session (e-mail, letter, a call): kept, not counted as a session."""
    try:
        _agenda().record_contact(me(), case_id, kind=request.form.get("art", ""), note=request.form.get("notiz", ""))
    except REFUSALS as error:
        return _in_place(case_id, "kontakt", error)
    flash("Kontakt erfasst (zählt nicht als Beratungsgespräch).", "hinweis")
    return _back(case_id)


@blueprint.post("/faelle/<int:case_id>/uebergabe")
@case_role_required
def hand_over(case_id: int) -> Any:
    to = request.form.get("an", "")
    try:
        Caseload(workplace()).hand_over(me(), case_id, to, request.form.get("grund", ""))
    except REFUSALS as error:
        return _in_place(case_id, "uebergabe", error, {"ifk": "an"})
    flash(f"Fall an {to} übergeben; künftige Termine, offene Wiedervorlagen und Aufgaben gehen mit.", "hinweis")
    return _back(case_id)


@blueprint.post("/faelle/<int:case_id>/schliessen")
@case_role_required
def close(case_id: int) -> Any:
    try:
        Caseload(workplace()).close(me(), case_id, request.form.get("grund", ""))
    except REFUSALS as error:
        return _in_place(case_id, "schliessen", error)
    flash("Fall geschlossen; der laufende Zyklus ist beendet, geplante Termine sind abgesagt.", "hinweis")
    return _back(case_id)


@blueprint.post("/faelle/<int:case_id>/wiedereroeffnen")
@case_role_required
def reopen(case_id: int) -> Any:
    try:
        Caseload(workplace()).reopen(me(), case_id)
    except REFUSALS as error:
        return _in_place(case_id, "wiedereroeffnen", error)
    flash("Fall wieder eröffnet; ein neuer Zyklus hat begonnen.", "hinweis")
    return _back(case_id)


@blueprint.get("/faelle/suche")
@case_role_required
def search() -> Any:
    """Search by customer number in the own team; one hit opens the case file."""
    text = request.args.get("q", "").strip()
    hits = find_cases(services(), me(), text) if text else []
    if len(hits) == 1 and hits[0].customer_number == text.upper().replace(" ", ""):
        return redirect(url_for("cases.show", case_id=hits[0].id))
    return render_template("search.html", text=text, hits=hits)
