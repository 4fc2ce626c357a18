"""`/gesundheit`: whether this web process can serve (database reachable, schema current), for load balancers."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from engine.health import check
from web.auth import services

blueprint = Blueprint("health", __name__)


@blueprint.get("/gesundheit")
def show() -> Any:
    """200 with {"status": "ok"} or 503 with the German reason; no sign-in, no case data, no internals."""
    report = check(services().engine.database)
    return jsonify(report.as_json()), 200 if report.ok else 503
