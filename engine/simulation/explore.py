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

import json
import re
import unicodedata
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from lxml import etree

from engine.domain.plan import FORM_KEY as PLAN_FORM_KEY  # its custom form also needs the list `schritte`
from engine.runtime.durations import DurationError, parse_duration
from engine.runtime.errors import EngineError
from engine.runtime.expressions import Atom, alternatives
from engine.runtime.lint import load_files
from engine.runtime.model import BPMN_NS, Document, FormField, ProcessDef, UserTaskDef, local
from engine.simulation.coverage import coverage, nodes_of

MAX_PATHS = 20_000  # enumeration stops here; a shortest-path fallback then covers what is left
MAX_CALL_DEPTH = 3  # how deep drafts descend into called processes for their steps
PLACEHOLDER = "…"
DATE_PLACEHOLDER = "heute+14"
EXPRESSION_WAIT = "P6M"
DATED_WAIT = "P3W"  # a timer computed from a date the draft sets to heute+14 is due within three weeks
WAIT_TAGS = frozenset({"userTask", "receiveTask", "callActivity", "intermediateCatchEvent"})
SUBPROCESS_TAGS = frozenset({"subProcess", "transaction", "adHocSubProcess"})
PASSIVE_TAGS = frozenset({"startEvent", "exclusiveGateway", "inclusiveGateway", "parallelGateway",
                          "complexGateway", "eventBasedGateway"})  # pass without doing anything to the case


class ExploreError(EngineError):
    """The diagram to explore cannot be found or the exploration cannot run; the message is German."""


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    flow: str | None  # sequence flow id; None for the edges below
    kind: str = "flow"  # "flow", "boundary" (a boundary event fires), "enter"/"exit" (embedded subprocess)

    @property
    def key(self) -> str:
        return self.flow or f"{self.kind}:{self.source}>{self.target}"


@dataclass(frozen=True)
class Trigger:
    kind: str  # "timer", "message" or another event definition (signal, conditional, ...)
    value: str = ""  # timer text (duration, date or expression) or message name
    timer: str = ""  # timeDuration, timeDate or timeCycle


@dataclass
class Graph:
    process: ProcessDef
    file: str
    nodes: set[str]
    starts: list[str]
    flows_out: dict[str, list[Edge]]  # sequence flows by source
    enters: dict[str, list[Edge]]  # subprocess -> its start events
    boundaries: dict[str, list[Edge]]  # wait state -> boundary events that can fire while it waits
    exits: dict[str, Edge]  # end event inside a subprocess -> edge back to the subprocess
    triggers: dict[str, Trigger] = field(default_factory=dict)
    called: dict[str, str] = field(default_factory=dict)  # call activity -> called process id

    def tag(self, node: str) -> str:
        return self.process.elements.get(node, "")

    def next(self, node: str, via: Edge | None) -> list[Edge]:
        """Where a token at `node` (reached by `via`) can go: flows, boundary events, into or out of a subprocess."""
        if node in self.enters and (via is None or via.kind != "exit"):
            return list(self.enters[node])
        if node in self.exits:
            return [self.exits[node]]
        return self.flows_out.get(node, []) + self.boundaries.get(node, [])


@dataclass(frozen=True)
class Route:
    start: str
    edges: tuple[Edge, ...]

    @property
    def nodes(self) -> list[str]:
        return [self.start, *(edge.target for edge in self.edges)]

    def items(self, graph: Graph) -> frozenset[str]:
        """What the path reaches: node ids and flow ids (ids are unique within a diagram)."""
        return frozenset({node for node in self.nodes if node in graph.nodes}
                         | {edge.flow for edge in self.edges if edge.flow})

    def cost(self, graph: Graph) -> tuple[int, int]:
        waits = sum(1 for node in self.nodes if graph.tag(node) in WAIT_TAGS or graph.tag(node) == "boundaryEvent")
        return waits, len(self.edges)


@dataclass(frozen=True)
class Draft:
    route: Route
    reaches: frozenset[str]  # uncovered node and flow ids this path reaches first


