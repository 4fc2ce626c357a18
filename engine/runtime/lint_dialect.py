"""Lint of the Camunda 7 dialect: which camunda: attributes and extension elements run, and where.

Everything the engine does not run is refused with the element it sits on, never ignored: an
attribute the engine passed over would change what the diagram does without a word.
"""

from __future__ import annotations

from lxml import etree

from engine.runtime.errors import Finding
from engine.runtime.lint_places import _at, _check_expression, _finding
from engine.runtime.model import BPMN_NS, CAMUNDA_NS, Document, local

UNSUPPORTED_ATTRIBUTES = ("class", "delegateExpression", "expression", "resultVariable", "type")
# Job settings: Camunda runs the element later in a job; here it runs in the same step, which is what a
# Camunda test sees once it has executed the jobs. They change when, never what.
_JOB_ATTRIBUTES = {"async", "asyncBefore", "asyncAfter", "exclusive", "jobPriority"}
# Camunda Forms (7.18+): the reference is carried with the task or start form (model.FormRef).
FORM_REF_ATTRIBUTES = ("formRef", "formRefBinding", "formRefVersion")
FORM_REF_BINDINGS = ("deployment", "latest", "version")
# The camunda: attributes the engine reads or that carry no behaviour, per BPMN element (others: refused).
SUPPORTED_CAMUNDA_ATTRIBUTES: dict[str, set[str]] = {
    "process": {"versionTag", "historyTimeToLive", "isStartableInTasklist", "candidateStarterGroups",
                "candidateStarterUsers", "taskPriority", "jobPriority"},
    "userTask": {"assignee", "candidateUsers", "candidateGroups", "dueDate", "followUpDate", "priority", "formKey",
                 *FORM_REF_ATTRIBUTES},
    "startEvent": {"initiator", "formKey", *FORM_REF_ATTRIBUTES},
    "serviceTask": {"type", "topic"},
    "businessRuleTask": {"decisionRef", "resultVariable", "mapDecisionResult"},
    "multiInstanceLoopCharacteristics": {"collection", "elementVariable"},
    "callActivity": {"calledElementBinding", "calledElementVersion", "calledElementVersionTag"},
    "error": {"errorMessage"},
    "errorEventDefinition": {"errorCodeVariable", "errorMessageVariable"},
    "escalationEventDefinition": {"escalationCodeVariable"},
    "conditionalEventDefinition": {"variableName", "variableEvents"},  # checked in lint._check_conditional
}
# camunda: extension elements the engine reads (the refused ones have their own sentence above).
SUPPORTED_CAMUNDA_ELEMENTS = {"formData", "formField", "validation", "constraint", "value", "properties", "property",
                              "in", "out", "failedJobRetryTimeCycle", "inputOutput", "inputParameter",
                              "outputParameter", "list", "map", "entry"}


def check_io_mapping(document: Document, mapping: etree._Element) -> list[Finding]:
    """Where Camunda 7 allows input/output mappings (BpmnParse), and their expressions."""
    from engine.runtime import io_mapping

    extension = mapping.getparent()
    owner = extension.getparent() if extension is not None else None
    if owner is None or etree.QName(owner).namespace != BPMN_NS:
        return []  # inside a connector: refused with it
    tag = local(owner.tag)
    allowed = ("task" in tag.lower() or tag.endswith("Event") or tag in {"subProcess", "callActivity", "transaction"})
    if not allowed or tag in {"startEvent", "boundaryEvent"} or owner.get("triggeredByEvent") == "true":
        return [_finding(document, owner, f"Ein-/Ausgabe-Zuordnungen (camunda:inputOutput) sind an »{tag}« nicht "
                                          "erlaubt (auch Camunda lehnt sie dort ab).")]
    findings = []
    inputs, outputs = io_mapping.parameters(owner)
    if outputs and tag == "endEvent":
        findings.append(_finding(document, owner, "Ein Endereignis kann keine Ausgabe-Zuordnung "
                                                  "(camunda:outputParameter) haben."))
    if outputs and owner.find(f"{{{BPMN_NS}}}multiInstanceLoopCharacteristics") is not None:
        findings.append(_finding(document, owner, "Eine Mehrfachausführung kann keine Ausgabe-Zuordnung "
                                                  "(camunda:outputParameter) haben; bitte die Ergebnisse im "
                                                  "Element selbst zusammenführen."))
    for parameter in (*inputs, *outputs):
        if not parameter.name:
            findings.append(_finding(document, owner, "Ein Parameter der Ein-/Ausgabe-Zuordnung hat keinen Namen."))
        for text in io_mapping.expressions_of(parameter.value):
            findings.extend(_check_expression(_at(document, owner), text, f"Parameter »{parameter.name}«"))
    return findings


