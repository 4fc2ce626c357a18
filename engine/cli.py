"""The `sro` command. Errors are German sentences and a non-zero exit code, never tracebacks.

The engine's own commands are here (lint, deploy, migrate, worker, demo, simulate, projection,
conformance);
other parts add theirs under the entry-point group `sro.commands` in their package metadata: the
web app registers `serve`, the benchmarks `bench`. So the engine never imports the web app.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
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


# click writes its help frame in English; these are its words and our German ones (its gettext catalogue has no
# German, and installing one would change process-global state).
_HELP_WORDS = {"Options": "Optionen", "Commands": "Befehle", "Positional arguments": "Argumente",
               "Show this message and exit.": "Diese Hilfe zeigen und beenden.", "[required]": "[Pflicht]",
               "[default: ": "[Vorgabe: ", "; default: ": "; Vorgabe: ", "[OPTIONS]": "[OPTIONEN]",
               "COMMAND [ARGS]...": "BEFEHL [ARGUMENTE]...", "INTEGER RANGE": "ZAHL", "FLOAT RANGE": "ZAHL",
               "INTEGER": "ZAHL", "FLOAT": "ZAHL", "FILENAME": "DATEI", "PATHS": "PFADE", "PATH": "PFAD",
               "DIRECTORY": "ORDNER", "[env var: ": "[Umgebungsvariable: ", "(deprecated)": "(veraltet)"}


def _german(text: str) -> str:
    for english, german in _HELP_WORDS.items():
        text = text.replace(english, german)
    return text


class _GermanHelp(click.HelpFormatter):
    """click's help frame in German: "Aufruf:", "Optionen:", "Diese Hilfe zeigen und beenden." ..."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, _german(args), "Aufruf: " if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        super().write_heading(_german(heading))

    def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
        super().write_dl([(_german(first), _german(second)) for first, second in rows], col_max, col_spacing)


class _GermanContext(click.Context):
    formatter_class = _GermanHelp


def _in_german(command: click.Command) -> click.Command:
    """The command and (for a group) its subcommands write their help with the German frame."""
    command.context_class = _GermanContext
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _in_german(sub)
    return command