@dataclass
class Plan:
    graph: Graph
    uncovered: set[str]
    drafts: list[Draft]
    unreachable: set[str]  # uncovered elements no path from a start event reaches
    paths: int  # how many complete paths the search enumerated


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
        path = out_dir / f"entwurf_{number:02d}_{_slug(_target(plan.graph, draft))}.yaml"
        path.write_text(explorer.render(plan, draft, number), encoding="utf-8")
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
    """Graphs, paths and drafts for the diagrams of one processes folder."""

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

    # -- finding and reading a diagram ------------------------------------------------------------

    def find(self, diagram: str) -> ProcessDef:
        """A process by id, else by its file name (`schlichtung.bpmn` or `schlichtung`), exact before any case."""
        candidates = [(Path(document.file), process) for document in self.documents.values()
                      if document.kind == "bpmn" for process in document.processes.values()]
        wanted = diagram.strip()
        for fold in (str, str.lower):
            for by_file in (False, True):
                found = [process for file, process in candidates
                         if (fold(wanted) in {fold(file.name), fold(file.stem)} if by_file
                             else fold(process.id) == fold(wanted))]
                if found:
                    return next((process for process in found if process.executable), found[0])
        known = ", ".join(sorted(process.id for _, process in candidates if process.executable))
        raise ExploreError(f"Das Diagramm »{diagram}« gibt es nicht; bekannt sind: {known or 'keine'}.")

    def graph(self, process_id: str) -> Graph:
        if process_id not in self._graphs:
            self._graphs[process_id] = self._build(self.find(process_id))
        return self._graphs[process_id]

    def _build(self, process: ProcessDef) -> Graph:
        document = next(document for document in self.documents.values()
                        if document.processes.get(process.id) is process)
        element = next(candidate for candidate in document.root.iter(f"{{{BPMN_NS}}}process")
                       if candidate.get("id") == process.id)
        messages = {key: value for other in self.documents.values() for key, value in other.messages.items()}
        messages.update(document.messages)
        nodes = nodes_of(process)
        parent: dict[str, str | None] = {}
        attached: dict[str, str] = {}
        graph = Graph(process, document.file, nodes, [], {}, {}, {}, {})
        for node in element.iter():
            if not isinstance(node.tag, str) or etree.QName(node).namespace != BPMN_NS:
                continue
            node_id = node.get("id")
            if node_id is None or node_id not in nodes:
                continue
            parent[node_id] = _enclosing(node, element)
            trigger = _trigger(node, messages)
            if trigger is not None:
                graph.triggers[node_id] = trigger
            tag = local(node.tag)
            if tag == "boundaryEvent" and node.get("attachedToRef"):
                attached[node_id] = node.get("attachedToRef", "")  # interrupting or not: the path follows it
            elif tag == "callActivity" and node.get("calledElement"):
                graph.called[node_id] = node.get("calledElement", "")
        for flow in process.flows.values():
            graph.flows_out.setdefault(flow.source, []).append(Edge(flow.source, flow.target, flow.id))
        for node, tag in process.elements.items():
            if node not in nodes:
                continue
            if tag in SUBPROCESS_TAGS:
                inner = [child for child, above in parent.items()
                         if above == node and process.elements[child] == "startEvent"]
                if inner:
                    graph.enters[node] = [Edge(node, child, None, "enter") for child in inner]
            elif tag == "startEvent" and parent.get(node) is None:
                graph.starts.append(node)
        for node, above in parent.items():
            if above is not None and process.elements[node] == "endEvent" and not graph.flows_out.get(node):
                graph.exits[node] = Edge(node, above, None, "exit")
        for boundary, activity in sorted(attached.items()):
            if process.elements.get(activity) in SUBPROCESS_TAGS:
                waits = [node for node in parent if process.elements[node] in WAIT_TAGS
                         and _inside(node, activity, parent)]
            else:
                waits = [activity]
            for wait in waits:
                graph.boundaries.setdefault(wait, []).append(Edge(wait, boundary, None, "boundary"))
        graph.starts.sort(key=lambda node: (graph.triggers.get(node) is not None, node))
        return graph

    # -- paths ------------------------------------------------------------------------------------

    def routes(self, graph: Graph, max_loops: int, limit: int | None = None) -> list[Route]:
        """Every path from a start event to an end, each edge taken at most `max_loops` times
        (at most `limit` paths, MAX_PATHS by default)."""
        limit = MAX_PATHS if limit is None else limit
        if max_loops < 1:
            raise ExploreError("»max_loops« muss mindestens 1 sein (jeder Fluss mindestens einmal).")
        routes: list[Route] = []
        for start in graph.starts:
            counts: Counter[str] = Counter()
            edges: list[Edge] = []
            first = graph.next(start, None)
            if not first:
                routes.append(Route(start, ()))
                continue
            stack = [iter(first)]
            while stack and len(routes) < limit:
                edge = next((candidate for candidate in stack[-1] if counts[candidate.key] < max_loops), None)
                if edge is None:  # this node is exhausted (or every way on is used up: no complete path)
                    stack.pop()
                    if edges and len(edges) == len(stack):
                        counts[edges.pop().key] -= 1
                    continue
                counts[edge.key] += 1
                edges.append(edge)
                following = graph.next(edge.target, edge)
                if following:
                    stack.append(iter(following))
                else:
                    routes.append(Route(start, tuple(edges)))
                    counts[edges.pop().key] -= 1
        return routes

    def plan(self, diagram: str, covered_nodes: set[str], covered_flows: set[str], max_loops: int = 2) -> Plan:
        graph = self.graph(self.find(diagram).id)
        uncovered = (graph.nodes - covered_nodes) | (set(graph.process.flows) - covered_flows)
        if not uncovered:
            return Plan(graph, uncovered, [], set(), 0)
        routes = self.routes(graph, max_loops)
        remaining = set(uncovered)
        drafts = _greedy(graph, routes, remaining)
        for item in sorted(remaining):  # only when the enumeration hit its limit: a shortest path through it
            if item not in remaining:
                continue
            route = self._through(graph, item)
            if route is not None:
                reaches = route.items(graph) & remaining
                drafts.append(Draft(route, frozenset(reaches)))
                remaining -= reaches
        return Plan(graph, uncovered, drafts, remaining, len(routes))

    def _through(self, graph: Graph, item: str) -> Route | None:
        """A shortest path from a start event through a node or flow on to an end."""
        for start in graph.starts:
            if start == item:
                tail = _shortest(graph, start, None, None)
                return None if tail is None else Route(start, tuple(tail))
            head = _shortest(graph, start, None, lambda edge: item in {edge.target, edge.flow})
            if head is None:
                continue
            tail = _shortest(graph, head[-1].target, head[-1], None)
            if tail is not None:
                return Route(start, tuple(head + tail))
        return None

    def simplest(self, process_id: str) -> Route | None:
        """The path with the fewest waits through a called process (for the steps of a draft)."""
        if process_id not in self._simplest:
            try:
                graph = self.graph(process_id)
            except ExploreError:
                self._simplest[process_id] = None
            else:
                routes = self.routes(graph, 1, limit=2_000)
                self._simplest[process_id] = min(routes, key=lambda route: route.cost(graph), default=None)
        return self._simplest[process_id]

    # -- drafts -----------------------------------------------------------------------------------

    def render(self, plan: Plan, draft: Draft, number: int) -> str:
        graph = plan.graph
        visits = self._flatten(graph, draft.route, 0, (graph.process.id,))
        writer = _Writer(self, visits)
        steps, expect_passed, waiting = writer.steps()
        lines = [
            "# ENTWURF – automatisch erzeugt von »sro simulate --explore«, noch von QA zu prüfen.",
            f"# Diagramm »{graph.process.name}« ({Path(graph.file).name}), Weg {number} von {len(plan.drafts)}.",
            "# Dieser Weg erreicht, was die vorhandenen Szenarien noch nicht abdecken:",
        ]
        for node in _ordered(draft.route, draft.reaches):
            if node in graph.process.flows:
                flow = graph.process.flows[node]
                lines.append(f"#   - Fluss {node}: {graph.process.label(flow.source)} → "
                             f"{graph.process.label(flow.target)}")
            else:
                name = graph.process.names.get(node)
                lines.append(f"#   - Knoten {node}" + (f" »{name}«" if name else ""))
        if writer.assumptions:
            lines.append("# Voraussetzungen, die der Entwurf nicht selbst setzt (Fall-Daten oder Eingaben anpassen):")
            lines.extend(f"#   - {assumption}" for assumption in dict.fromkeys(writer.assumptions))
        lines.append("# Platzhalter »…« und geschätzte Wartezeiten bitte ausfüllen bzw. prüfen.")
        lines.append(_pair("szenario", f"Entwurf {number}: {graph.process.name} – über »{_target(graph, draft)}«"))
        lines.append(_pair("prozess", graph.process.id))
        if writer.case_data:
            lines.append("fall:")
            lines.extend("  " + _pair(key, value) for key, value in writer.case_data.items())
        lines.append("schritte:")
        lines.extend(steps)
        lines.append("  - erwarte:")
        lines.append("      durchlaufen:")
        lines.extend(f"        - {_scalar(self.label(node))}" for node in expect_passed)
        if waiting is not None:
            lines.append("      wartet:")
            lines.append(f"        - {_scalar(self.label(waiting))}")
        return "\n".join(lines) + "\n"

    def label(self, element: str) -> str:
        """The German name when it names only this element in all diagrams, else the id."""
        for document in self.documents.values():
            for process in document.processes.values():
                name = process.names.get(element)
                if name and self._name_ids.get(name) == {element}:
                    return name
        return element

    def _flatten(self, graph: Graph, route: Route, depth: int, chain: tuple[str, ...]) -> list[Visit]:
        visits: list[Visit] = []
        nodes = route.nodes
        for index, node in enumerate(nodes):
            via = route.edges[index - 1] if index else None
            leaving = route.edges[index] if index < len(route.edges) else None
            called = graph.called.get(node)
            interrupted = leaving is not None and leaving.kind == "boundary"
            if called and not interrupted and depth < MAX_CALL_DEPTH and called not in chain:
                inner = self.simplest(called)
                if inner is not None:
                    visits.extend(self._flatten(self.graph(called), inner, depth + 1, (*chain, called)))
                    visits.append(Visit(graph, node, via, leaving, depth, descended=True))
                    continue
            visits.append(Visit(graph, node, via, leaving, depth))
        return visits


