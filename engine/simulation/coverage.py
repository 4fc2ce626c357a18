"""Coverage of flow nodes and sequence flows per diagram, from what scenarios passed and waited at."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field

from engine.runtime.compensation import handlers_of_boundary_events
from engine.runtime.model import Document, ProcessDef

# Elements that are drawn but are not steps a token passes.
NOT_NODES = frozenset({"sequenceFlow", "process", "laneSet", "lane", "textAnnotation", "association",
                       "dataObject", "dataObjectReference", "dataStoreReference", "message", "property",
                       "ioSpecification", "extensionElements", "incoming", "outgoing", "timeDate",
                       "timeDuration", "timeCycle", "multiInstanceLoopCharacteristics", "dataInputAssociation",
                       "dataOutputAssociation"})


@dataclass
class DiagramCoverage:
    process_id: str
    name: str
    file: str
    nodes: set[str]
    flows: set[str]
    covered_nodes: set[str] = field(default_factory=set)
    covered_flows: set[str] = field(default_factory=set)

    @property
    def percent(self) -> float:
        """(covered nodes + covered flows) / (all nodes + all flows), as Camunda's coverage reports it."""
        total = len(self.nodes) + len(self.flows)
        return 100.0 if total == 0 else 100.0 * (len(self.covered_nodes) + len(self.covered_flows)) / total

    @property
    def node_percent(self) -> float:
        return 100.0 if not self.nodes else 100.0 * len(self.covered_nodes) / len(self.nodes)

    @property
    def flow_percent(self) -> float:
        return 100.0 if not self.flows else 100.0 * len(self.covered_flows) / len(self.flows)


def nodes_of(process: ProcessDef) -> set[str]:
    return {element for element, tag in process.elements.items() if tag not in NOT_NODES}


def coverage(documents: dict[str, Document], reached: set[str],
             sequences: Iterable[list[str]]) -> list[DiagramCoverage]:
    """A flow s→t counts as taken when t was reached and either s was passed right before t in one
    instance, or the flow is the only way into t, or the only way out of a reached s."""
    adjacent: set[tuple[str, str]] = set()
    for sequence in sequences:
        adjacent.update(itertools.pairwise(sequence))
    result = []
    for document in documents.values():
        compensation = handlers_of_boundary_events(document.root)
        for process in document.processes.values():
            if not process.executable:
                continue
            nodes = nodes_of(process)
            item = DiagramCoverage(process.id, process.name, document.file, nodes, set(process.flows))
            item.covered_nodes = nodes & (reached | {event for event, handler in compensation.items()
                                                     if handler in reached})
            incoming: dict[str, int] = {}
            outgoing: dict[str, int] = {}
            for flow in process.flows.values():
                incoming[flow.target] = incoming.get(flow.target, 0) + 1
                outgoing[flow.source] = outgoing.get(flow.source, 0) + 1
            for flow in process.flows.values():
                if flow.source not in reached or flow.target not in reached:
                    continue
                if (flow.source, flow.target) in adjacent or incoming[flow.target] == 1 or outgoing[flow.source] == 1:
                    item.covered_flows.add(flow.id)
            result.append(item)
    return result
