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
@friendly
def bench(quick: bool, workplace: bool, decisions: bool) -> None:
    """Schrittlatenzen des ausgelieferten SRO-Modells messen (Jahr 1 gegen Jahr 10, gegen den
    SQLite-Boden und reines SpiffWorkflow) und als JSON ausgeben."""
    if decisions:
        from sro_benchmarks.dmn import run as run_dmn

        click.echo(json.dumps(run_dmn(quick=quick), indent=2, ensure_ascii=False))
        return
    if workplace:
        from sro_benchmarks.workplace.run import run as run_workplace

        click.echo(json.dumps(run_workplace(quick=quick), indent=2, ensure_ascii=False, default=str))
        return
    from sro_benchmarks.steps import run

    click.echo(json.dumps(run(quick=quick), indent=2, ensure_ascii=False))