@dataclass(frozen=True)
class Visit:
    graph: Graph
    node: str
    via: Edge | None
    leaving: Edge | None
    depth: int
    descended: bool = False

    @property
    def tag(self) -> str:
        return self.graph.tag(self.node)

    @property
    def interrupted(self) -> bool:
        return self.leaving is not None and self.leaving.kind == "boundary"

    @property
    def task(self) -> UserTaskDef | None:
        return self.graph.process.user_tasks.get(self.node) if self.tag == "userTask" else None

    @property
    def waits(self) -> bool:
        """The token rests here until a step of the draft (or QA) moves it on."""
        if self.tag == "callActivity":
            return not self.descended
        return self.tag in WAIT_TAGS or self.tag == "boundaryEvent"


class _Writer:
    """Turns the visits of a path (called processes flattened in) into YAML step lines."""

    def __init__(self, explorer: Explorer, visits: list[Visit]) -> None:
        self.explorer = explorer
        self.visits = visits
        self.assumptions: list[str] = []
        self.case_data: dict[str, Any] = {}
        self.choices: dict[int, list[Atom]] = {}  # visit index -> the condition atoms its outgoing flow needs
        self._conditions()

    def _conditions(self) -> None:
        """Which alternative of each condition on the path is meant, and what the draft cannot steer."""
        settable: set[str] = set()
        activity_seen = False
        for index, visit in enumerate(self.visits):
            if visit.tag not in PASSIVE_TAGS:
                activity_seen = True
            task = visit.task
            if task is not None and not visit.interrupted:
                settable |= {item.id for item in task.fields if not item.readonly}
            flow = visit.graph.process.flows.get(visit.leaving.flow) if visit.leaving and visit.leaving.flow else None
            if flow is None or not flow.condition:
                continue
            start_phase = not activity_seen and visit.depth == 0  # before any activity: case data can steer it
            alternatives = parse_condition(flow.condition)
            chosen = next((alternative for alternative in alternatives
                           if alternative and all(atom is not None and (atom.var in settable or start_phase)
                                                  for atom in alternative)),
                          alternatives[0] if alternatives else [])
            atoms = [atom for atom in chosen if atom is not None]
            self.choices[index] = atoms
            where = f"{visit.graph.process.label(flow.source)} → »{flow.name or flow.target}«: {flow.condition}"
            if len(atoms) != len(chosen) or not chosen:
                self.assumptions.append(where)
            for atom in atoms:
                if atom.var in settable:
                    continue
                if start_phase and _start_value(atom) is not None:
                    self.case_data.setdefault(atom.var, _start_value(atom))
                else:
                    self.assumptions.append(where)

    def _constraint(self, index: int, field_id: str) -> Atom | None:
        """The first condition from this task on that tests the field before a form sets it again."""
        for later in range(index, len(self.visits)):
            task = self.visits[later].task
            if (later > index and task is not None and not self.visits[later].interrupted
                    and task.field(field_id) is not None):
                return None
            for atom in self.choices.get(later, []):
                if atom.var == field_id:
                    return atom
        return None

    def steps(self) -> tuple[list[str], list[str], str | None]:
        lines: list[str] = []
        passed: list[str] = []
        waiting: str | None = None
        values: dict[str, Any] = {}
        dated: set[str] = set()
        last_task: tuple[int, int] | None = None  # visit index, line count after its step
        for index, visit in enumerate(self.visits):
            trigger = visit.graph.triggers.get(visit.node)
            task = visit.task
            if visit.interrupted:
                pass
            elif task is not None:
                lines.extend(self._task(index, task, values, dated))
                last_task = (index, len(lines))
            elif visit.tag == "callActivity" and not visit.descended:
                waiting = visit.node
                break
            elif visit.waits and visit.tag != "callActivity":
                if trigger is not None and trigger.kind == "timer":
                    duration, note = _duration(trigger, values, dated)
                    lines.append(f"  - warte: {duration}" + (f"  # {note}" if note else ""))
                elif trigger is not None and trigger.kind == "message":
                    lines.append(f"  - nachricht: {_scalar(trigger.value)}")
                elif visit.tag != "userTask":  # a signal, condition, error ...: QA has to bring it about
                    waiting = self.visits[index - 1].node if visit.tag == "boundaryEvent" and index else visit.node
                    break
            if visit.depth == 0 and self._recorded(visit):
                passed.append(visit.node)
        if last_task is not None and waiting is None:
            index, position = last_task
            after = next((visit.node for visit in self.visits[index + 1:]
                          if visit.waits and visit.tag != "boundaryEvent"), None)
            if after is not None and position < len(lines):
                lines[position:position] = ["  - erwarte:", "      wartet:",
                                            f"        - {_scalar(self.explorer.label(after))}"]
        return lines, passed, waiting

    @staticmethod
    def _recorded(visit: Visit) -> bool:
        """Whether the engine records the element as passed: not when a boundary event interrupted it,
        and an embedded subprocess only when it is left after its end event."""
        if visit.interrupted:
            return False
        if visit.tag in SUBPROCESS_TAGS and visit.node in visit.graph.enters:
            return visit.via is not None and visit.via.kind == "exit"
        return True

    def _task(self, index: int, task: UserTaskDef, values: dict[str, Any], dated: set[str]) -> list[str]:
        visit = self.visits[index]
        lines = [f"  - erledige: {_scalar(task.name)}"]
        if visit.depth:
            lines[0] += f"  # aufgerufen: {visit.graph.process.name}"
        entries: list[str] = []
        for form_field in task.fields:
            if form_field.readonly:
                continue
            value, note = _placeholder(form_field, self._constraint(index, form_field.id))
            values[form_field.id] = value
            if form_field.type == "date":
                dated.add(form_field.id)
            entries.append(f"      {_pair(form_field.id, value)}" + (f"  # {note}" if note else ""))
        if task.form_key == PLAN_FORM_KEY:
            dated.add("schritte")
            entries += ["      schritte:  # bitte ausfüllen: die Schritte des Kooperationsplans",
                        f"        - beschreibung: {PLACEHOLDER}  # bitte ausfüllen",
                        "          verantwortlich: elb",
                        f"          faellig: {DATE_PLACEHOLDER}"]
        if entries:
            lines.append("    mit:")
            lines.extend(entries)
        return lines


