"""The case file (Fallakte): header, plan, appointments, demands, decisions, timeline and diagram, and the
forms to act on the case; a refused form is shown again in place with its German messages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, abort, render_template, send_from_directory

from engine.domain.agenda import APPOINTMENT_KINDS
from engine.domain.case import CLOSE_REASONS, CLOSED
from engine.domain.labels import INCOMING_MESSAGES
from engine.domain.staff import COUNSELLOR
from engine.queries import case_file
from engine.queries.agenda import case_agenda
from engine.queries.appointments import booking_proposal
from engine.runtime.clock import BERLIN
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
    return render_case(case_id)


def render_case(case_id: int, *, failed: str | None = None, errors: Mapping[str, str] | None = None,
                values: Mapping[str, Any] | None = None) -> Any:
    """The case file page; after a refused form (`failed` names it) with the form open, its German messages
    next to the fields and the input kept, answered 422 (nothing was changed)."""
    viewer = me()
    case = workplace().case_for(viewer, case_id, log_view=True)
    colleagues = [member for member in workplace().team_members(case.team)
                  if member.role == COUNSELLOR and member.username != case.counsellor]
    proposal = booking_proposal(services(), case_id)
    proposed = proposal.starts_at.astimezone(BERLIN) if proposal.starts_at else None
    page = render_template(
        "case.html", file=case_file(services(), case_id), agenda=case_agenda(services(), case_id),
        proposal=proposal, proposed=proposed, now=services().clock.now(), today=services().clock.today(),
        colleagues=colleagues, may_hand_over=viewer.rights.leads_team or case.counsellor == viewer.username,
        close_reasons=CLOSE_REASONS, incoming_labels=INCOMING_MESSAGES, closed=case.status == CLOSED,
        kinds=APPOINTMENT_KINDS, failed=failed, errors=dict(errors or {}), values=dict(values or {}))
    return (page, 422) if failed else page


@blueprint.get("/vendor/<path:name>")
def vendor(name: str) -> Any:
    if name not in VENDOR_FILES and not name.startswith("bpmn-js/dist/assets/bpmn-font/font/"):
        abort(404)
    return send_from_directory(VENDOR, name, max_age=86400)
