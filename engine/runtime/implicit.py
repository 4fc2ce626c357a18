"""What Camunda 7 does without a symbol, made explicit so that SpiffWorkflow runs it the same way.

- A message throw or end event without a message passes as a none event.
- Camunda takes every outgoing sequence flow of an activity or event at once (an implicit parallel
  split; with conditions, those whose condition holds, else the default). SpiffWorkflow refuses
  several outgoing flows and ignored the condition of a lone conditional flow: the split becomes a
  gateway right after the element (ids ending in `__split`).
- A link throw event is a jump to the link catch event of the same name in the same scope (BPMN's
  "off-page connector"): where exactly one catch of that name exists and no event-based gateway
  leads to it, both become none events joined by a sequence flow (ids ending in `__link`). Links
  that cannot be joined so (no catch, several catches, after an event-based gateway) stay as they
  are and lint refuses them.
- An inclusive gateway's outgoing flow without a condition (and not the default) is always taken by
  Camunda; SpiffWorkflow refuses it: it gets the condition `${true}`.
- Camunda ends a subprocess when no token is left in it, even without an end event; SpiffWorkflow
  refuses one without: each dead end inside (an activity, an event, a parallel join) gets an end
  event (ids ending in `__end`).
"""

from __future__ import annotations

import re

from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
_FLOW = f"{{{BPMN_NS}}}sequenceFlow"
_NOT_NODES = {"sequenceFlow", "extensionElements", "documentation", "incoming", "outgoing", "laneSet", "dataObject",
              "dataObjectReference", "dataStoreReference", "textAnnotation", "association", "ioSpecification",
              "property", "multiInstanceLoopCharacteristics", "standardLoopCharacteristics", "group", "category"}


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _nodes(scope: etree._Element) -> list[etree._Element]:
    return [child for child in scope if isinstance(child.tag, str) and etree.QName(child).namespace == BPMN_NS
            and _local(child) not in _NOT_NODES and child.get("id")]


def make_explicit(root: etree._Element) -> None:
    _drop_unimplemented_message_throws(root)
    _both_collection_spellings(root)
    for scope in [*root.iter(f"{{{BPMN_NS}}}process"), *root.iter(f"{{{BPMN_NS}}}subProcess")]:
        _join_links(scope)
        _inclusive_flows_always_taken(scope)
        _split_uncontrolled_flows(scope)
        if _local(scope) == "subProcess":
            _end_dead_ends(scope)


_CAMUNDA = "http://camunda.org/schema/1.0/bpmn"


def _both_collection_spellings(root: etree._Element) -> None:
    """A multi-instance over a collection, written either way Camunda reads it: camunda:collection and
    camunda:elementVariable, or BPMN's loopDataInputRef and inputDataItem. SpiffWorkflow's parsers each
    read one spelling (user tasks the first, call activities and subprocesses the second): both are set
    (the second only for a variable, named plainly or as `${name}`)."""
    for loop in root.iter(f"{{{BPMN_NS}}}multiInstanceLoopCharacteristics"):
        collection = loop.get(f"{{{_CAMUNDA}}}collection")
        variable = loop.get(f"{{{_CAMUNDA}}}elementVariable")
        reference = loop.find(f"{{{BPMN_NS}}}loopDataInputRef")
        item = loop.find(f"{{{BPMN_NS}}}inputDataItem")
        name = _variable_name(collection)
        if name and reference is None:
            etree.SubElement(loop, f"{{{BPMN_NS}}}loopDataInputRef").text = name
            if variable and item is None:
                etree.SubElement(loop, f"{{{BPMN_NS}}}inputDataItem", id=variable, name=variable)
        elif reference is not None and not collection and (reference.text or "").strip():
            loop.set(f"{{{_CAMUNDA}}}collection", (reference.text or "").strip())
            if item is not None and item.get("name") and not variable:
                loop.set(f"{{{_CAMUNDA}}}elementVariable", item.get("name", ""))


def _variable_name(collection: str | None) -> str | None:
    """The variable a camunda:collection names: written plainly (`list`) or as a bare expression (`${list}`,
    `#{list}`); None for any other expression."""
    text = (collection or "").strip()
    match = re.fullmatch(r"[$#]\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}", text)
    if match:
        return match.group(1)
    return text if text and "${" not in text and "#{" not in text else None


def _drop_unimplemented_message_throws(root: etree._Element) -> None:
    """A message throw or end event with no message and no implementation does nothing in Camunda 7 (it
    passes like a none event); SpiffWorkflow would throw a message named after the element."""
    for definition in list(root.iter(f"{{{BPMN_NS}}}messageEventDefinition")):
        owner = definition.getparent()
        if owner is not None and _local(owner) in {"intermediateThrowEvent", "endEvent"} \
                and not definition.get("messageRef") and len(definition) == 0:
            owner.remove(definition)