# -- conditions -------------------------------------------------------------------------------------

def parse_condition(text: str) -> list[list[Atom | None]]:
    """`${a == 'x' || b != false && c}` as alternatives of atoms, read by the expression parser; None
    stands for a part that is not a simple comparison of a variable with a literal (function calls,
    dotted names, arithmetic). See `engine.runtime.expressions.alternatives`."""
    return alternatives(text)


def _start_value(atom: Atom) -> Any:
    """A case-data value that satisfies the atom, or None when there is no obvious one."""
    if atom.op == "==":
        return atom.value
    if atom.op == "!=" and isinstance(atom.value, bool):
        return not atom.value
    return None


def _placeholder(form_field: FormField, atom: Atom | None) -> tuple[Any, str | None]:
    """A value for a form field: what the path's next test of it needs, else a harmless default."""
    kind = form_field.type
    if kind == "enum":
        options = [option for option, _ in form_field.options]
        if atom is not None and atom.op == "==" and isinstance(atom.value, str):
            return atom.value, None
        default = form_field.default if form_field.default in options else None
        preferred = [option for option in ([default] if default else []) + options
                     if atom is None or atom.op != "!=" or option != atom.value]
        return (preferred[0], None) if preferred else (PLACEHOLDER, "bitte ausfüllen")
    if kind == "boolean":
        if atom is not None and isinstance(atom.value, bool) and atom.op in {"==", "!="}:
            return atom.value if atom.op == "==" else not atom.value, None
        return (form_field.default or "").strip().lower() == "true", None
    if kind == "long":
        lower = form_field.constraint("min")
        value = max(1, int(lower)) if lower and lower.lstrip("-").isdigit() else 1
        if atom is not None and isinstance(atom.value, int) and not isinstance(atom.value, bool):
            value = {"==": atom.value, "!=": atom.value + 1, ">=": atom.value, ">": atom.value + 1,
                     "<=": atom.value, "<": atom.value - 1}.get(atom.op, value)
        return value, None
    if kind == "date":
        return DATE_PLACEHOLDER, None
    if kind == "string" and atom is not None and atom.op == "==" and isinstance(atom.value, str):
        return atom.value, None
    minimum = form_field.constraint("minlength")
    length = int(minimum) if minimum and minimum.isdigit() else 1
    return PLACEHOLDER * max(1, length), "bitte ausfüllen"