def check_passing(document: Document, element: etree._Element, tag: str) -> list[Finding]:
    """camunda:in/out on a call activity: variables="all", source + target, or sourceExpression + target."""
    extension = element.getparent()
    owner = extension.getparent() if extension is not None else None
    if owner is not None and local(owner.tag) == "signalEventDefinition":  # where Camunda writes it
        owner = owner.getparent()
    throws_signal = owner is not None and tag == "in" and local(owner.tag) in {"intermediateThrowEvent", "endEvent"} \
        and owner.find(f"{{{BPMN_NS}}}signalEventDefinition") is not None
    if owner is None or (local(owner.tag) != "callActivity" and not throws_signal):
        return [_finding(document, element, f"camunda:{tag} wird nur an Aufruf-Aktivitäten und werfenden "
                                            "Signalereignissen ausgeführt.")]
    attributes = set(element.attrib)
    if element.get("local") == "true" and tag == "in":
        attributes.discard("local")  # the element's own input parameters only
    if attributes == {"variables"} and element.get("variables") == "all":
        return []
    if attributes in ({"source", "target"}, {"sourceExpression", "target"}) and element.get("target"):
        expression = element.get("sourceExpression")
        if expression is not None:
            return _check_expression(_at(document, element), expression, f"camunda:{tag} sourceExpression")
        return []
    return [_finding(document, element, f"camunda:{tag} wird nur mit variables=\"all\", source und target oder "
                                        "sourceExpression und target ausgeführt (nicht mit businessKey; local nur "
                                        "bei camunda:in).")]


REFERENCED = {"signalEventDefinition": ("signalRef", "signal", "ein Signal"),
               "escalationEventDefinition": ("escalationRef", "escalation", "eine Eskalation")}


def declared_ids(document: Document, tag: str) -> set[str]:
    return {element.get("id", "") for element in document.root.iterfind(f"{{{BPMN_NS}}}{tag}")}


def inside_refused(element: etree._Element) -> bool:
    """Parts of an extension element already refused as a whole (camunda:map inside camunda:inputOutput)."""
    parent = element.getparent()
    while parent is not None:
        if etree.QName(parent).namespace == CAMUNDA_NS and local(parent.tag) not in SUPPORTED_CAMUNDA_ELEMENTS:
            return True
        parent = parent.getparent()
    return False


# Unsupported attributes process owners meet most, said with what to do instead.
_SPECIFIC = {
    "caseRef": "CMMN-Fälle (camunda:caseRef) kann die Engine nicht aufrufen; bitte einen BPMN-Prozess aufrufen "
               "(calledElement).",
    "variableMappingClass": "Java-Klassen für die Variablenübergabe (camunda:variableMappingClass) werden nicht "
                            "ausgeführt; bitte camunda:in/camunda:out verwenden.",
    "variableMappingDelegateExpression": "Delegates für die Variablenübergabe werden nicht ausgeführt; bitte "
                                         "camunda:in/camunda:out verwenden.",
}


def check_camunda_attributes(document: Document, element: etree._Element, tag: str) -> list[Finding]:
    findings = []
    supported = SUPPORTED_CAMUNDA_ATTRIBUTES.get(tag, set()) | _JOB_ATTRIBUTES
    for key in element.attrib:
        qname = etree.QName(key)
        if qname.namespace != CAMUNDA_NS:
            continue
        name = qname.localname
        if name in UNSUPPORTED_ATTRIBUTES and tag in {"task", "userTask", "manualTask", "receiveTask",
                                                      "callActivity", "subProcess"}:
            continue  # said above in the older words
        if name not in supported:
            findings.append(_finding(document, element, _SPECIFIC.get(name) or f"Das Attribut camunda:{name} wird "
                                                        "nicht ausgeführt; es ginge stillschweigend verloren."))
    if tag in {"userTask", "startEvent"}:
        findings.extend(check_form_ref(document, element))
    return findings


CALLED_BINDINGS = ("latest", "deployment", "version", "versionTag")


