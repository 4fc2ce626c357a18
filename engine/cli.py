"""The `sro` command: serve, worker, demo, lint, deploy, bench. Errors are sentences, never tracebacks."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from engine.runtime.errors import DeploymentError, EngineError
from engine.runtime.store import DEFAULT_URL

F = TypeVar("F", bound=Callable[..., Any])
PROCESSES = Path("processes")


def database_url() -> str:
    return os.environ.get("DATABASE_URL", DEFAULT_URL)


def friendly(command: F) -> F:
    """Turn our named errors (and unexpected ones) into a message and a non-zero exit code."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, KeyboardInterrupt):
            raise
        except EngineError as error:
            click.echo(f"Fehler: {error}", err=True)
            sys.exit(1)
        except Exception as error:  # the last line of defence: a sentence, not a traceback
            click.echo(f"Unerwarteter Fehler ({type(error).__name__}): {error}", err=True)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


def services(clock: Any = None) -> Any:
    from engine.services import Services

    result = Services.create(database_url(), clock)
    result.engine.database.upgrade()
    return result


@click.group()
def main() -> None:
    """SRO-Beratungsprozess: Prozess-Engine und Arbeitsplatz für Integrationsfachkräfte."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path), required=True)
@friendly
def lint(paths: tuple[Path, ...]) -> None:
    """Diagramme (.bpmn/.dmn) prüfen; Rückgabewert 1 bei jedem Befund."""
    from engine.domain.actions import ACTIONS
    from engine.runtime.lint import expand, lint_paths

    findings = lint_paths(paths, actions=ACTIONS)
    for finding in findings:
        click.echo(str(finding))
    files = len(expand(paths))
    if findings:
        click.echo(f"{len(findings)} Befund(e) in {files} Datei(en).", err=True)
        sys.exit(1)
    click.echo(f"Keine Befunde in {files} Datei(en).")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@friendly
def deploy(paths: tuple[Path, ...]) -> None:
    """Diagramme bereitstellen (Vorgabe: processes/)."""
    try:
        versions = services().deploy(list(paths) or [PROCESSES], actor="cli")
    except DeploymentError as error:
        for finding in error.findings:
            click.echo(str(finding), err=True)
        click.echo("Nichts wurde bereitgestellt.", err=True)
        sys.exit(1)
    for process_id, version in versions:
        click.echo(f"{process_id}: Version {version}")


@main.command()
@click.option("--interval", default=1.0, show_default=True, help="Sekunden zwischen zwei Durchläufen.")
@click.option("--once", is_flag=True, help="Alle jetzt fälligen Zeitereignisse auslösen und beenden.")
@friendly
def worker(interval: float, once: bool) -> None:
    """Fällige Zeitereignisse (Fristen, Wiedervorlagen) auslösen, in einer Schleife."""
    service = services()
    click.echo(f"Zeitgeber läuft ({service.engine.database.dialect}).")
    total = 0
    while True:
        fired = service.fire_due_timers(limit=500)
        total += fired
        if fired:
            click.echo(f"{fired} Zeitereignis(se) ausgelöst.")
        if fired < 500:
            if once:
                click.echo(f"Insgesamt {total} Zeitereignis(se) ausgelöst.")
                return
            time.sleep(interval)


@main.command()
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
        import threading

        def loop() -> None:
            while True:
                try:
                    service.fire_due_timers(limit=500)
                except Exception as error:  # keep the web app up; report and retry
                    click.echo(f"Zeitgeber: {error}", err=True)
                time.sleep(1.0)

        threading.Thread(target=loop, name="zeitgeber", daemon=True).start()
    app = create_app(service)
    click.echo(f"Web-Anwendung unter http://{host}:{port}")
    app.run(host=host, port=port, debug=False, use_reloader=False)


@main.command()
@click.option("--cases", default=1200, show_default=True, type=click.IntRange(min=0),
              help="Anzahl der Demo-Fälle.")
@click.option("--seed", "seed_value", default=20251124, show_default=True, type=int,
              help="Startwert des Zufallsgenerators (gleicher Wert, gleicher Fallbestand).")
@friendly
def demo(cases: int, seed_value: int) -> None:
    """Demo-Konten und einen Demo-Fallbestand anlegen (drei Teams, neun Monate Verlauf) und die
    Demo-Anmeldungen ausgeben. Sind die Demo-Konten schon da, wird nichts angelegt."""
    from engine.demo import seed, sign_in_table

    service = services()
    service.deploy([PROCESSES], actor="demo")
    report = seed(service.engine.database, cases=cases, seed_value=seed_value, progress=click.echo)
    if report.accounts_created == 0 and report.cases_created == 0:
        click.echo("Die Demo-Daten sind schon angelegt; es wurde nichts verändert.")
    else:
        click.echo(f"{report.accounts_created} Demo-Konten und {report.cases_created} Demo-Fälle angelegt "
                   f"({report.commands} Schritte, davon {report.timers_fired} Zeitereignisse, "
                   f"in {report.seconds:.0f} s).")
    if report.overview is not None:
        for line in report.overview.lines():
            click.echo(line)
    if report.problems:
        click.echo(f"{len(report.problems)} Fall/Fälle blieben wegen eines Fehlers stehen, z. B.:", err=True)
        for problem in report.problems[:5]:
            click.echo(f"  {problem}", err=True)
    click.echo()
    click.echo(sign_in_table())


@main.command()
@click.option("--quick", is_flag=True, help="Kurzer Lauf (wenige Wiederholungen, beim Arbeitsplatz 10.000 Fälle).")
@click.option("--workplace", is_flag=True,
              help="Arbeitsplatz messen: Eingang und Fallakte bei 100.000 offenen Fällen, 250 je IFK.")
@friendly
def bench(quick: bool, workplace: bool) -> None:
    """Schrittlatenzen messen (Jahr 1 gegen Jahr 10, gegen reines SpiffWorkflow) und als JSON ausgeben."""
    if workplace:
        from engine.bench_workplace import run as run_workplace

        click.echo(json.dumps(run_workplace(quick=quick), indent=2, ensure_ascii=False, default=str))
        return
    from engine.bench import run

    click.echo(json.dumps(run(quick=quick), indent=2, ensure_ascii=False))


def _register() -> None:
    """Commands that live with their own area."""
    from engine.simulation.command import projection, simulate

    main.add_command(simulate)
    main.add_command(projection)


_register()
