"""The coverage report: one HTML file that draws every diagram with bpmn-js, covered elements marked.

The file is self-contained (bpmn-js, installed from the npm registry, is embedded; the caller says
which folder holds its `dist`), so QA can archive it or send it around without a server. The page is
a few lines of HTML with every inserted text escaped; a template engine would be a dependency of the
engine on the web app's Jinja for one page, so it is written here.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.runtime.errors import EngineError
from engine.simulation.coverage import DiagramCoverage
from engine.simulation.runner import ScenarioResult

BUNDLE = "bpmn-navigated-viewer.production.min.js"
STYLESHEETS = ("diagram-js.css", "bpmn-js.css")

STYLE = """
body { font: 15px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1d252c; }
table { border-collapse: collapse; margin: .5rem 0 1.5rem; }
th, td { padding: .3rem .6rem; border-bottom: 1px solid #dde; }
.ok { color: #2e7d32; } .fehler { color: #b3261e; white-space: pre-wrap; }
.diagramm { height: 520px; border: 1px solid #dde; margin-bottom: 2rem; }
.djs-element.abgedeckt .djs-visual > :first-child { stroke: #2e7d32 !important; stroke-width: 3px !important; }
.djs-element.offen .djs-visual > :first-child { stroke: #b3261e !important; stroke-width: 3px !important;
  stroke-dasharray: 6 4; }
.djs-connection.abgedeckt .djs-visual > path { stroke: #2e7d32 !important; stroke-width: 3px !important; }
.djs-connection.offen .djs-visual > path { stroke: #b3261e !important; stroke-dasharray: 6 4; }
.legende span { margin-right: 1.5rem; }
"""

SCRIPT = """
document.addEventListener('DOMContentLoaded', async () => {
  for (const box of document.querySelectorAll('.diagramm')) {
    const data = JSON.parse(document.getElementById(box.id + '-daten').textContent);
    const viewer = new BpmnJS({ container: box });
    await viewer.importXML(data.xml);
    const canvas = viewer.get('canvas');
    const registry = viewer.get('elementRegistry');
    for (const id of data.covered) { if (registry.get(id)) canvas.addMarker(id, 'abgedeckt'); }
    for (const id of data.uncovered) { if (registry.get(id)) canvas.addMarker(id, 'offen'); }
    canvas.zoom('fit-viewport');
    box.dataset.status = 'geladen';
  }
});
"""


class ViewerMissing(EngineError):
    """bpmn-js is not installed where the caller said; the message says how to install it."""


@dataclass(frozen=True)
class Viewer:
    script: str
    styles: str


def read_viewer(folder: Path) -> Viewer:
    """bpmn-js from its `dist` folder (e.g. web/node_modules/bpmn-js/dist), or ViewerMissing in German."""
    try:
        return Viewer((folder / BUNDLE).read_text(encoding="utf-8"),
                      "".join((folder / "assets" / name).read_text(encoding="utf-8") for name in STYLESHEETS))
    except OSError as error:
        raise ViewerMissing(f"Für den Bericht fehlt bpmn-js unter {folder}. `make run` installiert bpmn-js "
                            "(npm ci in web/).") from error


def write_html(path: Path, results: list[ScenarioResult], diagrams: list[DiagramCoverage], viewer: Viewer) -> None:
    rows = "".join(
        f"<tr><td>{html.escape(result.scenario.name)}</td><td>{html.escape(Path(result.scenario.file).name)}</td>"
        + ("<td class='ok'>bestanden</td>" if result.ok else
           f"<td class='fehler'>{html.escape(chr(10).join(result.failures))}</td>") + "</tr>"
        for result in results)
    coverage_rows = "".join(
        f"<tr><td>{html.escape(item.name)}</td><td>{item.node_percent:.0f} % ({len(item.covered_nodes)}/"
        f"{len(item.nodes)})</td><td>{item.flow_percent:.0f} % ({len(item.covered_flows)}/{len(item.flows)})</td>"
        f"<td><strong>{item.percent:.0f} %</strong></td></tr>" for item in diagrams)
    sections = []
    for index, item in enumerate(diagrams, start=1):
        data: dict[str, Any] = {
            "xml": Path(item.file).read_text(encoding="utf-8"),
            "covered": sorted(item.covered_nodes | item.covered_flows),
            "uncovered": sorted((item.nodes - item.covered_nodes) | (item.flows - item.covered_flows)),
        }
        payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
        sections.append(f"<h2>{html.escape(item.name)} – {item.percent:.0f} %</h2>"
                        f"<div class='diagramm' id='d{index}'></div>"
                        f"<script type='application/json' id='d{index}-daten'>{payload}</script>")
    passed = sum(result.ok for result in results)
    page = f"""<!doctype html><html lang="de"><head><meta charset="utf-8">
<title>Simulation und Abdeckung</title><style>{viewer.styles}{STYLE}</style>
<script>{viewer.script}</script><script>{SCRIPT}</script></head><body>
<h1>Simulation und Abdeckung</h1>
<p>{passed} von {len(results)} Szenarien bestanden.</p>
<table><thead><tr><th>Szenario</th><th>Datei</th><th>Ergebnis</th></tr></thead><tbody>{rows}</tbody></table>
<table><thead><tr><th>Diagramm</th><th>Knoten</th><th>Flüsse</th><th>Gesamt</th></tr></thead>
<tbody>{coverage_rows}</tbody></table>
<p class="legende"><span class="ok">■ abgedeckt</span> <span class="fehler">■ von keinem Szenario berührt</span></p>
{''.join(sections)}</body></html>"""
    path.write_text(page, encoding="utf-8")


def as_json(results: list[ScenarioResult], diagrams: list[DiagramCoverage]) -> dict[str, Any]:
    return {
        "scenarios": [{"name": result.scenario.name, "file": result.scenario.file, "passed": result.ok,
                       "failures": result.failures, "path": result.history} for result in results],
        "coverage": [{"process": item.process_id, "name": item.name, "percent": round(item.percent, 1),
                      "nodes": {"covered": len(item.covered_nodes), "total": len(item.nodes),
                                "uncovered": sorted(item.nodes - item.covered_nodes)},
                      "flows": {"covered": len(item.covered_flows), "total": len(item.flows),
                                "uncovered": sorted(item.flows - item.covered_flows)}} for item in diagrams],
    }
