"""The case file (Fallakte): header, plan, appointments, demands, decisions, timeline and diagram."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, send_from_directory

from engine.domain.case import CLOSE_REASONS, CLOSED
from engine.domain.labels import INCOMING_MESSAGES
from engine.domain.staff import COUNSELLOR
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
    case = workplace().case_for(me(), case_id, log_view=True)
    colleagues = [member for member in workplace().team_members(case.team)
                  if member.role == COUNSELLOR and member.username != case.counsellor]
    return render_template("case.html", file=case_file(services(), case_id), agenda=case_agenda(services(), case_id),
                           now=services().clock.now(), colleagues=colleagues, close_reasons=CLOSE_REASONS,
                           incoming_labels=INCOMING_MESSAGES, closed=case.status == CLOSED)


@blueprint.get("/vendor/<path:name>")
def vendor(name: str) -> Any:
    if name not in VENDOR_FILES and not name.startswith("bpmn-js/dist/assets/bpmn-font/font/"):
        abort(404)
    return send_from_directory(VENDOR, name, max_age=86400)
