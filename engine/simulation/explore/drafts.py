"""Draft scenarios from explored paths: one `erledige` per user task with values that steer the path,
`warte` for timers, `nachricht` for messages, a final `erwarte`, in the German YAML of scenario.py."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from engine.domain.plan import FORM_KEY as PLAN_FORM_KEY  # its custom form also needs the list `schritte`
from engine.runtime.durations import DurationError, parse_duration
from engine.runtime.expressions import Atom, ExpressionError, alternatives, compile_expression, unwrap
from engine.runtime.model import FormField, UserTaskDef
from engine.simulation.explore.graph import SUBPROCESS_TAGS, WAIT_TAGS, Edge, Graph, Route, Trigger
from engine.simulation.explore.paths import Draft, Plan

if TYPE_CHECKING:
    from engine.simulation.explore import Explorer

MAX_CALL_DEPTH = 3  # how deep drafts descend into called processes for their steps
PLACEHOLDER = "…"
DATE_PLACEHOLDER = "heute+14"
EXPRESSION_WAIT = "P6M"
DATED_WAIT = "P3W"  # a timer computed from a date the draft sets to heute+14 is due within three weeks
PASSIVE_TAGS = frozenset({"startEvent", "exclusiveGateway", "inclusiveGateway", "parallelGateway",
                          "complexGateway", "eventBasedGateway"})  # pass without doing anything to the case


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
        return self.tag in WAIT_TAGS or self.tag == "boundaryEvent" or self.node in self.graph.event_starts


class Writer:
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


def render(explorer: Explorer, plan: Plan, draft: Draft, number: int) -> str:
    """The draft scenario of one chosen path, as YAML text with comments for QA."""
    graph = plan.graph
    visits = flatten(explorer, graph, draft.route, 0, (graph.process.id,))
    writer = Writer(explorer, visits)
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
    lines.append(_pair("szenario", f"Entwurf {number}: {graph.process.name} – über »{target(graph, draft)}«"))
    lines.append(_pair("prozess", graph.process.id))
    if writer.case_data:
        lines.append("fall:")
        lines.extend("  " + _pair(key, value) for key, value in writer.case_data.items())
    lines.append("schritte:")
    lines.extend(steps)
    lines.append("  - erwarte:")
    lines.append("      durchlaufen:")
    lines.extend(f"        - {_scalar(explorer.label(node))}" for node in expect_passed)
    if waiting is not None:
        lines.append("      wartet:")
        lines.append(f"        - {_scalar(explorer.label(waiting))}")
    return "\n".join(lines) + "\n"


def flatten(explorer: Explorer, graph: Graph, route: Route, depth: int, chain: tuple[str, ...]) -> list[Visit]:
    """The visits of a path, with the simplest path through each called process put in its place."""
    visits: list[Visit] = []
    nodes = route.nodes
    for index, node in enumerate(nodes):
        via = route.edges[index - 1] if index else None
        leaving = route.edges[index] if index < len(route.edges) else None
        called = graph.called.get(node)
        interrupted = leaving is not None and leaving.kind == "boundary"
        if called and not interrupted and depth < MAX_CALL_DEPTH and called not in chain:
            inner = explorer.simplest(called)
            if inner is not None:
                visits.extend(flatten(explorer, explorer.graph(called), inner, depth + 1, (*chain, called)))
                visits.append(Visit(graph, node, via, leaving, depth, descended=True))
                continue
        visits.append(Visit(graph, node, via, leaving, depth))
    return visits


# -- conditions and values ------------------------------------------------------------------------


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
    inner, wrapped = unwrap(text)
    try:
        variables = set(compile_expression(text).names) if wrapped else set()
    except ExpressionError:
        variables = set()
    if variables == {inner} and isinstance(values.get(inner), str):  # `${planLaufzeit}`: the draft's own value
        try:
            parse_duration(values[inner])
        except DurationError:
            pass
        else:
            return str(values[inner]), f"aus »{inner}« im Entwurf ({text})"
    if variables & dated:
        return DATED_WAIT, f"geschätzt: {text} hängt an einem Datum, das der Entwurf auf {DATE_PLACEHOLDER} setzt"
    return EXPRESSION_WAIT, f"Ausdruck {text}: Wartezeit geschätzt, bitte anpassen"


def _ordered(route: Route, items: frozenset[str]) -> list[str]:
    order: list[str] = []
    for node, edge in zip(route.nodes, [None, *route.edges], strict=True):
        if edge is not None and edge.flow in items and edge.flow not in order:
            order.append(edge.flow)
        if node in items and node not in order:
            order.append(node)
    return order


def target(graph: Graph, draft: Draft) -> str:
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


def slug(text: str) -> str:
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
