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
def simulate(paths: tuple[Path, ...], processes: Path, report: Path | None, json_path: Path | None,
             min_coverage: float | None, explore_diagram: str | None, drafts: Path) -> None:
    """Szenarien (YAML) auf der simulierten Uhr ausführen und die Abdeckung der Diagramme zeigen."""
    from engine.simulation import decisions as decision_tests
    from engine.simulation.coverage import coverage
    from engine.simulation.report import as_json, write_html
    from engine.simulation.runner import Simulator, scenario_files
    from engine.simulation.scenario import ScenarioError

    every = scenario_files(list(paths) or [processes / "scenarios"])
    table_files = [path for path in every if decision_tests.is_decision_test(path)]
    files = [path for path in every if path not in table_files]
    if not files:
        click.echo("Keine Szenarien gefunden.", err=True)
        sys.exit(1)
    try:
        simulator = Simulator(processes)
    except EngineError as error:
        click.echo(f"Fehler: {error}", err=True)
        sys.exit(1)
    try:
        try:
            scenarios = [simulator.load(path) for path in files]
            tables = [decision_tests.load(path, simulator.decisions) for path in table_files]
        except ScenarioError as error:
            click.echo(f"Szenario fehlerhaft: {error}", err=True)
            sys.exit(1)
        results = [simulator.run(scenario) for scenario in scenarios]
        table_results = [decision_tests.run(test, simulator.decisions) for test in tables]
    finally:
        simulator.close()
    reached = set().union(*(result.reached for result in results))
    sequences = [sequence for result in results for sequence in result.sequences]
    diagrams = coverage(simulator.documents, reached, sequences)
    for result in results:
        click.echo(f"{'✓' if result.ok else '✗'} {result.scenario.name}")
        for failure in result.failures:
            click.echo(f"    {failure}")
    click.echo("")
    below = []
    for item in diagrams:
        click.echo(f"{item.name}: {item.percent:.1f} % (Knoten {len(item.covered_nodes)}/{len(item.nodes)}, "
                   f"Flüsse {len(item.covered_flows)}/{len(item.flows)})")
        if min_coverage is not None and item.percent + 1e-9 < min_coverage:
            below.append(item)
    for table_result in table_results:
        click.echo(f"{'✓' if table_result.ok else '✗'} Entscheidung {table_result.test.decision}: "
                   f"{len(table_result.test.cases)} Fälle, Regeln getroffen: {len(table_result.rules)}/"
                   f"{len(simulator.decisions[table_result.test.decision].rules)}")
        for failure in table_result.failures:
            click.echo(f"    {failure}")
    passed = sum(result.ok for result in results)
    tables_passed = sum(result.ok for result in table_results)
    click.echo(f"\n{passed} von {len(results)} Szenarien bestanden; {tables_passed} von {len(table_results)} "
               "Entscheidungstests bestanden.")
    if report:
        write_html(report, results, diagrams)
        click.echo(f"Bericht: {report}")
    if json_path:
        json_path.write_text(json.dumps(as_json(results, diagrams), ensure_ascii=False, indent=2), encoding="utf-8")
    if explore_diagram:
        from engine.simulation.explore import covered_by, explore

        nodes, flows = covered_by(simulator.documents, reached, sequences)
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
    if passed < len(results) or tables_passed < len(table_results) or below:
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
    from engine.simulation.scenario import ScenarioError

    try:
        result = run_projection(behaviour, cases=cases, months=months, ifk=ifk, seed=seed, processes=processes,
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
