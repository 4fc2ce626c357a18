"""The task inbox: my tasks and my team's, filtered, ordered and paged on the server."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from engine.queries import PAGE_SIZE, InboxFilter, inbox
from web.auth import case_worker_required, local_path, me, workplace

blueprint = Blueprint("inbox", __name__)


@blueprint.get("/eingang")
@case_worker_required
def show() -> Any:
    services = current_app.extensions["sro"]
    wanted = InboxFilter.from_params(request.args)
    with services.engine.database.session() as session:
        rows, total = inbox(session, me(), wanted, services.engine.clock.now())
    pages = max(1, -(-total // PAGE_SIZE))
    return render_template("inbox.html", rows=rows, total=total, wanted=wanted, pages=pages,
                           saved=workplace().filters(me()), now=services.engine.clock.now())


@blueprint.post("/eingang/filter")
@case_worker_required
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
@case_worker_required
def delete_filter(filter_id: int) -> Any:
    workplace().delete_filter(me(), filter_id)
    return redirect(url_for("inbox.show"))


@blueprint.post("/aufgaben/<task_id>/uebernehmen")
@case_worker_required
def claim(task_id: str) -> Any:
    workplace().claim(me(), task_id)
    flash("Aufgabe übernommen.", "hinweis")
    return redirect(local_path(request.form.get("zurueck"), url_for("inbox.show")))


@blueprint.post("/aufgaben/<task_id>/freigeben")
@case_worker_required
def unclaim(task_id: str) -> Any:
    workplace().unclaim(me(), task_id)
    flash("Aufgabe freigegeben.", "hinweis")
    return redirect(local_path(request.form.get("zurueck"), url_for("inbox.show")))
