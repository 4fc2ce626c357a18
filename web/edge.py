"""The web app's edge: request size, strict ids in URLs, sign-in rate limits, German error pages, no internals."""

from __future__ import annotations

import logging
import os
from typing import Any

from flask import Flask, Response, abort, render_template, request
from flask_limiter import Limiter, RequestLimit
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from engine.settings import database_unavailable, proxy_hops

MAX_REQUEST_BYTES = 1024 * 1024  # the largest form (a Kooperationsplan with 20 steps) is a few KB
# Per address and per account name, failed attempts only (a right password does not count): enough for someone
# who mistypes, far too few to guess a password, and a cap on what unauthenticated requests add to the audit log.
SIGN_IN_LIMITS = {"address": "10 per minute;50 per hour", "account": "5 per minute;20 per hour"}
LARGEST_ID = 2**31 - 1  # ids are INTEGER columns; PostgreSQL refuses anything larger

GERMAN = {  # status -> (title, message); Werkzeug's own texts are English and name internals
    400: ("Ungültige Anfrage", "Die Anfrage ist unvollständig oder fehlerhaft."),
    403: ("Kein Zugriff", "Dafür fehlt Ihnen die Berechtigung."),
    404: ("Nicht gefunden", "Diese Seite gibt es nicht."),
    405: ("Nicht erlaubt", "Diese Seite kann so nicht aufgerufen werden."),
    413: ("Zu groß", "Die gesendeten Daten sind zu groß (höchstens 1 MB). Es wurde nichts gespeichert."),
    429: ("Zu viele Versuche", "Zu viele fehlgeschlagene Anmeldungen. Bitte warten Sie einige Minuten und "
                              "versuchen Sie es dann erneut."),
    503: ("Datenbank nicht erreichbar", "Die Datenbank ist gerade nicht erreichbar. Es wurde nichts gespeichert. "
                                        "Bitte versuchen Sie es in einigen Minuten erneut."),
    500: ("Interner Fehler", "Die Anfrage konnte nicht ausgeführt werden. Es wurde nichts gespeichert. Bitte "
                             "versuchen Sie es später erneut; besteht der Fehler fort, wenden Sie sich an die "
                             "Administration."),
}
OWN_MESSAGES = {400, 403, 404}  # where the app raises its own German description with abort(status, text)
log = logging.getLogger("sro.web")


class StrictId(IntegerConverter):
    """`<int:...>` in every route: ASCII digits only, at most LARGEST_ID; anything else is a 404, never a 500."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", LARGEST_ID)
        super().__init__(map, *args, **kwargs)


def install(app: Flask) -> Limiter:
    """Limits, converters and error pages on the app (before its blueprints are registered)."""
    if app.config.get("MAX_CONTENT_LENGTH") is None:  # Flask's default: no limit
        app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    app.config["MAX_FORM_MEMORY_SIZE"] = app.config["MAX_CONTENT_LENGTH"]  # one text field may use all of it
    app.url_map.converters["int"] = StrictId
    hops = proxy_hops()
    if hops:  # behind a proxy the client's address (for the sign-in limits) comes from X-Forwarded-For
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    # One store per app: memory counts per process (with gunicorn: per worker, so N workers allow N times the
    # attempts); SRO_RATELIMIT_STORAGE (e.g. redis://host:6379) shares the counts between workers and servers.
    app.config.setdefault("RATELIMIT_STORAGE_URI", os.environ.get("SRO_RATELIMIT_STORAGE") or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    limiter = Limiter(get_remote_address, app=app, on_breach=_breached)

    @app.before_request
    def refuse_large_bodies() -> None:
        """Before the CSRF check reads the form (which would otherwise answer »Formular abgelaufen«)."""
        limit = app.config["MAX_CONTENT_LENGTH"]
        if request.content_length is not None and limit is not None and request.content_length > limit:
            abort(413)

    def plain(status: int) -> tuple[str, int]:
        """Rendered without the context processors: Flask-Login's would ask the database who is signed in."""
        title, message = GERMAN[status]
        return app.jinja_env.get_template("error_plain.html").render(title=title, message=message), status

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        status = error.code or 500
        if status < 400:  # redirects raised as exceptions (e.g. by the router) pass through
            return error
        title, message = GERMAN.get(status, GERMAN[400] if status < 500 else GERMAN[500])
        own = error.description and error.description != type(error).description
        if status in OWN_MESSAGES and own:
            message = str(error.description)
        allow = [(name, value) for name, value in error.get_headers() if name == "Allow"]  # a 405 names them
        return render_template("error.html", status=status, title=title, message=message), status, allow

    @app.errorhandler(InternalServerError)
    def internal_error(error: InternalServerError) -> tuple[str, int]:
        # the details go to the log, never to the page
        if database_unavailable(error.original_exception):  # e.g. PostgreSQL restarting: the pool reconnects
            log.warning("Datenbank nicht erreichbar bei %s %s: %s", request.method, request.path,
                        error.original_exception)
            return plain(503)
        log.error("Unerwarteter Fehler bei %s %s", request.method, request.path,
                  exc_info=error.original_exception or error)
        return plain(500)

    return limiter


def _breached(limit: RequestLimit) -> None:
    """Refused sign-ins go to the application log, not the audit log (which they would flood)."""
    log.warning("Anmeldung abgewiesen: Grenze %s für %s erreicht", limit.limit, limit.key)


def limit_sign_in(limiter: Limiter, view: Any) -> Any:
    """The sign-in view with its limits: failed attempts per address and per account name."""

    def failed(response: Response) -> bool:
        return response.status_code == 401

    def account() -> str:
        return "konto:" + request.form.get("benutzer", "").strip()[:80].lower()

    view = limiter.limit(SIGN_IN_LIMITS["address"], methods=["POST"], deduct_when=failed)(view)
    return limiter.limit(SIGN_IN_LIMITS["account"], key_func=account, methods=["POST"], deduct_when=failed)(view)
