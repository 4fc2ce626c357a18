"""The `sro` command. Errors are German sentences and a non-zero exit code, never tracebacks.

The engine's own commands are here (lint, deploy, migrate, worker, demo, simulate, projection,
conformance);
other parts add theirs under the entry-point group `sro.commands` in their package metadata: the
web app registers `serve`, the benchmarks `bench`. So the engine never imports the web app.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import cache, wraps
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any, TypeVar

import click
from sqlalchemy.exc import SQLAlchemyError

from engine.runtime.errors import DeploymentError, EngineError

F = TypeVar("F", bound=Callable[..., Any])
PROCESSES = Path("processes")
PLUGIN_GROUP = "sro.commands"


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
        except SQLAlchemyError as error:  # the driver's English text names hosts and SQL: a German sentence only
            from engine.settings import database_problem

            click.echo(f"Fehler: {database_problem(error)}", err=True)
            sys.exit(1)
        except Exception as error:  # the last line of defence: a sentence, not a traceback
            click.echo(f"Unerwarteter Fehler ({type(error).__name__}): {error}", err=True)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


def services() -> Any:
    """Services on DATABASE_URL with the system clock, the schema brought up to date."""
    from engine.bootstrap import bootstrap

    return bootstrap()


@cache
def _plugins() -> dict[str, EntryPoint]:
    return {entry.name: entry for entry in entry_points(group=PLUGIN_GROUP)}


class _Commands(click.Group):
    """The engine's commands plus those registered under `sro.commands`, loaded only when asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *_plugins()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is None and cmd_name in _plugins():
            loaded: click.Command = _plugins()[cmd_name].load()
            return loaded
        return found

    def resolve_command(self, ctx: click.Context,
                        args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if self.get_command(ctx, name) is None and not name.startswith("-"):
            known = ", ".join(self.list_commands(ctx))
            raise click.UsageError(f"Den Befehl »{name}« gibt es nicht. Bekannt sind: {known}.", ctx)
        return super().resolve_command(ctx, args)


@click.group(cls=_Commands)
def main() -> None:
    """SRO-Beratungsprozess: Prozess-Engine und Arbeitsplatz für Integrationsfachkräfte."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path), required=True)
@friendly
def lint(paths: tuple[Path, ...]) -> None:
    """Diagramme (.bpmn/.dmn) prüfen; Rückgabewert 1 bei jedem Befund."""
    from engine.domain.actions import ACTIONS
    from engine.runtime.lint import expand, lint_paths

    findings = [str(finding) for finding in lint_paths(paths, actions=ACTIONS)]
    findings += _template_findings(paths)
    for finding in findings:
        click.echo(finding)
    files = len(expand(paths))
    if findings:
        click.echo(f"{len(findings)} Befund(e) in {files} Datei(en).", err=True)
        sys.exit(1)
    click.echo(f"Keine Befunde in {files} Datei(en).")


def _template_findings(paths: tuple[Path, ...]) -> list[str]:
    """The letter templates (processes/vorlagen) beside the diagrams: an unknown field is a finding."""
    from engine.letters.render import check_templates
    from engine.letters.stored import beside

    return [finding for folder in beside(paths) for finding in check_templates(folder)]


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
@click.argument("name")
@click.option("--var", "variables", multiple=True, metavar="NAME=WERT",
              help="Variable, die mit dem Signal gesetzt wird (mehrfach möglich; Werte sind Text).")
@friendly
def signal(name: str, variables: tuple[str, ...]) -> None:
    """Ein Signal an alle laufenden Fälle senden, die darauf warten."""
    values: dict[str, str] = {}
    for pair in variables:
        key, separator, value = pair.partition("=")
        if not separator or not key.strip():
            raise click.BadParameter(f"»{pair}« hat nicht die Form NAME=WERT.", param_hint="--var")
        values[key.strip()] = value
    outcomes = services().send_signal(name, values, actor="cli")
    if not outcomes:
        click.echo(f"Kein laufender Fall wartet auf das Signal »{name}«.")
        return
    cases = ", ".join(str(outcome.case_id) for outcome in outcomes)
    click.echo(f"Signal »{name}« an {len(outcomes)} Fall/Fälle zugestellt: {cases}.")


@main.command()
@friendly
def migrate() -> None:
    """Das Datenbankschema auf den neuesten Stand bringen (DATABASE_URL)."""
    from engine import migrations
    from engine.bootstrap import configured_database_url
    from engine.runtime.store import Database

    database = Database(configured_database_url())
    try:
        migrations.upgrade(database)
    finally:
        database.dispose()
    click.echo(f"Datenbankschema ist aktuell ({database.dialect}).")


@main.command()
@click.option("--interval", default=1.0, show_default=True, help="Sekunden zwischen zwei Durchläufen.")
@click.option("--once", is_flag=True, help="Alle jetzt fälligen Zeitereignisse auslösen und beenden.")
@friendly
def worker(interval: float, once: bool) -> None:
    """Fällige Zeitereignisse (Fristen, Wiedervorlagen) auslösen, in einer Schleife."""
    from engine.worker import fire_timers

    service = services()
    click.echo(f"Zeitgeber läuft ({service.engine.database.dialect}).")
    total = fire_timers(service, interval=interval, once=once, report=click.echo)
    click.echo(f"Insgesamt {total} Zeitereignis(se) ausgelöst.")


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
    report = seed(service, cases=cases, seed_value=seed_value, progress=click.echo)
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


@main.command("export-case")
@click.argument("case_id", type=click.IntRange(1, 2**31 - 1))
@click.option("--ausgabe", type=click.Path(dir_okay=False, writable=True, path_type=Path), default=None,
              help="In diese Datei schreiben (Vorgabe: Standardausgabe).")
@click.option("--wer", "actor", required=True, help="Wer die Auskunft erteilt (für das Protokoll).")
@friendly
def export_case(case_id: int, ausgabe: Path | None, actor: str) -> None:
    """Alles zu einem Fall als JSON (Auskunft nach Art. 15 DSGVO); die Auskunft wird protokolliert."""
    import json

    from engine.workplace.export import export_case as export

    text = json.dumps(export(services(), case_id, actor=actor), ensure_ascii=False, indent=1)
    if ausgabe is None:
        click.echo(text)
    else:
        ausgabe.write_text(text + "\n", encoding="utf-8")
        click.echo(f"Fall {case_id} nach {ausgabe} exportiert.", err=True)


def _register() -> None:
    """Commands that live with their own area."""
    from engine.conformance.command import conformance
    from engine.letters.command import letters
    from engine.simulation.command import projection, simulate

    main.add_command(conformance)
    main.add_command(letters)
    main.add_command(simulate)
    main.add_command(projection)


_register()
