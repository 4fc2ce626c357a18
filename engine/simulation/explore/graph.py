"""The graph a draft scenario walks: flows, boundary events, embedded subprocesses and their entry and
exit, event triggers and call activities of one process, read from the model and, where it leaves
something out, from the XML."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from engine.runtime.errors import EngineError
from engine.runtime.model import BPMN_NS, Document, ProcessDef, local
from engine.simulation.coverage import nodes_of

WAIT_TAGS = frozenset({"userTask", "receiveTask", "callActivity", "intermediateCatchEvent"})
SUBPROCESS_TAGS = frozenset({"subProcess", "transaction", "adHocSubProcess"})


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
    event_starts: set[str] = field(default_factory=set)  # start events of event subprocesses (they wait)

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


def find_process(documents: Mapping[str, Document], diagram: str) -> ProcessDef:
    """A process by id, else by its file name (`schlichtung.bpmn` or `schlichtung`), exact before any case."""
    candidates = [(Path(document.file), process) for document in documents.values()
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


def build_graph(documents: Mapping[str, Document], process: ProcessDef) -> Graph:
    document = next(document for document in documents.values()
                    if document.processes.get(process.id) is process)
    element = next(candidate for candidate in document.root.iter(f"{{{BPMN_NS}}}process")
                   if candidate.get("id") == process.id)
    messages = {key: value for other in documents.values() for key, value in other.messages.items()}
    messages.update(document.messages)
    nodes = nodes_of(process)
    parent: dict[str, str | None] = {}
    attached: dict[str, str] = {}
    by_event: set[str] = set()  # event subprocesses (triggeredByEvent): a path may begin with their start
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
        if tag in SUBPROCESS_TAGS and node.get("triggeredByEvent") == "true":
            by_event.add(node_id)
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
        if above in by_event and process.elements[node] == "startEvent":
            graph.event_starts.add(node)
        # an event subprocess ends where its end event is (nothing follows it in the scope)
        if above is not None and above not in by_event and process.elements[node] == "endEvent" \
                and not graph.flows_out.get(node):
            graph.exits[node] = Edge(node, above, None, "exit")
    graph.starts.extend(sorted(by_event))
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