def check_call_activity(document: Document, element: etree._Element, available: set[str],
                        batch: set[str]) -> list[Finding]:
    """calledElement (a process id or an expression) with camunda:calledElementBinding and
    camunda:calledElementVersion, as call_activity.py runs them; `batch`: the processes deployed together."""
    from engine.runtime.model import CalledElement

    called = CalledElement.of(element)
    if not called.name.strip():
        return [_finding(document, element, "Die Aufruf-Aktivität nennt keinen Prozess (calledElement).")]
    if called.binding not in CALLED_BINDINGS:
        return [_finding(document, element, f"camunda:calledElementBinding »{called.binding}« gibt es nicht; erlaubt "
                                            "sind latest, deployment, version und versionTag.")]
    findings: list[Finding] = []
    if called.binding == "versionTag":
        tag = (called.version_tag or "").strip()
        if not tag:
            return [_finding(document, element, "camunda:calledElementBinding »versionTag« braucht "
                                                "camunda:calledElementVersionTag.")]
        if "${" in tag or "#{" in tag:
            findings.extend(_check_expression(_at(document, element), tag, "camunda:calledElementVersionTag"))
    elif called.version_tag is not None:
        return [_finding(document, element, "camunda:calledElementVersionTag gilt nur mit "
                                            "camunda:calledElementBinding »versionTag«; hier ginge es "
                                            "stillschweigend verloren.")]
    if called.binding == "version":
        version = (called.version or "").strip()
        if not version:
            return [_finding(document, element, "camunda:calledElementBinding »version« braucht "
                                                "camunda:calledElementVersion.")]
        if "${" in version or "#{" in version:
            findings.extend(_check_expression(_at(document, element), version, "camunda:calledElementVersion"))
        elif not version.isdigit() or int(version) < 1:
            return [_finding(document, element, f"camunda:calledElementVersion »{version}« ist keine Versionsnummer "
                                                "(1, 2, ...).")]
    elif called.version is not None:
        return [_finding(document, element, "camunda:calledElementVersion gilt nur mit camunda:calledElementBinding "
                                            "»version«; hier ginge sie stillschweigend verloren.")]
    if called.is_expression:
        if called.binding == "deployment":
            return [_finding(document, element, "Ein Ausdruck als calledElement mit camunda:calledElementBinding "
                                                "»deployment« wird nicht unterstützt; bitte die Prozess-ID angeben.")]
        return [*findings, *_check_expression(_at(document, element), called.name, "Aufgerufener Prozess")]
    if called.binding == "deployment" and called.name not in batch:
        findings.append(_finding(document, element, f"Der aufgerufene Prozess »{called.name}« wird nicht zusammen "
                                                    "mit diesem Diagramm bereitgestellt (camunda:"
                                                    "calledElementBinding »deployment«)."))
    elif called.name not in available:
        findings.append(_finding(document, element, f"Der aufgerufene Prozess »{called.name}« ist nicht "
                                                    "bereitgestellt."))
    return findings


def check_form_ref(document: Document, element: etree._Element) -> list[Finding]:
    """What Camunda 7 refuses about a Camunda Forms reference (BpmnParse), and a version it would ignore."""
    def attribute(name: str) -> str | None:
        value: str | None = element.get(f"{{{CAMUNDA_NS}}}{name}")
        return value

    reference, binding, version = (attribute(name) for name in FORM_REF_ATTRIBUTES)
    if reference is None:
        if binding is not None or version is not None:
            return [_finding(document, element, "camunda:formRefBinding und camunda:formRefVersion gelten nur mit "
                                                "camunda:formRef; hier gingen sie stillschweigend verloren.")]
        return []
    if attribute("formKey") is not None:
        return [_finding(document, element, "Nur eines von camunda:formKey und camunda:formRef ist erlaubt.")]
    if not reference.strip():
        return [_finding(document, element, "camunda:formRef nennt kein Formular.")]
    if binding is None:
        return [_finding(document, element, "camunda:formRef braucht camunda:formRefBinding (deployment, latest "
                                            "oder version).")]
    if binding not in FORM_REF_BINDINGS:
        return [_finding(document, element, f"camunda:formRefBinding »{binding}« gibt es nicht; erlaubt sind "
                                            "deployment, latest und version.")]
    if binding == "version" and not (version or "").strip():
        return [_finding(document, element, "camunda:formRefBinding »version« braucht camunda:formRefVersion.")]
    if binding != "version" and version is not None:
        return [_finding(document, element, "camunda:formRefVersion gilt nur mit camunda:formRefBinding »version«; "
                                            "hier ginge sie stillschweigend verloren.")]
    return []


def check_links(document: Document) -> list[Finding]:
    """A link throw jumps to the one catch of its name in the same process level; several are ambiguous."""
    findings: list[Finding] = []
    for scope in document.root.iter(f"{{{BPMN_NS}}}process", f"{{{BPMN_NS}}}subProcess"):
        catches: dict[str, list[etree._Element]] = {}
        for event in scope.findall(f"{{{BPMN_NS}}}intermediateCatchEvent"):
            link = event.find(f"{{{BPMN_NS}}}linkEventDefinition")
            if link is not None:
                catches.setdefault(link.get("name") or "", []).append(event)
        for name, events in catches.items():
            for event in events[1:]:
                findings.append(_finding(document, event, f"Die Verknüpfung »{name}« hat mehrere Ziele "
                                                          f"({', '.join(e.get('id') or '?' for e in events)}); "
                                                          "ein Link-Ereignis darf nur ein Ziel haben."))
    return findings