def _duration(trigger: Trigger, values: Mapping[str, Any], dated: set[str]) -> tuple[str, str | None]:
    text = trigger.value.strip()
    if trigger.timer == "timeCycle" and "/" in text:
        text = text.split("/")[-1]
    if trigger.timer != "timeDate" or not text.startswith(("${", "#{")):
        try:
            parse_duration(text)
        except DurationError:
            pass
        else:
            return text, None
    variables = set(re.findall(r"[A-Za-z_]\w*", text[2:-1] if text.startswith(("${", "#{")) else ""))
    single = re.fullmatch(r"[$#]\{\s*([A-Za-z_]\w*)\s*\}", text)
    if single and isinstance(values.get(single.group(1)), str):
        try:
            parse_duration(values[single.group(1)])
        except DurationError:
            pass
        else:
            return str(values[single.group(1)]), f"aus »{single.group(1)}« im Entwurf ({text})"
    if variables & dated:
        return DATED_WAIT, f"geschätzt: {text} hängt an einem Datum, das der Entwurf auf {DATE_PLACEHOLDER} setzt"
    return EXPRESSION_WAIT, f"Ausdruck {text}: Wartezeit geschätzt, bitte anpassen"


# -- helpers ----------------------------------------------------------------------------------------

def _enclosing(node: etree._Element, process: etree._Element) -> str | None:
    above = node.getparent()
    while above is not None and above is not process:
        if local(above.tag) in SUBPROCESS_TAGS and etree.QName(above).namespace == BPMN_NS:
            identifier: str | None = above.get("id")
            return identifier
        above = above.getparent()
    return None


