"""Deployed processes and versions: the start page for process owners, QA and administration."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template
from flask_login import login_required
from sqlalchemy import func, select

from engine.domain.case import Case
from engine.runtime.store import ProcessVersion

blueprint = Blueprint("processes", __name__)


@blueprint.get("/prozesse")
@login_required
def show() -> Any:
    services = current_app.extensions["sro"]
    with services.engine.database.session() as session:
        versions = session.scalars(select(ProcessVersion).order_by(ProcessVersion.process_id,
                                                                   ProcessVersion.version.desc())).all()
        total = session.scalar(select(func.count(Case.id))) or 0
    return render_template("processes.html", versions=versions, total=total)
