"""`sro simulate`: run QA scenarios on a simulated clock, print a summary, write coverage reports."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from engine.runtime.errors import EngineError


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--prozesse", "processes", default=Path("processes"), show_default=True,
              type=click.Path(exists=True, file_okay=False, path_type=Path), help="Ordner mit den Diagrammen.")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), help="HTML-Bericht mit Abdeckung.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), help="Ergebnis als JSON.")
@click.option("--min-coverage", type=click.FloatRange(0, 100), default=None,
              help="Mindestabdeckung je Diagramm in Prozent (Knoten und Flüsse).")
@click.option("--explore", "explore_diagram", metavar="DIAGRAMM",
              help="Pfade dieses Diagramms durchgehen und Szenario-Entwürfe für Ungedecktes schreiben.")
@click.option("--entwuerfe", "drafts", default=Path("var/entwuerfe"), show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Ordner für die Entwürfe.")
@click.option("--bpmn-js", "viewer_folder", default=Path("web/node_modules/bpmn-js/dist"), show_default=True,
              envvar="SRO_BPMN_JS", type=click.Path(file_okay=False, path_type=Path),
              help="Ordner »dist« von bpmn-js für den Bericht (auch über SRO_BPMN_JS).")
def simulate(paths: tuple[Path, ...], processes: Path, report: Path | None, json_path: Path | None,
             min_coverage: float | None, explore_diagram: str | None, drafts: Path, viewer_folder: Path) -> None:
    """Szenarien (YAML) auf der simulierten Uhr ausführen und die Abdeckung der Diagramme zeigen."""
    from engine.simulation.report import ViewerMissing, as_json, read_viewer, write_html
    from engine.simulation.runner import Simulator, scenario_files
    from engine.simulation.suite import run_suite

    files = scenario_files(list(paths) or [processes / "scenarios"])
    if not files.scenarios and not files.unreadable:
        click.echo("Keine Szenarien gefunden.", err=True)
        sys.exit(1)
    try:
        viewer = read_viewer(viewer_folder) if report else None
        simulator = Simulator(processes)
    except (ViewerMissing, EngineError) as error:
        click.echo(f"Fehler: {error}", err=True)
        sys.exit(1)
    try:
        suite = run_suite(files, simulator, stop_at_errors=True)
    finally:
        simulator.close()
    if suite.errors:
        for problem in suite.errors:
            click.echo(f"Szenario fehlerhaft: {problem}", err=True)
        sys.exit(1)
    for result in suite.scenarios:
        click.echo(f"{'✓' if result.ok else '✗'} {result.scenario.name}")
        for failure in result.failures:
            click.echo(f"    {failure}")
    click.echo("")
    below = []
    for item in suite.diagrams:
        click.echo(f"{item.name}: {item.percent:.1f} % (Knoten {len(item.covered_nodes)}/{len(item.nodes)}, "
                   f"Flüsse {len(item.covered_flows)}/{len(item.flows)})")
        if min_coverage is not None and item.percent + 1e-9 < min_coverage:
            below.append(item)
    for table_result in suite.decision_tests:
        click.echo(f"{'✓' if table_result.ok else '✗'} Entscheidung {table_result.test.decision}: "
                   f"{len(table_result.test.cases)} Fälle, Regeln getroffen: {len(table_result.rules)}/"
                   f"{table_result.all_rules}")
        for failure in table_result.failures:
            click.echo(f"    {failure}")
    click.echo(f"\n{suite.scenarios_passed} von {len(suite.scenarios)} Szenarien bestanden; "
               f"{suite.decision_tests_passed} von {len(suite.decision_tests)} Entscheidungstests bestanden.")
    if report and viewer:
        write_html(report, suite.scenarios, suite.diagrams, viewer)
        click.echo(f"Bericht: {report}")
    if json_path:
        json_path.write_text(json.dumps(as_json(suite.scenarios, suite.diagrams), ensure_ascii=False, indent=2),
                             encoding="utf-8")
    if explore_diagram:
        from engine.simulation.explore import covered_by, explore

        nodes, flows = covered_by(simulator.documents, suite.reached, suite.sequences)
        try:
            written = explore(processes, explore_diagram, nodes, flows, drafts)
        except EngineError as error:
            click.echo(f"Fehler: {error}", err=True)
            sys.exit(1)
        if written:
            click.echo(f"{len(written)} Entwürfe für Ungedecktes geschrieben:")
            for path in written:
                click.echo(f"    {path}")
        else:
            click.echo(f"{explore_diagram}: die Szenarien decken alles ab; kein Entwurf nötig.")
    if below:
        names = ", ".join(f"{item.name} ({item.percent:.1f} %)" for item in below)
        click.echo(f"Abdeckung unter {min_coverage:g} %: {names}", err=True)
    if not suite.ok or below:
        sys.exit(1)


@click.command()
@click.argument("behaviour", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--faelle", "cases", default=1000, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--monate", "months", default=12, show_default=True, type=click.IntRange(1, 120))
@click.option("--ifk", default=5, show_default=True, type=click.IntRange(1, 1000), help="Zahl der IFK.")
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--worker", "workers", default=2, show_default=True, type=click.IntRange(1, 16))
@click.option("--prozesse", "processes", default=Path("processes"), show_default=True,
              type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--plot", type=click.Path(dir_okay=False, path_type=Path), help="Verlauf als SVG-Grafik.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), help="Wochenwerte als JSON.")
def projection(behaviour: Path, cases: int, months: int, ifk: int, seed: int, workers: int, processes: Path,
               plot: Path | None, json_path: Path | None) -> None:
    """Fallbestand hochrechnen (Monte Carlo): Gespräche je IFK, Aufforderungen, Minderungen je Woche."""
    from engine.simulation.projection import dumps, run_projection, summary_lines, write_plot
    from engine.simulation.yamlfile import ScenarioError

    try:
        result = run_projection(behaviour, cases=cases, months=months, counsellors=ifk, seed=seed, processes=processes,
                                workers=workers)
    except (ScenarioError, EngineError) as error:
        click.echo(f"Fehler: {error}", err=True)
        sys.exit(1)
    for line in summary_lines(result):
        click.echo(line)
    if plot:
        write_plot(result, plot)
        click.echo(f"Grafik: {plot}")
    if json_path:
        json_path.write_text(dumps(result), encoding="utf-8")
