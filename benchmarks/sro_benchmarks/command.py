"""`sro bench`: the benchmarks' command, registered under the entry-point group `sro.commands`."""

from __future__ import annotations

import json

import click

from engine.cli import friendly


@click.command()
@click.option("--quick", is_flag=True, help="Kurzer Lauf (wenige Wiederholungen, beim Arbeitsplatz 10.000 Fälle).")
@click.option("--dmn", "decisions", is_flag=True,
              help="DMN messen: Entscheidungen je Sekunde für die zwei SRO-Tabellen und eine DMN-TCK-Stichprobe.")
@click.option("--workplace", is_flag=True,
              help="Arbeitsplatz messen: Eingang und Fallakte bei 100.000 offenen Fällen, 250 je IFK.")
@click.option("--load", is_flag=True, help="Last messen: gleichzeitige IFK gegen `sro serve --workers N` über "
              "Loopback (DATABASE_URL: eine leere Datenbank).")
@click.option("--durchsatz", is_flag=True, help="Durchsatz messen: Aufgabenabschlüsse je Sekunde und die Abarbeitung "
              "aller fälligen Zeitereignisse durch `sro worker` (DATABASE_URL: eine leere Datenbank).")
@click.option("--prozesse", default="1,2,4", show_default=True,
              help="Mit --durchsatz: Anzahlen der Prozesse, die Aufgaben abschließen.")
@click.option("--zeitgeber-worker", "timer_workers", default="1,2", show_default=True,
              help="Mit --durchsatz: Anzahlen der Zeitgeber-Prozesse.")
@click.option("--aufgaben", default=2000, show_default=True, type=click.IntRange(1, 100_000),
              help="Mit --durchsatz: so viele Aufgaben je Lauf abschließen.")
@click.option("--faelle", default=100_000, show_default=True, type=click.IntRange(1000, 1_000_000))
@click.option("--web-worker", "web_workers", default="1,4", show_default=True, help="Anzahlen der Web-Prozesse.")
@click.option("--nutzer", default="50,200", show_default=True, help="Anzahlen gleichzeitiger Nutzer.")
@click.option("--sekunden", default=20.0, show_default=True, type=click.FloatRange(1, 600))
@click.option("--denkzeit", default="0", show_default=True,
              help="Mit --load: mittlere Denkzeit in Sekunden zwischen zwei Klicks eines Nutzers (exponentiell "
              "verteilt, je Nutzer fest geseedet); mehrere durch Komma. 0: sofort weiter (Sättigungstest).")
@friendly
def bench(quick: bool, workplace: bool, decisions: bool, load: bool, durchsatz: bool, prozesse: str,
          timer_workers: str, aufgaben: int, faelle: int, web_workers: str, nutzer: str, sekunden: float,
          denkzeit: str) -> None:
    """Schrittlatenzen des ausgelieferten SRO-Modells messen (Jahr 1 gegen Jahr 10, gegen den
    SQLite-Boden und reines SpiffWorkflow) und als JSON ausgeben."""
    if decisions:
        from sro_benchmarks.dmn import run as run_dmn

        click.echo(json.dumps(run_dmn(quick=quick), indent=2, ensure_ascii=False))
        return
    if durchsatz:
        from sro_benchmarks.throughput import run as run_throughput

        click.echo(json.dumps(run_throughput(cases=faelle, processes=_numbers(prozesse),
                                             timer_workers=_numbers(timer_workers), tasks=aufgaben),
                              indent=2, ensure_ascii=False, default=str))
        return
    if load:
        from sro_benchmarks.load import run as run_load

        numbers = _numbers
        figures = run_load(cases=faelle, per_ifk=250, workers=numbers(web_workers), users=numbers(nutzer, 400),
                           seconds=sekunden, think=_seconds(denkzeit))
        click.echo(json.dumps(figures, indent=2, ensure_ascii=False))
        return
    if workplace:
        from sro_benchmarks.workplace.run import run as run_workplace

        click.echo(json.dumps(run_workplace(quick=quick), indent=2, ensure_ascii=False, default=str))
        return
    from sro_benchmarks.steps import run

    click.echo(json.dumps(run(quick=quick), indent=2, ensure_ascii=False))


def _numbers(text: str, top: int = 64) -> list[int]:
    try:
        found = [int(part) for part in text.split(",")]
    except ValueError as error:
        raise click.BadParameter(f"»{text}« ist keine Liste ganzer Zahlen (z. B. 1,4).") from error
    if not found or min(found) < 1 or max(found) > top:
        raise click.BadParameter(f"»{text}«: jede Anzahl muss zwischen 1 und {top} liegen.")
    return found


def _seconds(text: str) -> list[float]:
    try:
        found = [float(part) for part in text.split(",")]
    except ValueError as error:
        raise click.BadParameter(f"»{text}« ist keine Liste von Sekunden (z. B. 0,1,10).") from error
    if not found or min(found) < 0 or max(found) > 600:
        raise click.BadParameter(f"»{text}«: jede Denkzeit muss zwischen 0 und 600 Sekunden liegen.")
    return found