class _Commands(click.Group):
    """The engine's commands plus those registered under `sro.commands`, loaded only when asked for."""

    context_class = _GermanContext

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *_plugins()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is None and cmd_name in _plugins():
            loaded: click.Command = _plugins()[cmd_name].load()
            return _in_german(loaded)
        return _in_german(found) if found is not None else None

    def resolve_command(self, ctx: click.Context,
                        args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if self.get_command(ctx, name) is None and not name.startswith("-"):
            known = ", ".join(self.list_commands(ctx))
            raise click.UsageError(f"Den Befehl »{name}« gibt es nicht. Bekannt sind: {known}.", ctx)
        return super().resolve_command(ctx, args)

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        """As click's, but a usage error is one German sentence (and where to find help), without click's
        English frame ("Usage: … Error: …")."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            result = super().main(args, prog_name, complete_var, False, **extra)
        except click.UsageError as error:
            command = error.ctx.command_path if error.ctx is not None else "sro"
            click.echo(f"Fehler: {usage_problem(error)}\nHilfe: {command} --help", err=True)
            sys.exit(error.exit_code)
        except click.ClickException as error:
            click.echo(f"Fehler: {error.format_message()}", err=True)
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo("Abgebrochen.", err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)


def usage_problem(error: click.UsageError) -> str:
    """click's own usage errors in German; our own (raised with a German message) as they are."""
    if isinstance(error, click.NoSuchOption):
        return f"Die Option »{error.option_name}« gibt es nicht."
    if isinstance(error, click.MissingParameter):
        hint = error.param.get_error_hint(error.ctx) if error.param is not None and error.ctx is not None else ""
        return f"Es fehlt die Angabe {hint.replace(chr(39), '»', 1).replace(chr(39), '«', 1)}.".replace("  ", " ")
    if isinstance(error, click.BadOptionUsage):
        return f"Die Option »{error.option_name}« braucht einen Wert."
    if isinstance(error, click.BadParameter) and error.param is not None:
        return _bad_value(error.param, error.ctx)
    if error.message.startswith("Got unexpected extra argument"):
        extra = error.message.split("(", 1)[-1].rstrip(")")
        return f"Unerwartete Angabe: {extra}."
    return error.message


def _bad_value(param: click.Parameter, ctx: click.Context | None) -> str:
    name = f"»{param.get_error_hint(ctx).strip(chr(39))}«" if ctx is not None else f"»{param.name}«"
    kind = param.type
    if isinstance(kind, click.IntRange | click.FloatRange):
        low = "" if kind.min is None else f" {'von' if kind.max is not None else 'ab'} {kind.min}"
        high = "" if kind.max is None else f" bis {kind.max}"
        return f"{name} muss eine {'ganze ' if isinstance(kind, click.IntRange) else ''}Zahl{low}{high} sein."
    if isinstance(kind, click.Choice):
        return f"{name} muss eines davon sein: {', '.join(str(choice) for choice in kind.choices)}."
    if kind is click.INT:
        return f"{name} muss eine ganze Zahl sein."
    if kind is click.FLOAT:
        return f"{name} muss eine Zahl sein."
    if isinstance(kind, click.Path | click.File):
        return f"{name}: Die Datei oder den Ordner gibt es nicht, oder sie ist nicht lesbar."
    return f"Ungültiger Wert für {name}."


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


@main.command("startbedingungen")
@click.option("--var", "variables", multiple=True, metavar="NAME=WERT",
              help="Variable, mit der die Startbedingungen geprüft und die gesetzt wird (mehrfach möglich; Zahlen, "
                   "true, false und null gelten wie in JSON, alles andere als Text).")
@friendly
def start_conditions(variables: tuple[str, ...]) -> None:
    """Die Startbedingungen aller Fälle prüfen, die an einem bedingten Start warten; wo sie erfüllt ist, beginnt
    der Prozess mit diesen Variablen."""
    import json

    values: dict[str, Any] = {}
    for pair in variables:
        key, separator, value = pair.partition("=")
        if not separator or not key.strip():
            raise click.BadParameter(f"»{pair}« hat nicht die Form NAME=WERT.", param_hint="--var")
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = value
        values[key.strip()] = parsed if isinstance(parsed, bool | int | float) or parsed is None else value
    outcomes = services().evaluate_start_conditions(values, actor="cli")
    if not outcomes:
        click.echo("Bei keinem wartenden Fall ist eine Startbedingung erfüllt.")
        return
    cases = ", ".join(str(outcome.case_id) for outcome in outcomes)
    click.echo(f"Startbedingung erfüllt bei {len(outcomes)} Fall/Fällen: {cases}.")


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
    from engine.bootstrap import settle_long_running_process
    from engine.worker import fire_timers

    service = services()
    settle_long_running_process()
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


@main.command("loeschen")
@click.option("--abgeschlossen-vor", "before", required=True, metavar="DATUM",
              help="Fälle, die vor diesem Tag abgeschlossen wurden (JJJJ-MM-TT oder TT.MM.JJJJ), nach Ablauf der "
                   "Aufbewahrungsfrist.")
@click.option("--ausfuehren", is_flag=True, help="Wirklich löschen (ohne: nur anzeigen, was gelöscht würde).")
@click.option("--wer", "actor", required=True, help="Wer löscht (für das Protokoll).")
@friendly
def delete_closed(before: str, ausfuehren: bool, actor: str) -> None:
    """Abgeschlossene Fälle nach Ablauf der Aufbewahrungsfrist löschen: den Fall und alles, was ihn nennt
    (Vorgänge, Termine, Wiedervorlagen, Kontakte, Gespräche, Entwürfe, Ereignisprotokoll), je Fall in einer
    Transaktion und protokolliert. Ohne --ausfuehren ein Probelauf, der nur anzeigt, was gelöscht würde.
    Laufende Fälle werden nie gelöscht."""
    from engine.runtime.errors import ConflictError, NotFoundError
    from engine.workplace.retention import closed_before, delete_closed_case, record_preview

    day = _day(before, "--abgeschlossen-vor")
    service = services()
    if day > service.clock.today():
        raise click.BadParameter("Das Datum darf nicht in der Zukunft liegen.")
    found = closed_before(service, day)
    if not ausfuehren:
        record_preview(service, found, day, actor=actor)
        click.echo(f"Probelauf: {len(found)} vor dem {day:%d.%m.%Y} abgeschlossene(r) Fall/Fälle würde(n) gelöscht.")
        for row in found:
            click.echo(f"  Fall {row.case_id}, abgeschlossen am {row.closed_at:%d.%m.%Y}")
        if found:
            click.echo("Zum Löschen denselben Befehl mit --ausfuehren geben.")
        return
    deleted, refused = 0, 0
    for row in found:
        try:
            counts = delete_closed_case(service, row.case_id, before=day, actor=actor)
        except (ConflictError, NotFoundError) as error:  # reopened or gone meanwhile: the others go on
            click.echo(f"  {error}", err=True)
            refused += 1
            continue
        deleted += 1
        click.echo(f"  Fall {row.case_id} gelöscht ({sum(counts.values())} Zeilen).")
    click.echo(f"{deleted} Fall/Fälle gelöscht" + (f", {refused} nicht gelöscht." if refused else "."))
    if refused:
        sys.exit(1)


def _day(text: str, option: str) -> date:
    from datetime import datetime

    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    raise click.BadParameter(f"»{text}« ist kein Datum (JJJJ-MM-TT oder TT.MM.JJJJ).", param_hint=f"»{option}«")


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
