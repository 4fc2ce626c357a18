"""`sro serve`: the web app's own command, registered under the entry-point group `sro.commands`.

Without `--workers` one process serves (Werkzeug, for `make run`); with `--workers N` gunicorn runs N worker
processes, each with its own connection pool on DATABASE_URL (production, issue 12).
"""

from __future__ import annotations

import threading
from typing import Any

import click
from werkzeug.serving import WSGIRequestHandler

from engine import settings
from engine.bootstrap import bootstrap
from engine.cli import PROCESSES, friendly, services
from engine.health import check
from engine.logs import configure
from engine.worker import keep_firing


class QuietHandler(WSGIRequestHandler):
    """Werkzeug's handler without its name and the Python version in the Server header."""

    def version_string(self) -> str:
        return "sro"


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Mit gunicorn und so vielen Arbeitsprozessen bereitstellen (Produktion).")
@click.option("--with-worker/--without-worker", default=False, help="Zeitgeber im selben Prozess starten.")
@friendly
def serve(host: str, port: int, workers: int | None, with_worker: bool) -> None:
    """Die Web-Anwendung starten."""
    configure(settings.log_format())
    settings.var_folder()
    settings.proxy_hops()
    if workers is not None:
        if with_worker:
            raise click.UsageError("Mit --workers laufen die Zeitgeber als eigene Prozesse (`sro worker`).")
        # Production: the schema is brought up by `sro migrate` (once per release, not by every process of every
        # server at the same moment); a schema that is behind stops the start.
        service = bootstrap(migrate=False)
        health = check(service.engine.database)
        if not health.ok:
            raise click.ClickException(health.reason)
        service.deploy([PROCESSES], actor="serve")
        service.engine.database.dispose()  # each gunicorn worker opens its own connections
        from web import secret_key

        secret_key()  # made once here, not by several workers at the same moment
        click.echo(f"Web-Anwendung unter http://{host}:{port} ({workers} Arbeitsprozess(e), gunicorn)")
        _gunicorn(host, port, workers, settings.log_format())
        return
    from web import create_app

    service = services()
    service.deploy([PROCESSES], actor="serve")
    if with_worker:
        threading.Thread(target=keep_firing, args=(service,), kwargs={"report": _to_stderr}, name="zeitgeber",
                         daemon=True).start()
    app = create_app(service)
    click.echo(f"Web-Anwendung unter http://{host}:{port}")
    app.run(host=host, port=port, debug=False, use_reloader=False, request_handler=QuietHandler)


def _gunicorn(host: str, port: int, workers: int, log_format: str) -> None:
    from gunicorn.app.base import BaseApplication

    formatter = {"()": "engine.logs.JsonLines"} if log_format == "json" else {
        "format": "%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s"}
    logging = {"version": 1, "disable_existing_loggers": False, "formatters": {"sro": formatter},
               "root": {"level": "INFO", "handlers": ["stderr"]},
               "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "sro",
                                       "stream": "ext://sys.stderr"}},
               "loggers": {"gunicorn.error": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
                           "gunicorn.access": {"handlers": ["stderr"], "level": "INFO", "propagate": False}}}

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in {"bind": f"{host}:{port}", "workers": workers, "worker_class": "sync",
                               "timeout": 60, "graceful_timeout": 20, "max_requests": 5000,
                               "max_requests_jitter": 500, "accesslog": "-", "logconfig_dict": logging,
                               "access_log_format": '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'}.items():
                self.cfg.set(key, value)
            if "control_socket_disable" in self.cfg.settings:  # gunicorn 27's control socket under $HOME: not used
                self.cfg.set("control_socket_disable", True)

        def load(self) -> Any:
            from engine.bootstrap import settle_long_running_process
            from web import create_app

            app = create_app(bootstrap(migrate=False))  # in the worker process, after the fork: its own pool
            settle_long_running_process()
            return app

    Server().run()


def _to_stderr(message: str) -> None:
    click.echo(message, err=True)
