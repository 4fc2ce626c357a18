"""The case file (Fallakte): header, plan, appointments, demands, decisions, timeline and diagram."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, render_template, send_from_directory

from engine.queries import case_file
from web import VENDOR
from web.auth import case_worker_required, me, workplace

blueprint = Blueprint("cases", __name__)

# Only these files of the npm packages are served: the viewer bundle and its styles.
VENDOR_FILES = {
    "bpmn-js/dist/bpmn-navigated-viewer.production.min.js",
    "bpmn-js/dist/assets/diagram-js.css",
    "bpmn-js/dist/assets/bpmn-js.css",
    "bpmn-js/dist/assets/bpmn-font/css/bpmn.css",
}


@blueprint.get("/faelle/<int:case_id>")
@case_worker_required
def show(case_id: int) -> Any:
    services = current_app.extensions["sro"]
    workplace().case_for(me(), case_id, log_view=True)
    with services.engine.database.session() as session:
        found = case_file(session, services.engine, case_id)
    return render_template("case.html", file=found, now=services.engine.clock.now())


@blueprint.get("/vendor/<path:name>")
def vendor(name: str) -> Any:
    if name not in VENDOR_FILES and not name.startswith("bpmn-js/dist/assets/bpmn-font/font/"):
        abort(404)
    return send_from_directory(VENDOR, name, max_age=86400)
