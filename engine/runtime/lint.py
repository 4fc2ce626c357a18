"""Checks a diagram before it may run; the same findings drive deployment and `sro lint`."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from lxml import etree

from engine.runtime import compensation, expressions
from engine.runtime.cron import check_cron, is_cron
from engine.runtime.durations import DurationError, is_duration, parse_cycle, parse_duration, parse_moment
from engine.runtime.errors import Finding, ProcessError
from engine.runtime.io_mapping import template_parts
from engine.runtime.lint_dialect import (
    REFERENCED,
    SUPPORTED_CAMUNDA_ELEMENTS,
    UNSUPPORTED_ATTRIBUTES,
    check_call_activity,
    check_camunda_attributes,
    check_escalations,
    check_io_mapping,
    check_links,
    check_passing,
    check_signals,
    declared_ids,
    inside_refused,
)
from engine.runtime.lint_places import _at, _check_expression, _finding, _say
from engine.runtime.model import BPMN_NS, CAMUNDA_NS, Document, FormField, ProcessDef, local, read_document
from engine.runtime.xmlsafe import UnsafeXmlError, parse_xml

RESERVED_IDS = {"Start", "End"}
FIELD_TYPES = {"string", "long", "boolean", "date", "enum"}
CONSTRAINTS = {"required", "readonly", "minlength", "maxlength", "min", "max"}
_IDENTIFIER = re.compile(r"^[A-Za-zÄÖÜäöüß][A-Za-z0-9_ÄÖÜäöüß]*$")

UNSUPPORTED = {
    "scriptTask": "Skript-Aufgaben werden aus Sicherheitsgründen nicht ausgeführt. "
                  "Bitte eine Benutzeraufgabe oder Gateway-Bedingungen verwenden.",
    "sendTask": "Sende-Aufgaben kann die Engine nicht ausführen.",
    "complexGateway": "Komplexe Gateways kann die Engine nicht ausführen. Bitte exklusive, parallele oder "
                      "inklusive Gateways verwenden.",
    "adHocSubProcess": "Ad-hoc-Unterprozesse kann die Engine nicht ausführen.",
    "linkEventDefinition": "Dieses Link-Ereignis kann die Engine nicht ausführen: ein Link braucht genau ein "
                           "fangendes Link-Ereignis gleichen Namens im selben Bereich, ohne eingehenden Fluss und "
                           "nicht hinter einem ereignisbasierten Gateway; sonst bitte einen Sequenzfluss verwenden.",
}
UNSUPPORTED_CAMUNDA = {
    "executionListener": "Ausführungs-Listener werden nicht ausgeführt; ihr Verhalten ginge stillschweigend verloren.",
    "taskListener": "Aufgaben-Listener werden nicht ausgeführt; ihr Verhalten ginge stillschweigend verloren.",
    "connector": "Konnektoren werden nicht unterstützt.",
    "script": "Skripte werden aus Sicherheitsgründen nicht ausgeführt.",
}
EXPRESSION_ELEMENTS = {
    "loopCardinality": "Anzahl der Mehrfachausführung",
    "completionCondition": "Abschlussbedingung",
}


def load_files(paths: Iterable[Path]) -> tuple[dict[str, Document], list[Finding]]:
    """Read every .bpmn/.dmn file under the given files or folders (safely) into documents."""
    documents: dict[str, Document] = {}
    findings: list[Finding] = []
    for path in expand(paths):
        try:
            root = parse_xml(path.read_bytes(), str(path))
        except UnsafeXmlError as error:
            findings.append(error.finding)
            continue
        documents[str(path)] = read_document(root, str(path))
    return documents, findings


def expand(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(p for p in path.rglob("*") if p.suffix in {".bpmn", ".dmn"} and ".camunda" not in p.parts)
            )
        else:
            files.append(path)
    return files


def check(documents: Mapping[str, Document], known: Iterable[str] = (),
          actions: Iterable[str] | None = None) -> list[Finding]:
    """Findings for a set of files deployed together.

    `known`: process and decision ids already deployed (call activities and business rule tasks may
    refer to them); `actions`: the topics of the domain actions external tasks may name (None: any).
    """
    from engine.runtime import dmn

    findings: list[Finding] = []
    batch = {pid for document in documents.values() for pid in document.provides}
    available = set(known) | batch
    topics = None if actions is None else set(actions)
    for document in documents.values():
        if document.kind == "dmn":
            findings.extend(dmn.lint_dmn(document.root, document.file))
            continue
        findings.extend(_check_elements(document, available, topics, batch))
        findings.extend(_check_event_subprocesses(document))
        findings.extend(check_links(document))
        findings.extend(check_signals(document))
        findings.extend(check_escalations(document))
        findings.extend(compensation.check(document))
        for process in document.processes.values():
            if not process.executable:
                continue
            findings.extend(_check_user_tasks(process))
            findings.extend(_check_gateways(process))
    if not findings:
        findings.extend(_check_executable(documents))
    return findings


def _check_conditional(document: Document, element: etree._Element) -> list[Finding]:
    """Conditional catch, boundary and start events as `conditional.py` runs them."""
    owner = element.getparent()
    in_event_subprocess = owner is not None and local(owner.tag) == "startEvent" and \
        owner.getparent() is not None and owner.getparent().get("triggeredByEvent") == "true"
    catching = owner is not None and local(owner.tag) in {"intermediateCatchEvent", "boundaryEvent"}
    process_start = owner is not None and local(owner.tag) == "startEvent" and owner.getparent() is not None \
        and local(owner.getparent().tag) == "process"
    if not catching and not in_event_subprocess and not process_start:
        return [_finding(document, element, "Bedingte Start-Ereignisse gibt es nur am Prozess und an "
                                            "Ereignis-Teilprozessen.")]
    if process_start and len(owner.getparent().findall(f"{{{BPMN_NS}}}startEvent")) > 1:
        return [_finding(document, element, "Ein Prozess mit bedingtem Start-Ereignis darf kein weiteres "
                                            "Start-Ereignis haben: Camunda startet je Start eine eigene Instanz, ein "
                                            "Fall hat nur eine.")]
    listens = [name for name in ("variableName", "variableEvents") if element.get(f"{{{CAMUNDA_NS}}}{name}")
               and not (process_start and name == "variableName")]
    if listens and not in_event_subprocess:
        return [_finding(document, element, f"camunda:{listens[0]} wird nur am bedingten Start eines "
                                            "Ereignis-Teilprozesses ausgeführt; hier ginge es stillschweigend "
                                            "verloren.")]
    kinds = [kind.strip() for kind in (element.get(f"{{{CAMUNDA_NS}}}variableEvents") or "").split(",") if kind.strip()]
    unknown = [kind for kind in kinds if kind not in ("create", "update", "delete")]
    if unknown:
        return [_finding(document, element, f"camunda:variableEvents »{unknown[0]}« gibt es nicht; erlaubt sind "
                                            "create, update und delete.")]
    if kinds and not element.get(f"{{{CAMUNDA_NS}}}variableName"):
        return [_finding(document, element, "camunda:variableEvents wird nur zusammen mit camunda:variableName "
                                            "ausgeführt.")]
    condition = element.find(f"{{{BPMN_NS}}}condition")
    if condition is None or not (condition.text or "").strip():
        return [_finding(document, element, "Das bedingte Ereignis hat keine Bedingung.")]
    return _check_expression(_at(document, element), condition.text or "", "Bedingung")


def _check_timer(document: Document, element: etree._Element) -> list[Finding]:
    text = (element.text or "").strip()
    kind = local(element.tag)
    if not text:
        return [_finding(document, element, "Das Zeitereignis hat keinen Wert (Datum, Dauer oder Zyklus).")]
    event = element.getparent().getparent() if element.getparent() is not None else None
    if kind == "timeCycle" and event is not None and local(event.tag) == "startEvent" and \
            local(event.getparent().tag) == "process":
        return [_finding(document, element, "Ein Zeit-Startereignis mit Zyklus startet in Camunda zu jedem Termin "
                                            "eine neue Instanz; das führt die Engine nicht aus. Bitte einen "
                                            "Zeitpunkt oder eine Dauer angeben.")]
    inner, wrapped = expressions.unwrap(text)
    if wrapped or inner[:1] in {"'", '"'}:
        return _check_expression(_at(document, element), text, "Zeitausdruck")
    try:
        if kind == "timeDuration":
            parse_duration(inner)
        elif kind == "timeDate" and not is_duration(inner):
            parse_moment(inner)
        elif is_cron(inner):
            check_cron(inner)
        else:
            parse_cycle(inner)
    except DurationError as error:
        return [_finding(document, element, str(error))]
    return []


def _check_elements(document: Document, available: set[str], topics: set[str] | None,
                    batch: set[str]) -> list[Finding]:
    findings: list[Finding] = []
    for element in document.root.iter():
        if not isinstance(element.tag, str):
            continue
        namespace = etree.QName(element).namespace
        tag = local(element.tag)
        element_id = element.get("id")
        if namespace == BPMN_NS:
            if element_id in RESERVED_IDS:
                findings.append(_finding(document, element, f"Die ID »{element_id}« ist intern reserviert; "
                                                            "bitte eine andere ID vergeben."))
            if tag in UNSUPPORTED:
                findings.append(_finding(document, element, UNSUPPORTED[tag]))
            if tag == "conditionalEventDefinition":
                findings.extend(_check_conditional(document, element))
            if tag in {"task", "userTask", "manualTask", "receiveTask", "callActivity", "subProcess"}:
                for attribute in UNSUPPORTED_ATTRIBUTES:
                    if element.get(f"{{{CAMUNDA_NS}}}{attribute}") is not None:
                        findings.append(_finding(document, element,
                                                 f"Das Attribut camunda:{attribute} wird nicht ausgeführt."))
            findings.extend(check_camunda_attributes(document, element, tag))
            if tag == "conditionExpression" and element.get("language") not in (None, "", "juel"):
                findings.append(_finding(document, element, f"Bedingungen in der Sprache »{element.get('language')}« "
                                                            "werden nicht ausgeführt; bitte einen Ausdruck ${...} "
                                                            "verwenden."))
            elif tag == "conditionExpression" and element.text:
                findings.extend(_check_expression(_at(document, element), element.text, "Bedingung"))
            elif tag in EXPRESSION_ELEMENTS and element.text and element.text.strip():
                findings.extend(_check_expression(_at(document, element), element.text, EXPRESSION_ELEMENTS[tag]))
            collection = element.get(f"{{{CAMUNDA_NS}}}collection") or ""
            if tag == "multiInstanceLoopCharacteristics" and ("${" in collection or "#{" in collection):
                findings.extend(_check_expression(_at(document, element), collection,
                                                  "Sammlung der Mehrfachausführung"))
            if tag in {"timeDate", "timeDuration", "timeCycle"}:
                findings.extend(_check_timer(document, element))
            if tag == "callActivity":
                findings.extend(check_call_activity(document, element, available, batch))
            if tag == "serviceTask":
                findings.extend(_check_service_task(document, element, topics))
            if tag == "businessRuleTask":
                findings.extend(_check_decision_task(document, element, available))
            # a message throw or end event sends nothing, as in Camunda 7 without an implementation
            # (spiff.MessageThrowAsNone): its messageRef is not resolved
            throws = tag == "messageEventDefinition" and element.getparent() is not None \
                and local(element.getparent().tag) in {"intermediateThrowEvent", "endEvent"}
            if tag == "messageEventDefinition" and not throws and element.get("messageRef") not in document.messages:
                findings.append(_finding(document, element, "Das Nachrichtenereignis verweist auf keine "
                                                            "definierte Nachricht (messageRef)."))
            elif tag in REFERENCED and element.get(REFERENCED[tag][0]) and \
                    element.get(REFERENCED[tag][0]) not in declared_ids(document, REFERENCED[tag][1]):
                findings.append(_finding(document, element, f"Das Ereignis verweist auf {REFERENCED[tag][2]} "
                                                            f"»{element.get(REFERENCED[tag][0])}«, die es im "
                                                            "Diagramm nicht gibt."))
            elif tag == "errorEventDefinition" and not element.get("errorRef") and element.getparent() is not None \
                    and local(element.getparent().tag) == "endEvent":
                findings.append(_finding(document, element, "Ein Fehler-Endereignis braucht eine Fehlerreferenz "
                                                            "(errorRef); Camunda lehnt es ohne ab."))
            elif tag in {"messageEventDefinition", "receiveTask"} and not throws \
                    and element.get("messageRef") in document.unnamed:
                findings.append(_finding(document, element, "Die Nachricht hat keinen Namen; so kann sie nie "
                                                            "zugestellt werden."))
        elif namespace == CAMUNDA_NS and tag == "inputOutput":
            findings.extend(check_io_mapping(document, element))
        elif namespace == CAMUNDA_NS and tag in UNSUPPORTED_CAMUNDA:
            findings.append(_finding(document, element, UNSUPPORTED_CAMUNDA[tag]))
        elif namespace == CAMUNDA_NS and tag not in SUPPORTED_CAMUNDA_ELEMENTS and not inside_refused(element):
            findings.append(_finding(document, element, f"Das Element camunda:{tag} wird nicht ausgeführt; "
                                                        "es ginge stillschweigend verloren."))
        elif namespace == CAMUNDA_NS and tag in {"in", "out"}:
            findings.extend(check_passing(document, element, tag))
    return findings


def _check_event_subprocesses(document: Document) -> list[Finding]:
    """What `event_subprocess.py` runs: on a process's top level, started by a message, signal, error,
    escalation or timer (interrupting or not); in a subprocess, by an error, escalation, message or timer;
    and a message that starts one is waited for nowhere else in the process (delivering it is unambiguous)."""
    findings: list[Finding] = []
    for process in document.root.iter(f"{{{BPMN_NS}}}process"):
        waited: dict[str, etree._Element] = {}
        starting: list[tuple[etree._Element, str]] = []
        for sub in process.iter(f"{{{BPMN_NS}}}subProcess"):
            if sub.get("triggeredByEvent") != "true":
                continue
            nested_ok = all(any(start.find(f"{{{BPMN_NS}}}{kind}EventDefinition") is not None
                                for kind in ("error", "escalation", "message", "timer", "compensate"))
                            for start in sub.findall(f"{{{BPMN_NS}}}startEvent"))
            if sub.getparent() is not process and not nested_ok:
                findings.append(_finding(document, sub, "Ein Ereignis-Teilprozess in einem Unterprozess wird nur "
                                                        "mit einem Fehler-, Eskalations-, Nachrichten- oder "
                                                        "Zeit-Start ausgeführt."))
            for start in sub.findall(f"{{{BPMN_NS}}}startEvent"):
                message = start.find(f"{{{BPMN_NS}}}messageEventDefinition")
                if not any(
                        local(child.tag).endswith("EventDefinition") for child in start if isinstance(child.tag, str)):
                    findings.append(_finding(document, start, "Ein Ereignis-Teilprozess wird nur mit einem "
                                                              "Nachrichten-, Signal-, Fehler-, Eskalations- "
                                                              "oder Zeit-Startereignis ausgeführt."))
                elif message is not None and message.get("messageRef") in document.messages:
                    starting.append((start, document.messages[message.get("messageRef", "")]))
        for definition in process.iter(f"{{{BPMN_NS}}}messageEventDefinition", f"{{{BPMN_NS}}}receiveTask"):
            owner = definition if local(definition.tag) == "receiveTask" else definition.getparent()
            if owner is None or any(owner is start for start, _ in starting):
                continue
            name = document.messages.get(definition.get("messageRef", ""))
            if name is not None:
                waited.setdefault(name, owner)
        for start, name in starting:
            if name in waited:
                other = waited[name]
                findings.append(_finding(document, start, f"Die Nachricht »{name}« startet diesen "
                                                          f"Ereignis-Teilprozess und wird zugleich von "
                                                          f"»{other.get('name') or other.get('id')}« erwartet; "
                                                          "wohin sie zugestellt wird, wäre mehrdeutig."))
    return findings


def _camunda_attribute(element: etree._Element, name: str) -> str | None:
    value: str | None = element.get(f"{{{CAMUNDA_NS}}}{name}")
    return value


def _check_service_task(document: Document, element: etree._Element, topics: set[str] | None) -> list[Finding]:
    topic = _camunda_attribute(element, "topic")
    if _camunda_attribute(element, "type") != "external" or not topic:
        return [_finding(document, element, "Service-Aufgaben laufen nur als externe Aufgabe "
                                            "(camunda:type=\"external\") mit dem Thema einer fachlichen Aktion "
                                            "(camunda:topic).")]
    if topics is not None and topic not in topics:
        known = (f"Bekannt sind: {', '.join(sorted(topics))}." if topics
                 else "Es sind keine fachlichen Aktionen bekannt.")
        return [_finding(document, element, f"Die fachliche Aktion »{topic}« gibt es nicht. {known}")]
    return []


def _check_decision_task(document: Document, element: etree._Element, available: set[str]) -> list[Finding]:
    from engine.runtime.spiff import DecisionTask

    reference = _camunda_attribute(element, "decisionRef")
    mapping = _camunda_attribute(element, "mapDecisionResult")
    if not reference:
        return [_finding(document, element, "Die Geschäftsregel-Aufgabe nennt keine Entscheidung "
                                            "(camunda:decisionRef).")]
    findings = []
    if reference not in available:
        findings.append(_finding(document, element, f"Die Entscheidung »{reference}« ist nicht bereitgestellt."))
    if mapping is not None and mapping not in DecisionTask.MAPPINGS:
        findings.append(_finding(document, element, f"camunda:mapDecisionResult »{mapping}« ist unbekannt "
                                                    f"({', '.join(DecisionTask.MAPPINGS)})."))
    if _camunda_attribute(element, "resultVariable") is None:
        findings.append(_finding(document, element, "Die Geschäftsregel-Aufgabe braucht eine Ergebnisvariable "
                                                    "(camunda:resultVariable)."))
    return findings


def _check_date_attribute(place: Finding, name: str, value: str) -> list[Finding]:
    inner, wrapped = expressions.unwrap(value)
    if wrapped:
        return _check_expression(place, value, f"camunda:{name}")
    if is_duration(inner):
        return []
    try:
        parse_moment(inner)
    except DurationError:
        return [_say(place, f"camunda:{name} »{value}« ist weder ein Ausdruck ${{...}}, "
                                            "noch eine Dauer (P14D) noch ein Datum (2025-01-31).")]
    return []


def _check_user_tasks(process: ProcessDef) -> list[Finding]:
    findings: list[Finding] = []
    for task in process.user_tasks.values():
        here = Finding(process.file, task.id, "", line=process.lines.get(task.id))
        for name, value in (("dueDate", task.due_date), ("followUpDate", task.follow_up_date)):
            if value:
                findings.extend(_check_date_attribute(here, name, value))
        for name, value in (("assignee", task.assignee), ("candidateUsers", task.candidate_users),
                            ("candidateGroups", task.candidate_groups), ("priority", task.priority)):
            if value and "{" in value:  # one expression, or text with embedded ones (`kermit_${loopCounter}`)
                for text in template_parts(value)[1] or [value]:
                    findings.extend(_check_expression(here, text, f"camunda:{name}"))
            elif name == "priority" and value and not value.strip().lstrip("-").isdigit():
                findings.append(_say(here, f"camunda:priority »{value}« ist keine ganze Zahl."))
        seen: set[str] = set()
        for form_field in task.fields:
            at_field = Finding(process.file, task.id, "", line=form_field.line)
            for message in _field_problems(form_field):
                findings.append(_say(at_field, f"Formularfeld »{form_field.id}«: {message}"))
            if form_field.id in seen:
                findings.append(_say(at_field, f"Formularfeld »{form_field.id}« ist doppelt."))
            seen.add(form_field.id)
    return findings


def _field_problems(form_field: FormField) -> list[str]:
    problems = []
    if not _IDENTIFIER.match(form_field.id):
        problems.append("Die ID muss mit einem Buchstaben beginnen und darf nur Buchstaben, Ziffern und _ enthalten.")
    if form_field.type not in FIELD_TYPES:
        problems.append(f"Der Typ »{form_field.type}« wird nicht unterstützt (string, long, boolean, date, enum).")
    if form_field.type == "enum" and not form_field.options:
        problems.append("Eine Auswahl (enum) braucht mindestens einen Wert.")
    for name, config in form_field.constraints:
        if name not in CONSTRAINTS:
            problems.append(f"Die Prüfregel »{name}« ist unbekannt.")
        elif name in {"minlength", "maxlength"} and not (config or "").isdigit():
            problems.append(f"Die Prüfregel »{name}« braucht eine ganze Zahl.")
        elif name in {"min", "max"}:
            problems.extend(_bound_problem(form_field, name, config))
    options = dict(form_field.options)
    if form_field.default is not None and form_field.type == "enum" and form_field.default not in options:
        problems.append(f"Der Vorgabewert »{form_field.default}« ist keine der Auswahlmöglichkeiten.")
    return problems


def _bound_problem(form_field: FormField, name: str, config: str | None) -> list[str]:
    try:
        if form_field.type == "long":
            int(config or "")
        elif form_field.type == "date":
            parse_moment(config or "")
        else:
            return [f"Die Prüfregel »{name}« gilt nur für Zahlen und Daten."]
    except (ValueError, DurationError):
        return [f"Die Prüfregel »{name}« hat keinen gültigen Wert »{config}«."]
    return []


def _domains(process: ProcessDef) -> dict[str, tuple[Any, ...]]:
    """Finite value sets of boolean and enum form fields: enough to test conditions for overlap."""
    domains: dict[str, tuple[Any, ...]] = {}
    for task in process.user_tasks.values():
        for form_field in task.fields:
            if form_field.type == "boolean":
                values: tuple[Any, ...] = (True, False)
            elif form_field.type == "enum":
                values = tuple(option for option, _ in form_field.options)
            else:
                continue
            if not form_field.required:
                values = (*values, None)
            domains[form_field.id] = tuple(dict.fromkeys(domains.get(form_field.id, ()) + values))
    return domains


def _check_gateways(process: ProcessDef) -> list[Finding]:
    findings: list[Finding] = []
    domains = _domains(process)
    for gateway_id, tag in process.elements.items():
        if tag != "exclusiveGateway":
            continue
        outgoing = process.outgoing(gateway_id)
        default = process.defaults.get(gateway_id)
        line = process.lines.get(gateway_id)
        if len(outgoing) > 1:
            for flow in outgoing:
                if flow.condition is None and flow.id != default:
                    findings.append(Finding(process.file, flow.id, f"Der Fluss »{flow.name or flow.id}« aus dem "
                                            f"Gateway »{process.label(gateway_id)}« hat keine Bedingung und ist "
                                            "nicht der Standardfluss.", line=flow.line))
        conditioned = [flow for flow in outgoing if flow.condition]
        for first, second in itertools.combinations(conditioned, 2):
            overlap = _overlap(first.condition or "", second.condition or "", domains)
            if overlap is not None:
                findings.append(Finding(
                    process.file, gateway_id,
                    f"Die Bedingungen von »{first.name or first.id}« und »{second.name or second.id}« am Gateway "
                    f"»{process.label(gateway_id)}« können zugleich zutreffen ({overlap}). Dann entschiede die "
                    "Lage der Elemente im Diagramm; bitte die Bedingungen eindeutig machen.", line=line))
    return findings


def _overlap(first: str, second: str, domains: Mapping[str, tuple[Any, ...]]) -> str | None:
    """A sentence describing values where both conditions hold, or None if none exist or it cannot be told."""
    try:
        a, b = expressions.compile_expression(first), expressions.compile_expression(second)
    except expressions.ExpressionError:
        return None  # reported as a broken condition elsewhere
    if " ".join(expressions.unwrap(first)[0].split()) == " ".join(expressions.unwrap(second)[0].split()):
        return "gleicher Ausdruck"
    names = sorted(a.names | b.names)
    if a.functions or b.functions or not names or any(name not in domains for name in names):
        return None
    combos = list(itertools.product(*(domains[name] for name in names)))
    if len(combos) > 4096:
        return None
    for values in combos:
        variables = dict(zip(names, values, strict=True))
        try:
            if a.evaluate(variables) is True and b.evaluate(variables) is True:
                return ", ".join(f"{name} = {value!r}" for name, value in variables.items())
        except expressions.ExpressionError:
            continue
    return None


def _check_executable(documents: Mapping[str, Document]) -> list[Finding]:
    """Let SpiffWorkflow build each executable process; its complaints become findings too."""
    from engine.runtime.spiff import compile_process

    findings: list[Finding] = []
    bpmn = {name: document.root for name, document in documents.items() if document.kind == "bpmn"}
    for document in documents.values():
        for process in document.processes.values():
            if not process.executable:
                continue
            try:
                compile_process(bpmn, process.id)
            except ProcessError as error:
                findings.append(Finding(document.file, error.element_id or process.id, str(error)))
    return findings


def lint_paths(paths: Iterable[Path], actions: Iterable[str] | None = None) -> list[Finding]:
    documents, findings = load_files(paths)
    return findings + check(documents, actions=actions)

