"""The QA simulation page: run the scenarios, step through a case by hand, save the walk as a scenario."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import date
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import login_required

from engine.runtime.clock import BERLIN
from engine.runtime.durations import DurationError, parse_duration
from engine.simulation.report import ViewerMissing, read_viewer, write_html
from engine.simulation.runner import Simulator, scenario_files
from engine.simulation.suite import run_suite
from engine.simulation.walk import Walk, Walks, replay, write_scenario
from web import VENDOR
from web.auth import me, services, workplace
from web.forms import parse_submission, widget

blueprint = Blueprint("simulation", __name__)
F = TypeVar("F", bound=Callable[..., Any])
PROCESSES = Path("processes")


def qa_required(view: F) -> F:
    @wraps(view)
    @login_required
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not me().rights.simulates:
            workplace().refuse(me(), request.path)
            abort(403)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def simulator() -> Simulator:
    """One prepared simulator per app (schema and diagrams in a template database)."""
    found: Simulator | None = current_app.extensions.get("sro.simulator")
    if found is None:
        found = current_app.extensions["sro.simulator"] = Simulator(PROCESSES)
    return found


def walks() -> Walks:
    return Walks(services())


def saved_dir() -> Path:
    """Where walks saved as scenarios go on the server (not into the repository's processes/)."""
    folder = Path(os.environ.get("SRO_SCENARIO_DIR", Path(os.environ.get("SRO_VAR", "var")) / "szenarien"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def reports_dir() -> Path:
    folder = Path(os.environ.get("SRO_VAR", "var")) / "berichte"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def suite_paths() -> list[Path]:
    return [PROCESSES / "scenarios", saved_dir()]


@blueprint.get("/simulation")
@qa_required
def overview() -> Any:
    return render_template("simulation.html", walks=walks().list(me().username), files=scenario_files(suite_paths()),
                           today=services().clock.today())


@blueprint.post("/simulation/ausfuehren")
@qa_required
def run_all() -> Any:
    result = run_suite(scenario_files(suite_paths()), simulator())
    try:
        viewer = read_viewer(VENDOR / "bpmn-js" / "dist")
    except ViewerMissing as error:  # the results still show; only the report with the diagrams is missing
        return render_template("simulation_results.html", suite=result, report=None, report_error=str(error))
    name = f"bericht-{services().clock.now().astimezone(BERLIN):%Y%m%d-%H%M%S}.html"
    write_html(reports_dir() / name, result.scenarios, result.diagrams, viewer)
    return render_template("simulation_results.html", suite=result, report=name, report_error=None)


@blueprint.get("/simulation/berichte/<name>")
@qa_required
def report(name: str) -> Any:
    if not re.fullmatch(r"bericht-\d{8}-\d{6}\.html", name):
        abort(404)
    path = reports_dir() / name
    if not path.exists():
        abort(404)
    return send_file(path.resolve(), mimetype="text/html")


@blueprint.post("/simulation/durchgaenge")
@qa_required
def create_walk() -> Any:
    try:
        start = date.fromisoformat(request.form.get("beginn", ""))
    except ValueError:
        start = services().clock.today()
    created = walks().create(me().username, request.form.get("name", ""), start)
    return redirect(url_for("simulation.walk", walk_id=created.id))


@blueprint.get("/simulation/durchgaenge/<int:walk_id>")
@qa_required
def walk(walk_id: int) -> Any:
    found = walks().get(walk_id, me().username)
    result = replay(simulator(), found.name, found.start, found.steps)
    return render_template("simulation_walk.html", walk=found, result=result, errors={}, widget=widget,
                           names=_element_names())


def _element_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for name, ids in simulator().element_names.items():
        if len(ids) == 1 and name != ids[0]:
            names.setdefault(ids[0], name)
    return names


@blueprint.post("/simulation/durchgaenge/<int:walk_id>/schritt")
@qa_required
def add_step(walk_id: int) -> Any:
    found = walks().get(walk_id, me().username)
    action = request.form.get("aktion")
    step: dict[str, Any]
    if action == "erledige":
        element = request.form.get("element", "")
        definition = next((definition for task, definition in _current_tasks(found) if task.element_id == element),
                          None)
        if definition is None:
            flash("Diese Aufgabe ist nicht offen.", "fehler")
            return redirect(url_for("simulation.walk", walk_id=walk_id))
        step = {"erledige": element, "mit": parse_submission(definition, request.form, False)}
    elif action == "warte":
        duration = request.form.get("dauer", "").strip().upper()
        try:
            parse_duration(duration)
        except DurationError as error:
            flash(str(error), "fehler")
            return redirect(url_for("simulation.walk", walk_id=walk_id))
        step = {"warte": duration}
    elif action == "nachricht":
        step = {"nachricht": request.form.get("nachricht", "")}
    else:
        abort(400)
    steps = [*found.steps, step]
    result = replay(simulator(), found.name, found.start, steps)
    if result.failures:  # the step does not fit: keep the walk as it was and say why
        flash("Der Schritt wurde nicht übernommen: " + result.failures[-1].split(": ", 1)[-1], "fehler")
        return redirect(url_for("simulation.walk", walk_id=walk_id))
    walks().save_steps(walk_id, me().username, steps)
    return redirect(url_for("simulation.walk", walk_id=walk_id))


def _current_tasks(found: Walk) -> list[tuple[Any, Any]]:
    result = replay(simulator(), found.name, found.start, found.steps)
    return result.snapshot.tasks if result.snapshot else []


@blueprint.post("/simulation/durchgaenge/<int:walk_id>/zurueck/<int:count>")
@qa_required
def back(walk_id: int, count: int) -> Any:
    found = walks().get(walk_id, me().username)
    walks().save_steps(walk_id, me().username, found.steps[:max(0, count)])
    flash(f"Zurück zum Stand nach Schritt {count}.", "hinweis")
    return redirect(url_for("simulation.walk", walk_id=walk_id))


@blueprint.post("/simulation/durchgaenge/<int:walk_id>/speichern")
@qa_required
def save(walk_id: int) -> Any:
    path = write_scenario(walks().get(walk_id, me().username), saved_dir(), simulator())
    flash(f"Als Szenario gespeichert: {path.name}", "hinweis")
    return redirect(url_for("simulation.walk", walk_id=walk_id))
