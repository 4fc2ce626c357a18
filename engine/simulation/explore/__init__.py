"""`sro simulate --explore`: walk a diagram's paths and write draft scenarios for what is not covered yet.

The graph of one process is read from the model and, for what the model leaves out, from the XML:
sequence flows, boundary events (`attachedToRef`, interrupting or not), embedded subprocesses
(entered at their start event, left after their end event), event-based gateways (one branch per
event) and call activities (one step in the explored diagram). A depth-first search enumerates the
paths from the start event to an end; it takes every flow (and every boundary, entry or exit edge)
at most `max_loops` times per path, so loops are walked a bounded number of times and the search
terminates. A greedy set cover then picks few paths that together reach every node and flow the
existing scenarios have not reached: each round takes the path reaching the most still uncovered
elements, the simplest one (fewest waits, then fewest edges) on a tie. Should the search stop at
MAX_PATHS paths, a shortest path through each element still left over completes the cover.

Each chosen path becomes a draft scenario in the German YAML format of `scenario.py`: one
`erledige` per user task with placeholders for every form field (values a later gateway tests
are chosen so that the path is taken), `warte` for timers, `nachricht` for messages, and a final
`erwarte` with the elements the path passes. Steps inside called processes are filled in from
the simplest path through the called process, so many drafts run as they are; all of them are
meant to be checked by QA before they join the scenario set.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from engine.runtime.expressions import Atom
from engine.runtime.lint import load_files
from engine.runtime.model import Document, ProcessDef
from engine.simulation.coverage import coverage
from engine.simulation.explore import paths
from engine.simulation.explore.drafts import parse_condition, render, slug, target
from engine.simulation.explore.graph import ExploreError, Graph, Route, build_graph, find_process
from engine.simulation.explore.paths import Plan

__all__ = ["Atom", "ExploreError", "Explorer", "covered_by", "explore", "parse_condition"]


def explore(processes: Path, diagram: str, covered_nodes: set[str], covered_flows: set[str], out_dir: Path,
            max_loops: int = 2) -> list[Path]:
    """Write one draft scenario per chosen path to `out_dir` and return the files (none if all is covered).

    `diagram` is a process id (`Schlichtung`) or a .bpmn file name (`schlichtung.bpmn`, `schlichtung`);
    `covered_nodes`/`covered_flows` are the element and flow ids the existing scenarios reached (ids of
    other diagrams are ignored). Files are named `entwurf_01_<ziel>.yaml`, ...; existing files of the
    same name are overwritten, others are left alone.
    """
    documents, _ = load_files([processes])
    explorer = Explorer(documents)
    plan = explorer.plan(diagram, covered_nodes, covered_flows, max_loops)
    written: list[Path] = []
    if not plan.drafts:
        return written
    out_dir.mkdir(parents=True, exist_ok=True)
    for number, draft in enumerate(plan.drafts, start=1):
        path = out_dir / f"entwurf_{number:02d}_{slug(target(plan.graph, draft))}.yaml"
        path.write_text(render(explorer, plan, draft, number), encoding="utf-8")
        written.append(path)
    return written


def covered_by(documents: Mapping[str, Document], reached: set[str],
               sequences: Iterable[list[str]]) -> tuple[set[str], set[str]]:
    """The covered node and flow ids of all diagrams, as the coverage report counts them, for `explore`."""
    nodes: set[str] = set()
    flows: set[str] = set()
    for item in coverage(dict(documents), reached, sequences):
        nodes |= item.covered_nodes
        flows |= item.covered_flows
    return nodes, flows


class Explorer:
    """Graphs, paths and drafts for the diagrams of one processes folder (graphs and simplest paths cached)."""

    def __init__(self, documents: Mapping[str, Document]) -> None:
        self.documents = documents
        self._graphs: dict[str, Graph] = {}
        self._simplest: dict[str, Route | None] = {}
        ids: dict[str, set[str]] = {}
        for document in documents.values():
            for process in document.processes.values():
                for element, tag in process.elements.items():
                    if tag != "sequenceFlow" and process.names.get(element):
                        ids.setdefault(process.names[element], set()).add(element)
        self._name_ids = ids

    def find(self, diagram: str) -> ProcessDef:
        return find_process(self.documents, diagram)

    def graph(self, process_id: str) -> Graph:
        if process_id not in self._graphs:
            self._graphs[process_id] = build_graph(self.documents, self.find(process_id))
        return self._graphs[process_id]

    @staticmethod
    def routes(graph: Graph, max_loops: int, limit: int | None = None) -> list[Route]:
        return paths.routes(graph, max_loops, limit)

    def plan(self, diagram: str, covered_nodes: set[str], covered_flows: set[str], max_loops: int = 2,
             max_paths: int = paths.MAX_PATHS) -> Plan:
        return paths.cover(self.graph(self.find(diagram).id), covered_nodes, covered_flows, max_loops, max_paths)

    def simplest(self, process_id: str) -> Route | None:
        """The path with the fewest waits through a called process (for the steps of a draft)."""
        if process_id not in self._simplest:
            try:
                graph = self.graph(process_id)
            except ExploreError:
                self._simplest[process_id] = None
            else:
                found = paths.routes(graph, 1, limit=2_000)
                self._simplest[process_id] = min(found, key=lambda route: route.cost(graph), default=None)
        return self._simplest[process_id]

    def label(self, element: str) -> str:
        """The German name when it names only this element in all diagrams, else the id."""
        for document in self.documents.values():
            for process in document.processes.values():
                name = process.names.get(element)
                if name and self._name_ids.get(name) == {element}:
                    return name
        return element
