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
from sqlalchemy import select

from engine.runtime.clock import BERLIN
from engine.runtime.durations import DurationError, parse_duration
from engine.simulation.coverage import coverage
from engine.simulation.runner import Simulator, scenario_files
from engine.simulation.scenario import ScenarioError
from engine.simulation.walk import SimulationWalk, replay, to_yaml
from web.auth import me, workplace
from web.tasks import _parse, widget

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


def saved_dir() -> Path:
    """Where walks saved as scenarios go on the server (not into the repository's processes/)."""
    folder = Path(os.environ.get("SRO_SCENARIO_DIR", Path(os.environ.get("SRO_VAR", "var")) / "szenarien"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def reports_dir() -> Path:
    folder = Path(os.environ.get("SRO_VAR", "var")) / "berichte"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@blueprint.get("/simulation")
@qa_required
def overview() -> Any:
    services = current_app.extensions["sro"]
    with services.engine.database.session() as session:
        walks = session.scalars(select(SimulationWalk).where(SimulationWalk.owner == me().username)
                                .order_by(SimulationWalk.updated_at.desc())).all()
    files = scenario_files([PROCESSES / "scenarios", saved_dir()])
    return render_template("simulation.html", walks=walks, files=files, today=services.clock.today())


@blueprint.post("/simulation/ausfuehren")
@qa_required
def run_all() -> Any:
    from engine.simulation import decisions as decision_tests
    from engine.simulation.report import write_html

    sim = simulator()
    every = scenario_files([PROCESSES / "scenarios", saved_dir()])
    tables = [path for path in every if decision_tests.is_decision_test(path)]
    results, errors = [], []
    for path in every:
        if path in tables:
            continue
        try:
            results.append(sim.run(sim.load(path)))
        except ScenarioError as error:
            errors.append(str(error))
    reached = set().union(*(result.reached for result in results)) if results else set()
    diagrams = coverage(sim.documents, reached, [seq for result in results for seq in result.sequences])
    name = f"bericht-{current_app.extensions['sro'].clock.now().astimezone(BERLIN):%Y%m%d-%H%M%S}.html"
    write_html(reports_dir() / name, results, diagrams)
    return render_template("simulation_results.html", results=results, errors=errors, diagrams=diagrams,
                           report=name)


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
    services = current_app.extensions["sro"]
    name = request.form.get("name", "").strip() or "Durchgang"
    try:
        start = date.fromisoformat(request.form.get("beginn", ""))
    except ValueError:
        start = services.clock.today()
    now = services.engine.clock.now()
    with services.unit_of_work() as work:
        walk = SimulationWalk(owner=me().username, name=name[:200], start=start.isoformat(), steps=[],
                              created_at=now, updated_at=now)
        work.session.add(walk)
        work.session.flush()
        walk_id = walk.id
        work.commit()
    return redirect(url_for("simulation.walk", walk_id=walk_id))


def _walk(walk_id: int) -> SimulationWalk:
    services = current_app.extensions["sro"]
    with services.engine.database.session() as session:
        found: SimulationWalk | None = session.get(SimulationWalk, walk_id)
    if found is None or found.owner != me().username:
        abort(404)
    return found


@blueprint.get("/simulation/durchgaenge/<int:walk_id>")
@qa_required
def walk(walk_id: int) -> Any:
    found = _walk(walk_id)
    result = replay(simulator(), found.name, date.fromisoformat(found.start), found.steps)
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
    found = _walk(walk_id)
    action = request.form.get("aktion")
    step: dict[str, Any]
    if action == "erledige":
        element = request.form.get("element", "")
        definition = next((definition for task, definition in _current_tasks(found) if task.element_id == element),
                          None)
        if definition is None:
            flash("Diese Aufgabe ist nicht offen.", "fehler")
            return redirect(url_for("simulation.walk", walk_id=walk_id))
        step = {"erledige": element, "mit": _parse(definition, request.form, False)}
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
    result = replay(simulator(), found.name, date.fromisoformat(found.start), steps)
    if result.failures:  # the step does not fit: keep the walk as it was and say why
        flash("Der Schritt wurde nicht übernommen: " + result.failures[-1].split(": ", 1)[-1], "fehler")
        return redirect(url_for("simulation.walk", walk_id=walk_id))
    _save_steps(walk_id, steps)
    return redirect(url_for("simulation.walk", walk_id=walk_id))


def _current_tasks(found: SimulationWalk) -> list[tuple[Any, Any]]:
    result = replay(simulator(), found.name, date.fromisoformat(found.start), found.steps)
    return result.snapshot.tasks if result.snapshot else []


@blueprint.post("/simulation/durchgaenge/<int:walk_id>/zurueck/<int:count>")
@qa_required
def back(walk_id: int, count: int) -> Any:
    found = _walk(walk_id)
    _save_steps(walk_id, found.steps[:max(0, count)])
    flash(f"Zurück zum Stand nach Schritt {count}.", "hinweis")
    return redirect(url_for("simulation.walk", walk_id=walk_id))


@blueprint.post("/simulation/durchgaenge/<int:walk_id>/speichern")
@qa_required
def save(walk_id: int) -> Any:
    found = _walk(walk_id)
    slug = re.sub(r"[^a-z0-9]+", "_", found.name.lower()).strip("_") or "durchgang"
    path = saved_dir() / f"{slug}_{walk_id}.yaml"
    path.write_text(to_yaml(found.name, date.fromisoformat(found.start), found.steps, simulator()), encoding="utf-8")
    flash(f"Als Szenario gespeichert: {path}", "hinweis")
    return redirect(url_for("simulation.walk", walk_id=walk_id))


def _save_steps(walk_id: int, steps: list[dict[str, Any]]) -> None:
    services = current_app.extensions["sro"]
    with services.unit_of_work() as work:
        found = work.session.get(SimulationWalk, walk_id)
        assert found is not None
        found.steps = steps
        found.updated_at = services.engine.clock.now()
        work.commit()
