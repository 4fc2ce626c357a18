"""The counsellor's calendar (`/kalender`): a day or a week of appointments with the free 45-minute slots,
the sessions held that week against 20 per full-time equivalent, and booking a free slot for a case.
A counsellor sees their own calendar, a team lead each team member's."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from engine.agenda import AgendaError
from engine.domain.agenda import APPOINTMENT_KINDS, IN_PERSON
from engine.domain.staff import StaffMember
from engine.queries.agenda import calendar, find_cases
from engine.queries.appointments import booking_proposal
from engine.runtime.clock import BERLIN, week_start_of
from engine.runtime.errors import FormError
from engine.runtime.formatting import datetime_text
from engine.workplace.agenda import Agenda
from web.auth import case_role_required, me, services, workplace

blueprint = Blueprint("calendar", __name__)

VIEWS = {"tag": 1, "woche": 5}  # a day, or a working week from its Monday
FURTHEST_YEARS = 2  # the calendar pages from two years back to two years ahead


def _day(text: str | None) -> date:
    """The day asked for, or today; a day that is no date or lies too far off is refused with a message."""
    today = services().clock.today()
    if not text:
        return today
    try:
        day = date.fromisoformat(text)
    except ValueError:
        flash(f"»{text}« ist kein Datum (JJJJ-MM-TT); gezeigt wird heute.", "fehler")
        return today
    if abs((day - today).days) > FURTHEST_YEARS * 366:
        flash(f"Der Kalender reicht {FURTHEST_YEARS} Jahre zurück und voraus; gezeigt wird heute.", "fehler")
        return today
    return day


def _whose(username: str | None) -> tuple[StaffMember, list[StaffMember]]:
    """Whose calendar is shown, and whom the viewer may choose: a team lead any member of the team, a
    counsellor only themselves."""
    viewer = me()
    team = [member for member in workplace().team_members(viewer.team or "")
            if member.sees_cases and member.active] if viewer.rights.leads_team else []
    if not username or username == viewer.username:
        return viewer, team
    chosen = next((member for member in team if member.username == username), None)
    if chosen is None:
        abort(403)
    return chosen, team


@blueprint.get("/kalender")
@case_role_required
def show() -> Any:
    holder, team = _whose(request.args.get("ifk"))
    view = request.args.get("ansicht", "woche")
    if view not in VIEWS:
        view = "woche"
    day = _day(request.args.get("tag"))
    first = week_start_of(day) if view == "woche" else day
    shown = calendar(services(), holder.username, first, VIEWS[view])
    step = timedelta(days=7 if view == "woche" else 1)
    return render_template("calendar.html", cal=shown, view=view, day=day, team=team, holder=holder,
                           earlier=first - step, later=first + step, today=services().clock.today(),
                           case_id=request.args.get("fall", type=int), moving=request.args.get("termin", type=int))


def _moment(text: str | None) -> datetime | None:
    """The chosen slot's start (a link of the calendar), or None when it is no moment."""
    try:
        moment = datetime.fromisoformat(text or "")
    except ValueError:
        return None
    return moment.replace(tzinfo=BERLIN) if moment.tzinfo is None else moment


@blueprint.route("/kalender/buchen", methods=["GET", "POST"])
@case_role_required
def book() -> Any:
    """Book the chosen slot for a case: from the case file (`fall`) or by customer number."""
    source = request.form if request.method == "POST" else request.args
    holder, _ = _whose(source.get("ifk"))
    starts_at = _moment(source.get("beginn"))
    if starts_at is None:
        flash(f"»{source.get('beginn', '')}« ist kein Zeitpunkt; bitte eine freie Zeit im Kalender wählen.", "fehler")
        return redirect(url_for("calendar.show", ifk=holder.username))
    case_id = source.get("fall", type=int)
    case = workplace().case_for(me(), case_id) if case_id else None
    # in person where the concept wants it (start phase, unreliable clients), else as last agreed
    proposal = booking_proposal(services(), case.id) if case is not None else None
    number = source.get("kundennummer", "").strip().upper()
    kind = source.get("art") or (proposal.kind if proposal is not None else IN_PERSON)
    purpose, with_rfb = source.get("zweck", "Beratungsgespräch"), source.get("rfb") == "ja"
    values = {"kundennummer": number, "art": kind, "zweck": purpose, "rfb": with_rfb}
    errors: dict[str, str] = {}
    if request.method == "POST":
        if case is None:
            hits = [hit for hit in find_cases(services(), me(), number) if hit.customer_number == number]
            if not hits:
                errors["kundennummer"] = "Einen Fall mit dieser Kundennummer gibt es in Ihrem Team nicht."
            else:
                case_id = hits[0].id
        if not errors and case_id is not None:
            try:
                workplace_agenda().book(me(), case_id, starts_at=starts_at, kind=kind, purpose=purpose,
                                        with_rfb=with_rfb, counsellor=holder.username)
            except FormError as error:
                errors.update(error.errors)
            except AgendaError as error:
                errors["beginn"] = str(error)
            else:
                flash(f"Termin am {datetime_text(starts_at)} gebucht.", "hinweis")
                return redirect(url_for("calendar.show", ifk=holder.username, tag=starts_at.astimezone(BERLIN)
                                        .date().isoformat(), ansicht="tag"))
    return render_template("calendar_book.html", holder=holder, starts_at=starts_at, case=case, values=values,
                           errors=errors, kinds=APPOINTMENT_KINDS,
                           in_person_because=proposal.in_person_because if proposal is not None else None), \
        (422 if errors else 200)


def workplace_agenda() -> Agenda:
    return Agenda(workplace())
