"""Paths through an explore graph: all of them with loops bounded, a greedy cover of what is uncovered,
the shortest way through one element."""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass

from engine.simulation.explore.graph import Edge, ExploreError, Graph, Route

MAX_PATHS = 20_000  # enumeration stops here; a shortest-path fallback then covers what is left


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


def routes(graph: Graph, max_loops: int, limit: int | None = None) -> list[Route]:
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


def cover(graph: Graph, covered_nodes: set[str], covered_flows: set[str], max_loops: int,
          max_paths: int = MAX_PATHS) -> Plan:
    """Few paths that together reach every node and flow of `graph` not yet covered (enumerating at most
    `max_paths` paths; shortest paths cover what is left then)."""
    uncovered = (graph.nodes - covered_nodes) | (set(graph.process.flows) - covered_flows)
    if not uncovered:
        return Plan(graph, uncovered, [], set(), 0)
    found = routes(graph, max_loops, max_paths)
    remaining = set(uncovered)
    drafts = _greedy(graph, found, remaining)
    for item in sorted(remaining):  # only when the enumeration hit its limit: a shortest path through it
        if item not in remaining:
            continue
        route = _through(graph, item)
        if route is not None:
            reaches = route.items(graph) & remaining
            drafts.append(Draft(route, frozenset(reaches)))
            remaining -= reaches
    return Plan(graph, uncovered, drafts, remaining, len(found))


def _through(graph: Graph, item: str) -> Route | None:
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
