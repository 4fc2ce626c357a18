"""The task inbox: my tasks and my team's, filtered, ordered and paged on the server."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from engine.queries import InboxFilter, inbox
from engine.queries.agenda import TodayPages, today
from engine.queries.inbox import PAGE_NUMBER
from web.auth import case_role_required, local_path, me, services, workplace

blueprint = Blueprint("inbox", __name__)


# The page of each »Heute« list: appointments, Wiedervorlagen, cases past their contact interval.
TODAY_PAGES = {"termin_seite": "appointments", "wv_seite": "follow_ups", "kontakt_seite": "contact_overdue"}


@blueprint.get("/eingang")
@case_role_required
def show() -> Any:
    for name in ("seite", *TODAY_PAGES):
        if name in request.args and not PAGE_NUMBER.fullmatch(request.args[name]):
            abort(400, "Die Seitenzahl muss eine ganze Zahl ab 1 sein.")
    wanted = InboxFilter.from_params(request.args)
    pages = TodayPages(**{field: int(request.args.get(name, "1")) for name, field in TODAY_PAGES.items()})
    page = inbox(services(), me(), wanted)
    # Links to another page of one list keep the filter, the task page and the pages of the other lists.
    here = {**wanted.params(), "seite": str(wanted.page),
            **{name: str(getattr(pages, field)) for name, field in TODAY_PAGES.items()}}
    return render_template("inbox.html", rows=page.rows, total=page.total, wanted=wanted, pages=page.pages,
                           saved=workplace().filters(me()), now=page.now, here=here,
                           today=today(services(), me(), mine_only=wanted.scope == "mine", pages=pages),
                           day=services().clock.today())


@blueprint.post("/eingang/filter")
@case_role_required
def save_filter() -> Any:
    wanted = InboxFilter.from_params(request.form)
    try:
        workplace().save_filter(me(), request.form.get("name", ""), wanted.params())
    except ValueError as error:
        flash(str(error), "fehler")
    else:
        flash("Filter gespeichert.", "hinweis")
    params: dict[str, Any] = dict(wanted.params())
    return redirect(url_for("inbox.show", **params))


@blueprint.post("/eingang/filter/<int:filter_id>/loeschen")
@case_role_required
def delete_filter(filter_id: int) -> Any:
    workplace().delete_filter(me(), filter_id)
    return redirect(url_for("inbox.show"))


@blueprint.post("/aufgaben/<task_id>/uebernehmen")
@case_role_required
def claim(task_id: str) -> Any:
    workplace().claim(me(), task_id)
    flash("Aufgabe übernommen.", "hinweis")
    return redirect(local_path(request.form.get("zurueck"), url_for("inbox.show")))


@blueprint.post("/aufgaben/<task_id>/freigeben")
@case_role_required
def unclaim(task_id: str) -> Any:
    workplace().unclaim(me(), task_id)
    flash("Aufgabe freigegeben.", "hinweis")
    return redirect(local_path(request.form.get("zurueck"), url_for("inbox.show")))
