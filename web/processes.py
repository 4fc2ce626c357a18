"""Deployed processes and versions: the start page for process owners, QA and administration."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask_login import login_required

from engine.queries import process_overview
from web.auth import services

blueprint = Blueprint("processes", __name__)


@blueprint.get("/prozesse")
@login_required
def show() -> Any:
    overview = process_overview(services())
    return render_template("processes.html", versions=overview.versions, total=overview.cases)
