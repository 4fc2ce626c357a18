"""The Flask web application: thin views over the engine's service functions."""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template
from sqlalchemy import func, select

from engine.domain.case import Case
from engine.runtime.store import OpenTask, ProcessVersion


def create_app(services: Any, config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(config or {})
    app.extensions["sro"] = services

    @app.after_request
    def security_headers(response: Any) -> Any:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", "default-src 'self'")
        return response

    @app.get("/")
    def overview() -> str:
        with services.engine.database.session() as session:
            versions = session.scalars(select(ProcessVersion).order_by(ProcessVersion.process_id,
                                                                       ProcessVersion.version.desc())).all()
            cases = session.execute(
                select(Case.id, Case.customer_number, Case.team, Case.cycle_count,
                       func.count(OpenTask.id))
                .outerjoin(OpenTask, OpenTask.case_id == Case.id)
                .group_by(Case.id).order_by(Case.id).limit(200)).all()
            total = session.scalar(select(func.count(Case.id))) or 0
        return render_template("overview.html", versions=versions, cases=cases, total=total)

    return app
