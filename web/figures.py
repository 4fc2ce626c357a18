"""Weekly figures per IFK and team (placeholder until the figures work lands)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from web.auth import case_worker_required

blueprint = Blueprint("figures", __name__)


@blueprint.get("/wochenzahlen")
@case_worker_required
def weekly() -> Any:
    return render_template("error.html", status=200, title="Wochenzahlen", message="Folgt.")
