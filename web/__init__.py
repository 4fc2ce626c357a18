"""The Flask web application: thin views over the engine's service functions and read models."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, render_template
from flask_login import LoginManager
from flask_wtf.csrf import CSRFError, CSRFProtect

from engine.runtime.clock import berlin_date
from engine.runtime.errors import ConflictError, EngineError, NotFoundError
from engine.runtime.formatting import (
    date_text,
    datetime_text,
    number_text,
    percent_text,
    time_text,
    weekday_text,
)
from engine.workplace.commands import AccessDenied, Workplace
from web import edge
from web.links import link

VENDOR = Path(__file__).resolve().parent / "node_modules"


def create_app(services: Any, config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=os.environ.get("SRO_SECRET_KEY") or secret_key(),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # Chromium and Firefox accept Secure cookies on http://127.0.0.1 and localhost, so this holds in
        # development too; behind a proxy the site is served over HTTPS anyway.
        SESSION_COOKIE_SECURE=True,
        REMEMBER_COOKIE_SECURE=True,
        REMEMBER_COOKIE_HTTPONLY=True,
        WTF_CSRF_TIME_LIMIT=None,
        PERMANENT_SESSION_LIFETIME=8 * 3600,
    )
    app.config.update(config or {})
    app.extensions["sro"] = services
    app.extensions["sro.workplace"] = Workplace(services)
    limiter = edge.install(app)
    CSRFProtect(app)
    login = LoginManager(app)
    login.login_view = "auth.login"
    login.login_message = "Bitte melden Sie sich an."
    login.login_message_category = "hinweis"

    from web import (
        agenda,
        appointments,
        auth,
        calendar,
        cases,
        health,
        inbox,
        letters,
        processes,
        simulation,
        tasks,
        weekly_figures,
    )

    login.user_loader(auth.load_user)
    for blueprint in (auth.blueprint, inbox.blueprint, tasks.blueprint, cases.blueprint, weekly_figures.blueprint,
                      processes.blueprint, simulation.blueprint, calendar.blueprint, agenda.blueprint,
                      appointments.blueprint, letters.blueprint, health.blueprint):
        app.register_blueprint(blueprint)
    app.view_functions["auth.login"] = edge.limit_sign_in(limiter, app.view_functions["auth.login"])

    @app.after_request
    def security_headers(response: Any) -> Any:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Cache-Control", "no-store")
        # bpmn-js styles SVG elements inline; scripts come only from this site.
        response.headers.setdefault("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                                    "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'")
        return response

    def error_page(status: int, title: str, message: str) -> tuple[str, int]:
        return render_template("error.html", status=status, title=title, message=message), status

    @app.errorhandler(AccessDenied)
    def forbidden(error: AccessDenied) -> tuple[str, int]:
        return error_page(403, "Kein Zugriff", str(error))

    @app.errorhandler(NotFoundError)
    def not_found(error: NotFoundError) -> tuple[str, int]:
        return error_page(404, "Nicht gefunden", str(error))

    @app.errorhandler(ConflictError)
    def conflict(error: ConflictError) -> tuple[str, int]:
        return error_page(409, "Zwischenzeitlich geändert", str(error))

    @app.errorhandler(EngineError)
    def engine_error(error: EngineError) -> tuple[str, int]:
        return error_page(422, "Nicht ausgeführt", f"{error} Es wurde nichts gespeichert.")

    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError) -> tuple[str, int]:
        return error_page(400, "Formular abgelaufen", "Das Formular ist abgelaufen oder unvollständig. Bitte laden Sie "
                                                      "die Seite neu und senden Sie es erneut.")

    app.add_template_filter(date_text, "datum")
    app.add_template_filter(datetime_text, "zeit")
    app.add_template_filter(number_text, "zahl")
    app.add_template_filter(time_text, "uhrzeit")
    app.add_template_filter(weekday_text, "wochentag")
    app.add_template_filter(percent_text, "prozent")
    app.add_template_filter(lambda moment: berlin_date(moment).isoformat(), "berlin_tag")  # for date inputs and links
    app.add_template_global(link, "link")  # url_for for the rows of a list (web/links.py)

    @app.context_processor
    def labels() -> dict[str, Any]:
        from engine.domain.labels import LABELS

        return {"labels": LABELS}

    return app


def secret_key() -> str:
    """A key kept under var/ so sessions survive a restart; created on first start."""
    path = Path(os.environ.get("SRO_VAR", "var")) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key