def _inside(node: str, container: str, parent: Mapping[str, str | None]) -> bool:
    above = parent.get(node)
    while above is not None:
        if above == container:
            return True
        above = parent.get(above)
    return False


def _trigger(node: etree._Element, messages: Mapping[str, str]) -> Trigger | None:
    tag = local(node.tag)
    if tag == "receiveTask":
        reference = node.get("messageRef", "")
        return Trigger("message", messages.get(reference, reference))
    if not tag.endswith("Event"):
        return None
    for child in node:
        kind = local(child.tag)
        if not kind.endswith("EventDefinition"):
            continue
        if kind == "timerEventDefinition":
            for timer in child:
                if local(timer.tag) in {"timeDuration", "timeDate", "timeCycle"}:
                    return Trigger("timer", (timer.text or "").strip(), local(timer.tag))
            return Trigger("timer")
        if kind == "messageEventDefinition":
            reference = child.get("messageRef", "")
            return Trigger("message", messages.get(reference, reference))
        return Trigger(kind.removesuffix("EventDefinition"))
    return None


def _greedy(graph: Graph, routes: list[Route], remaining: set[str]) -> list[Draft]:
    """Greedy set cover: each round the path reaching the most uncovered elements, the simplest on a tie."""
    scored = [(route, route.items(graph), route.cost(graph)) for route in routes]
    drafts: list[Draft] = []
    while remaining:
        best: tuple[Route, frozenset[str], tuple[int, int]] | None = None
        best_gain = 0
        for route, items, cost in scored:
            gain = len(items & remaining)
            if gain > best_gain or (gain == best_gain and gain and best is not None and cost < best[2]):
                best, best_gain = (route, items, cost), gain
        if best is None:
            break
        reaches = best[1] & remaining
        drafts.append(Draft(best[0], frozenset(reaches)))
        remaining -= reaches
    return drafts


