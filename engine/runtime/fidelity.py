"""Checks that a spec SpiffWorkflow built keeps what the diagram says; what it dropped would run silently wrong."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from lxml import etree

_DEFINITION_KINDS = {"messageEventDefinition": "Message",
                     "signalEventDefinition": "Signal",
                     "timerEventDefinition": "Timer", "errorEventDefinition": "Error",
                     "escalationEventDefinition": "Escalation",
                     "conditionalEventDefinition": "Conditional",
                     "terminateEventDefinition": "Terminate",
                     "cancelEventDefinition": "Cancel",
                     "compensateEventDefinition": "Compensation",
                     "linkEventDefinition": "Link"}


def ignored_event_definitions(specs: Iterable[Any], index: Mapping[str, Mapping[str, etree._Element]]) -> list[str]:
    """Ids of events whose event definition the executable specs lost (they would run as none events)."""
    lost = []
    for each in specs:
        elements = elements_of(each, index)
        for task_spec in each.task_specs.values():
            definition = getattr(task_spec, "event_definition", None)
            element = elements.get(getattr(task_spec, "bpmn_id", None) or "")
            if definition is None or element is None:
                continue
            if any("EventBasedGateway" in type(before).__name__ for before in task_spec.inputs):
                continue  # the gateway holds the definitions of the events after it
            written = [etree.QName(child).localname for child in element if isinstance(child.tag, str)
                       and etree.QName(child).localname in _DEFINITION_KINDS]
            kinds = [type(inner).__name__ for inner in getattr(definition, "event_definitions", None) or [definition]]
            for kind in written:
                if not any(_DEFINITION_KINDS[kind] in name or (kind == "timerEventDefinition" and "Clock" in name)
                           for name in kinds):
                    lost.append(task_spec.bpmn_id)
                    break
    return sorted(set(lost))


def element_index(documents: Mapping[str, etree._Element]) -> dict[str, dict[str, etree._Element]]:
    """Elements by file and id (two files deployed together may both have an element `theEnd`)."""
    return {name: {element.get("id"): element for element in root.iter() if isinstance(element.tag, str)
                   and element.get("id")} for name, root in documents.items()}


def elements_of(spec: Any, index: Mapping[str, Mapping[str, etree._Element]]) -> Mapping[str, etree._Element]:
    return index.get(getattr(spec, "file", None) or "", {})


# What the library says when it cannot build a spec, said in German (its own text stays as a detail otherwise).
_LIBRARY_REFUSALS = {
    "Must contain an End event": "Ein Unterprozess braucht ein Endereignis.",
    "Multiple outgoing flows are not supported": "Mehrere ausgehende Sequenzflüsse an diesem Element kann die "
                                                 "Engine nicht ausführen; bitte ein Gateway davor setzen.",
    "exclusive outgoing sequence flow without condition": "Ein ausgehender Fluss des exklusiven Gateways hat keine "
                                                          "Bedingung und ist nicht der Standardfluss.",
    "must specify a cardinality": "Eine Mehrfachausführung braucht eine Anzahl (loopCardinality) oder eine "
                                  "Sammlung (camunda:collection).",
    "Escalation identifier is missing": "Das Eskalationsereignis nennt keine Eskalation.",
    "Signal identifier is missing": "Das Signalereignis nennt kein Signal.",
    "Cancel Events may only be used with transactions": "Abbruch-Ereignisse gibt es nur in "
                                                        "Transaktions-Unterprozessen.",
}


def in_german(detail: str) -> str:
    for needle, sentence in _LIBRARY_REFUSALS.items():
        if needle in detail:
            return sentence
    return f"Das Diagramm kann nicht ausgeführt werden (SpiffWorkflow meldet: {detail})."


# What the library says when an instance cannot go on, said in German.
_LIBRARY_FAILURES = {
    "No conditions satisfied on gateway": "Keine Bedingung ist erfüllt und es gibt keinen Standardfluss.",
    "Missing data input for multiinstance task": "Die Sammlung der Mehrfachausführung fehlt in den Daten.",
    "maximum recursion depth exceeded": "Die Engine kann die Zusammenführungen dieses Diagramms nicht auswerten "
                                        "(zu tief verschachtelte Schleife über Gateways).",
}


def failure_in_german(detail: str) -> str:
    for needle, sentence in _LIBRARY_FAILURES.items():
        if needle in detail:
            return sentence
    return f"Die Prozessausführung ist fehlgeschlagen: {detail}"

