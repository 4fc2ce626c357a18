"""What a deployed diagram declares, read straight from the XML with the Camunda 7 attributes intact.

SpiffWorkflow drops assignee, candidate users/groups, due and follow-up dates and priority, and
ignores formData without a formKey; the inbox and form validation need all of them, so they are
read here, independently of the library.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from engine.runtime.implicit import make_explicit

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
# Camunda 7 still reads its predecessor's namespace; Operaton (the community fork) renamed it. Both
# are read as camunda: attributes and elements are moved into the Camunda namespace when a file is read.
CAMUNDA_ALIASES = ("http://activiti.org/bpmn", "http://operaton.org/schema/1.0/bpmn")
DMN_NAMESPACES = (
    "https://www.omg.org/spec/DMN/20230324/MODEL/",  # 1.5 and 1.4: read as the standard defines them
    "https://www.omg.org/spec/DMN/20211108/MODEL/",  # (engine.runtime.dmn.deployed)
    "https://www.omg.org/spec/DMN/20191111/MODEL/",
    "http://www.omg.org/spec/DMN/20180521/MODEL/",
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
)
NS = {"bpmn": BPMN_NS, "camunda": CAMUNDA_NS}


def local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _camunda(element: etree._Element, name: str) -> str | None:
    value: str | None = element.get(f"{{{CAMUNDA_NS}}}{name}")
    return value


def _split(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(part.strip() for part in value.split(",") if part.strip())


@dataclass(frozen=True)
class FormField:
    id: str
    label: str
    type: str
    default: str | None = None
    options: tuple[tuple[str, str], ...] = ()
    constraints: tuple[tuple[str, str | None], ...] = ()
    line: int | None = None

    def constraint(self, name: str) -> str | None:
        for key, value in self.constraints:
            if key == name:
                return value
        return None

    def has(self, name: str) -> bool:
        return any(key == name for key, _ in self.constraints)

    @property
    def required(self) -> bool:
        return self.has("required")

    @property
    def readonly(self) -> bool:
        return self.has("readonly")


@dataclass(frozen=True)
class CalledElement:
    """What a call activity calls: calledElement (a process id or an expression), camunda:calledElementBinding
    (latest, deployment, version, versionTag), camunda:calledElementVersion and camunda:calledElementVersionTag."""

    name: str
    binding: str = "latest"
    version: str | None = None
    version_tag: str | None = None

    @staticmethod
    def of(element: etree._Element) -> CalledElement:
        return CalledElement(element.get("calledElement") or "", _camunda(element, "calledElementBinding") or "latest",
                             _camunda(element, "calledElementVersion"), _camunda(element, "calledElementVersionTag"))

    @property
    def is_expression(self) -> bool:
        return "${" in self.name or "#{" in self.name

    @property
    def dynamic(self) -> bool:
        """Resolved when the instance reaches the call activity, not compiled with the caller."""
        return self.is_expression or self.binding in ("version", "versionTag")


@dataclass(frozen=True)
class FormRef:
    """A Camunda Forms reference (camunda:formRef, Camunda 7.18+): the form's id, how its version is bound
    (deployment, latest or version) and, for the version binding, the version."""

    key: str
    binding: str | None = None
    version: str | None = None


def _form_ref(element: etree._Element) -> FormRef | None:
    key = _camunda(element, "formRef")
    if key is None:
        return None
    return FormRef(key, _camunda(element, "formRefBinding"), _camunda(element, "formRefVersion"))


@dataclass(frozen=True)
class StartFormDef:
    """The form a start event names (camunda:formKey or camunda:formRef), as the start form of its process."""

    id: str
    form_key: str | None = None
    form_ref: FormRef | None = None


@dataclass(frozen=True)
class UserTaskDef:
    id: str
    name: str
    assignee: str | None = None
    candidate_users: str | None = None
    candidate_groups: str | None = None
    due_date: str | None = None
    follow_up_date: str | None = None
    priority: str | None = None
    form_key: str | None = None
    fields: tuple[FormField, ...] = ()
    form_ref: FormRef | None = None

    def field(self, field_id: str) -> FormField | None:
        return next((candidate for candidate in self.fields if candidate.id == field_id), None)


@dataclass(frozen=True)
class Flow:
    id: str
    name: str
    source: str
    target: str
    condition: str | None
    line: int | None


@dataclass
class ProcessDef:
    id: str
    name: str
    file: str
    executable: bool
    elements: dict[str, str] = field(default_factory=dict)  # id -> local tag name
    names: dict[str, str] = field(default_factory=dict)  # id -> element name
    lines: dict[str, int] = field(default_factory=dict)
    user_tasks: dict[str, UserTaskDef] = field(default_factory=dict)
    flows: dict[str, Flow] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)  # gateway id -> default flow id
    calls: set[str] = field(default_factory=set)  # process ids of call activities compiled with the caller
    same_deployment: set[str] = field(default_factory=set)  # of those, the ones bound to the caller's deployment
    dynamic_calls: dict[str, CalledElement] = field(default_factory=dict)  # call activity id -> resolved at run time
    version_tag: str | None = None  # camunda:versionTag of the process (a call may bind to it)
    initiator: str | None = None  # camunda:initiator of the none start event: the variable naming who started
    decision_refs: set[str] = field(default_factory=set)  # decision ids of business rule tasks
    start_forms: dict[str, StartFormDef] = field(default_factory=dict)  # start event id -> the form it names

    def outgoing(self, element_id: str) -> list[Flow]:
        return [flow for flow in self.flows.values() if flow.source == element_id]

    def label(self, element_id: str) -> str:
        return self.names.get(element_id) or element_id


@dataclass
class Document:
    file: str
    kind: str  # "bpmn" or "dmn"
    root: etree._Element
    processes: dict[str, ProcessDef] = field(default_factory=dict)
    decisions: dict[str, str] = field(default_factory=dict)  # DMN decision id -> name
    messages: dict[str, str] = field(default_factory=dict)  # message id -> name
    unnamed: set[str] = field(default_factory=set)  # ids of messages without a name (never deliverable)

    @property
    def provides(self) -> list[str]:
        """The ids other files can refer to: executable processes and decisions."""
        return sorted([pid for pid, process in self.processes.items() if process.executable] + list(self.decisions))


def _form_fields(task: etree._Element) -> tuple[FormField, ...]:
    fields = []
    for node in task.iterfind("bpmn:extensionElements/camunda:formData/camunda:formField", NS):
        constraints = tuple(
            (constraint.get("name", ""), constraint.get("config"))
            for constraint in node.iterfind("camunda:validation/camunda:constraint", NS)
        )
        options = tuple(
            (value.get("id", ""), value.get("name") or value.get("id", ""))
            for value in node.iterfind("camunda:value", NS)
        )
        fields.append(
            FormField(
                id=node.get("id", ""),
                label=node.get("label") or node.get("id", ""),
                type=node.get("type") or "string",
                default=node.get("defaultValue"),
                options=options,
                constraints=constraints,
                line=node.sourceline,
            )
        )
    return tuple(fields)


def _user_task(task: etree._Element) -> UserTaskDef:
    return UserTaskDef(
        id=task.get("id", ""),
        name=task.get("name") or task.get("id", ""),
        assignee=_camunda(task, "assignee"),
        candidate_users=_camunda(task, "candidateUsers"),
        candidate_groups=_camunda(task, "candidateGroups"),
        due_date=_camunda(task, "dueDate"),
        follow_up_date=_camunda(task, "followUpDate"),
        priority=_camunda(task, "priority"),
        form_key=_camunda(task, "formKey"),
        fields=_form_fields(task),
        form_ref=_form_ref(task),
    )


def _read_process(process: etree._Element, filename: str) -> ProcessDef:
    result = ProcessDef(
        id=process.get("id", ""),
        name=process.get("name") or process.get("id", ""),
        file=filename,
        executable=process.get("isExecutable", "false") == "true",
        version_tag=_camunda(process, "versionTag"),
    )
    for element in process.iter():
        if not isinstance(element.tag, str) or etree.QName(element).namespace != BPMN_NS:
            continue
        element_id = element.get("id")
        tag = local(element.tag)
        if element_id is None or tag.endswith("Definition") or tag in {"conditionExpression", "documentation"}:
            continue
        result.elements[element_id] = tag
        result.names[element_id] = element.get("name") or ""
        if element.sourceline is not None:
            result.lines[element_id] = element.sourceline
        if tag == "userTask":
            result.user_tasks[element_id] = _user_task(element)
        elif tag == "startEvent" and element.getparent() is process:
            if _camunda(element, "initiator"):
                result.initiator = _camunda(element, "initiator")
            if _camunda(element, "formKey") is not None or _camunda(element, "formRef") is not None:
                result.start_forms[element_id] = StartFormDef(element_id, _camunda(element, "formKey"),
                                                              _form_ref(element))
        elif tag == "callActivity" and element.get("calledElement"):
            called = CalledElement.of(element)
            if called.dynamic:
                result.dynamic_calls[element_id] = called
            else:
                result.calls.add(called.name)
                if called.binding == "deployment":
                    result.same_deployment.add(called.name)
        elif tag == "businessRuleTask" and _camunda(element, "decisionRef"):
            result.decision_refs.add(_camunda(element, "decisionRef") or "")
        elif tag == "sequenceFlow":
            condition = element.find("bpmn:conditionExpression", NS)
            result.flows[element_id] = Flow(
                id=element_id,
                name=element.get("name") or "",
                source=element.get("sourceRef", ""),
                target=element.get("targetRef", ""),
                condition=(condition.text or "").strip() if condition is not None else None,
                line=element.sourceline,
            )
        if element.get("default"):
            result.defaults[element_id] = element.get("default", "")
    return result


def normalize(root: etree._Element) -> None:
    """Make a BPMN tree read as Camunda 7 reads it, in place (idempotent):

    - activiti: and operaton: attributes and extension elements become camunda: ones;
    - a sequence flow without an `id` (valid for Camunda, common in hand-written and generated
      files) gets one made of its source and target, so that it connects like any other flow
      (SpiffWorkflow otherwise drops every element behind it without a word);
    - references with a namespace prefix (`messageRef="tns:newInvoice"`) name the element by its
      local id, as Camunda resolves them; an `errorRef` naming no `bpmn:error` is the error code
      itself (Camunda 7's BpmnParse), so such an error is declared with that code.
    """
    taken = {element.get("id") for element in root.iter() if isinstance(element.tag, str)}
    _resolve_references(root, taken)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        qname = etree.QName(element)
        if qname.namespace in CAMUNDA_ALIASES:
            element.tag = f"{{{CAMUNDA_NS}}}{qname.localname}"
        for key in [key for key in element.attrib if etree.QName(key).namespace in CAMUNDA_ALIASES]:
            element.attrib[f"{{{CAMUNDA_NS}}}{etree.QName(key).localname}"] = element.attrib.pop(key)
        if qname.namespace == BPMN_NS and qname.localname == "sequenceFlow" and element.get("id") is None:
            base = f"SequenceFlow_{element.get('sourceRef', '')}_{element.get('targetRef', '')}"
            candidate, number = base, 1
            while candidate in taken:
                number += 1
                candidate = f"{base}_{number}"
            taken.add(candidate)
            element.set("id", candidate)
    make_explicit(root)


_REFERENCES = ("messageRef", "signalRef", "errorRef", "escalationRef")


def _resolve_references(root: etree._Element, ids: set[str | None]) -> None:
    declared_errors = {error.get("id") for error in root.iterfind(f"{{{BPMN_NS}}}error")}
    for element in root.iter():
        if not isinstance(element.tag, str) or etree.QName(element).namespace != BPMN_NS:
            continue
        for attribute in _REFERENCES:
            value = element.get(attribute)
            if value and ":" in value and value not in ids and value.split(":", 1)[1] in ids:
                element.set(attribute, value.split(":", 1)[1])
    undeclared = {element.get("errorRef") for element in root.iter(f"{{{BPMN_NS}}}errorEventDefinition")}
    for reference in sorted(filter(None, undeclared - declared_errors)):
        root.insert(0, etree.Element(f"{{{BPMN_NS}}}error", id=reference, errorCode=reference))


def read_document(root: etree._Element, filename: str) -> Document:
    namespace = etree.QName(root).namespace
    if namespace in DMN_NAMESPACES:
        document = Document(filename, "dmn", root)
        for decision in root.iterfind(f"{{{namespace}}}decision"):
            name = (decision.get("name") or "").strip()
            document.decisions[decision.get("id") or name] = name or decision.get("id", "")
        return document
    normalize(root)
    document = Document(filename, "bpmn", root)
    for message in root.iterfind("bpmn:message", NS):
        document.messages[message.get("id", "")] = message.get("name") or message.get("id", "")
        if not (message.get("name") or "").strip():
            document.unnamed.add(message.get("id", ""))
    for process in root.iterfind("bpmn:process", NS):
        definition = _read_process(process, filename)
        document.processes[definition.id] = definition
    return document