def _split_uncontrolled_flows(scope: etree._Element) -> None:
    flows = [flow for flow in scope.findall(_FLOW)]
    for node in _nodes(scope):
        if "Gateway" in _local(node):
            continue
        outgoing = [flow for flow in flows if flow.get("sourceRef") == node.get("id")]
        conditioned = [flow for flow in outgoing if flow.find(f"{{{BPMN_NS}}}conditionExpression") is not None]
        if len(outgoing) < 2 and not conditioned:
            continue  # (a single conditional flow is split too: the library would ignore its condition)
        default = node.get("default")
        others = [flow for flow in outgoing if flow not in conditioned and flow.get("id") != default]
        if conditioned and others:
            continue  # conditional and unconditional flows mixed: left to the library to refuse
        kind = "inclusiveGateway" if conditioned else "parallelGateway"
        gateway_id = f"{node.get('id')}__split"
        gateway = etree.SubElement(scope, f"{{{BPMN_NS}}}{kind}", id=gateway_id)
        if default:
            gateway.set("default", default)
            del node.attrib["default"]
        for flow in outgoing:
            flow.set("sourceRef", gateway_id)
        etree.SubElement(scope, _FLOW, id=f"{gateway_id}__in", sourceRef=node.get("id", ""), targetRef=gateway_id)


def _inclusive_flows_always_taken(scope: etree._Element) -> None:
    gateways = {node.get("id"): node.get("default") for node in _nodes(scope) if _local(node) == "inclusiveGateway"}
    for flow in scope.findall(_FLOW):
        source = flow.get("sourceRef")
        if source in gateways and flow.get("id") != gateways[source] \
                and flow.find(f"{{{BPMN_NS}}}conditionExpression") is None:
            etree.SubElement(flow, f"{{{BPMN_NS}}}conditionExpression").text = "${true}"


def _link_name(node: etree._Element) -> str | None:
    definition = node.find(f"{{{BPMN_NS}}}linkEventDefinition")
    if definition is None or len(node.findall(f"{{{BPMN_NS}}}linkEventDefinition")) != 1:
        return None
    return definition.get("name") or None


def _join_links(scope: etree._Element) -> None:
    nodes = _nodes(scope)
    flows = scope.findall(_FLOW)
    after_event_gateway = {flow.get("targetRef") for flow in flows for node in nodes
                           if _local(node) == "eventBasedGateway" and flow.get("sourceRef") == node.get("id")}
    catches: dict[str, list[etree._Element]] = {}
    for node in nodes:
        name = _link_name(node)
        if _local(node) == "intermediateCatchEvent" and name:
            catches.setdefault(name, []).append(node)
    throws = [node for node in nodes if _local(node) == "intermediateThrowEvent" and _link_name(node)]
    joinable = {name for name, found in catches.items() if len(found) == 1
                and found[0].get("id") not in after_event_gateway
                and not any(flow.get("targetRef") == found[0].get("id") for flow in flows)}
    joined = [throw for throw in throws if _link_name(throw) in joinable]
    if not joined or len({_link_name(throw) for throw in throws} - joinable):
        return  # nothing to join, or a link that cannot be joined: all stay for lint to refuse
    for throw in joined:
        catch = catches[_link_name(throw) or ""][0]
        etree.SubElement(scope, _FLOW, id=f"{throw.get('id')}__link", sourceRef=throw.get("id", ""),
                         targetRef=catch.get("id", ""))
    targets = [catches[name][0] for name in {_link_name(throw) or "" for throw in joined}]
    for node in [*joined, *targets]:
        for definition in node.findall(f"{{{BPMN_NS}}}linkEventDefinition"):
            node.remove(definition)
    for node in targets:  # a none catch event would wait for nothing: it passes, as a none throw event does
        node.tag = f"{{{BPMN_NS}}}intermediateThrowEvent"


def _end_dead_ends(scope: etree._Element) -> None:
    nodes = _nodes(scope)
    if any(_local(node) == "endEvent" for node in nodes) or (scope.get("triggeredByEvent") == "true" and not nodes):
        return
    sources = {flow.get("sourceRef") for flow in scope.findall(_FLOW)}
    for node in nodes:
        if node.get("id") in sources or (_local(node) in {"startEvent"} and len(nodes) > 1):
            continue
        if _local(node) == "boundaryEvent" or (_local(node).endswith("Gateway") and _local(node) != "parallelGateway"):
            continue  # a parallel join without outgoing flow ends its joined token in Camunda, as an end event after it
        end_id = f"{node.get('id')}__end"
        etree.SubElement(scope, f"{{{BPMN_NS}}}endEvent", id=end_id)
        etree.SubElement(scope, _FLOW, id=f"{end_id}__in", sourceRef=node.get("id", ""), targetRef=end_id)
