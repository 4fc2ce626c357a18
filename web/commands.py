"""`sro serve`: the web app's own command, registered under the entry-point group `sro.commands`."""

from __future__ import annotations

import threading

import click

from engine.cli import PROCESSES, friendly, services
from engine.worker import keep_firing


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--with-worker/--without-worker", default=False, help="Zeitgeber im selben Prozess starten.")
@friendly
def serve(host: str, port: int, with_worker: bool) -> None:
    """Die Web-Anwendung starten."""
    from web import create_app

    service = services()
    service.deploy([PROCESSES], actor="serve")
    if with_worker:
        threading.Thread(target=keep_firing, args=(service,), kwargs={"report": _to_stderr}, name="zeitgeber",
                         daemon=True).start()
    app = create_app(service)
    click.echo(f"Web-Anwendung unter http://{host}:{port}")
    app.run(host=host, port=port, debug=False, use_reloader=False)


def _to_stderr(message: str) -> None:
    click.echo(message, err=True)