def check_signals(document: Document) -> list[Finding]:
    """What Camunda 7 refuses about signals (BpmnParse): a signal event without a signal, two signals of one
    name, and two signal start events of one process waiting for the same signal."""
    findings: list[Finding] = []
    names: dict[str, str] = {}
    for signal in document.root.iterfind(f"{{{BPMN_NS}}}signal"):
        name = signal.get("name") or ""
        if not name:
            findings.append(_finding(document, signal, "Das Signal hat keinen Namen."))
        elif name in names:
            findings.append(_finding(document, signal, f"Der Signalname »{name}« ist schon an »{names[name]}« "
                                                       "vergeben; Signalnamen müssen eindeutig sein."))
        else:
            names[name] = signal.get("id") or ""
    for definition in document.root.iter(f"{{{BPMN_NS}}}signalEventDefinition"):
        if not definition.get("signalRef"):
            findings.append(_finding(document, definition, "Das Signalereignis nennt kein Signal (signalRef)."))
    for process in document.root.iterfind(f"{{{BPMN_NS}}}process"):
        starting: dict[str, etree._Element] = {}
        starts = [*process.findall(f"{{{BPMN_NS}}}startEvent"),
                  *(start for sub in process.findall(f"{{{BPMN_NS}}}subProcess")
                    if sub.get("triggeredByEvent") == "true" for start in sub.findall(f"{{{BPMN_NS}}}startEvent"))]
        for start in starts:
            definition = start.find(f"{{{BPMN_NS}}}signalEventDefinition")
            reference = definition.get("signalRef") if definition is not None else None
            if not reference:
                continue
            if reference in starting:
                findings.append(_finding(document, start, f"Das Signal »{reference}« startet schon "
                                                          f"»{starting[reference].get('id')}«; ein Signal darf in "
                                                          "einem Prozess nur einen Start auslösen."))
            else:
                starting[reference] = start
    return findings


def check_escalations(document: Document) -> list[Finding]:
    """What Camunda 7 refuses about escalations (BpmnParse): a throw without escalation or code, and
    catches on one activity or in one scope whose codes collide (same code twice, or a catch-all beside
    any other)."""
    findings: list[Finding] = []
    codes = {e.get("id"): e.get("escalationCode") for e in document.root.iterfind(f"{{{BPMN_NS}}}escalation")}
    for definition in document.root.iter(f"{{{BPMN_NS}}}escalationEventDefinition"):
        owner = definition.getparent()
        if owner is None or local(owner.tag) not in {"intermediateThrowEvent", "endEvent"}:
            continue
        reference = definition.get("escalationRef")
        if not reference:
            findings.append(_finding(document, definition, "Das werfende Eskalationsereignis nennt keine Eskalation "
                                                            "(escalationRef)."))
        elif reference in codes and not codes[reference]:
            findings.append(_finding(document, definition, f"Die Eskalation »{reference}« hat keinen Code "
                                                            "(escalationCode); ein werfendes Ereignis braucht ihn."))
    groups: dict[tuple[str, str], list[etree._Element]] = {}
    for definition in document.root.iter(f"{{{BPMN_NS}}}escalationEventDefinition"):
        owner = definition.getparent()
        if owner is None:
            continue
        if local(owner.tag) == "boundaryEvent":
            groups.setdefault(("boundary", owner.get("attachedToRef") or ""), []).append(definition)
        elif local(owner.tag) == "startEvent" and owner.getparent() is not None \
                and owner.getparent().get("triggeredByEvent") == "true":
            scope = owner.getparent().getparent()
            groups.setdefault(("scope", scope.get("id") or "" if scope is not None else ""), []).append(definition)
    for catches in groups.values():
        seen: list[str | None] = []
        for definition in catches:
            code = codes.get(definition.get("escalationRef")) if definition.get("escalationRef") else None
            if seen and (code is None or None in seen or code in seen):
                findings.append(_finding(document, definition, "Mehrere Eskalations-Ereignisse an derselben Stelle "
                                                                "fangen denselben Code (oder eines fängt jeden); "
                                                                "welches greift, wäre nicht eindeutig."))
            seen.append(code)
    return findings

