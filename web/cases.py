"""The case file (Fallakte): header, plan, appointments, demands, decisions, timeline and diagram."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, send_from_directory

from engine.queries import case_file
from engine.queries.agenda import case_agenda
from web import VENDOR
from web.auth import case_role_required, me, services, workplace

blueprint = Blueprint("cases", __name__)

# Only these files of the npm packages are served: the viewer bundle and its styles.
VENDOR_FILES = {
    "bpmn-js/dist/bpmn-navigated-viewer.production.min.js",
    "bpmn-js/dist/assets/diagram-js.css",
    "bpmn-js/dist/assets/bpmn-js.css",
    "bpmn-js/dist/assets/bpmn-font/css/bpmn.css",
}


@blueprint.get("/faelle/<int:case_id>")
@case_role_required
def show(case_id: int) -> Any:
    workplace().case_for(me(), case_id, log_view=True)
    return render_template("case.html", file=case_file(services(), case_id), agenda=case_agenda(services(), case_id),
                           now=services().clock.now())


@blueprint.get("/vendor/<path:name>")
def vendor(name: str) -> Any:
    if name not in VENDOR_FILES and not name.startswith("bpmn-js/dist/assets/bpmn-font/font/"):
        abort(404)
    return send_from_directory(VENDOR, name, max_age=86400)