def _shortest(graph: Graph, start: str, via: Edge | None,
              goal: Callable[[Edge], bool] | None) -> list[Edge] | None:
    """Breadth-first: the fewest edges from `start` up to an edge for which `goal` holds, or, without
    a goal, to the nearest end."""
    queue: deque[tuple[str, Edge | None, list[Edge]]] = deque([(start, via, [])])
    seen: set[tuple[str, bool]] = set()
    while queue:
        node, came, edges = queue.popleft()
        state = (node, came is not None and came.kind == "exit")
        if state in seen:
            continue
        seen.add(state)
        following = graph.next(node, came)
        if not following and goal is None:
            return edges
        for edge in following:
            if goal is not None and goal(edge):
                return [*edges, edge]
            queue.append((edge.target, edge, [*edges, edge]))
    return None


def _ordered(route: Route, items: frozenset[str]) -> list[str]:
    order: list[str] = []
    for node, edge in zip(route.nodes, [None, *route.edges], strict=True):
        if edge is not None and edge.flow in items and edge.flow not in order:
            order.append(edge.flow)
        if node in items and node not in order:
            order.append(node)
    return order


def _target(graph: Graph, draft: Draft) -> str:
    """What a draft is about, in German: the first newly reached named element (or flow) behind a
    branch or boundary event, else where the path ends."""
    process = graph.process
    for index, edge in enumerate(draft.route.edges):
        choices = graph.next(edge.source, draft.route.edges[index - 1] if index else None)
        if len(choices) < 2 and edge.kind != "boundary":
            continue
        if edge.target in draft.reaches and process.names.get(edge.target) and "Gateway" not in graph.tag(edge.target):
            return process.names[edge.target]
        flow = process.flows.get(edge.flow or "")
        if flow is not None and flow.id in draft.reaches and flow.name:
            return f"{process.label(flow.source)} {flow.name}"
    return process.label(draft.route.nodes[-1])


def _slug(text: str) -> str:
    text = text.lower()
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, plain)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")[:40].rstrip("_") or "weg"


def _scalar(value: Any) -> str:
    """A YAML scalar: plain when it reads back unchanged, else double-quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    try:
        plain_ok = yaml.safe_load(f"- {text}") == [text] and "\n" not in text
    except yaml.YAMLError:
        plain_ok = False
    return text if plain_ok else json.dumps(text, ensure_ascii=False)


def _pair(key: str, value: Any) -> str:
    return f"{key}: {_scalar(value)}"
