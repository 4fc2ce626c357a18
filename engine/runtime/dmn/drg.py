"""Decision models as published (DMN 1.1 to 1.5): the whole decision requirements graph, standard FEEL.

Reads decisions (any boxed expression), input data, business knowledge models, decision services
and item definitions, referenced by name as FEEL does (an `href` to an id is not needed). Each
expression is compiled once when the model is read; evaluating a decision evaluates what it needs,
each element at most once. This is the reader for standard models (the DMN TCK); the SRO decision
tables keep their Camunda-flavoured reader (`reader`), whose behaviour and speed are unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from lxml import etree

from engine.runtime.clock import Clock
from engine.runtime.dmn.boxed import Compiler, child, children, expression_of, local, text_of
from engine.runtime.dmn.typeref import ItemType, Types
from engine.runtime.errors import DmnError
from engine.runtime.feel.standard import Env, Evaluator, builtins, compile_tests
from engine.runtime.feel.standard.operators import invoke
from engine.runtime.feel.standard.values import Function, to_feel
from engine.runtime.parsing import Problem, clip

DMN_NAMESPACES = (
    "https://www.omg.org/spec/DMN/20230324/MODEL/",
    "https://www.omg.org/spec/DMN/20211108/MODEL/",
    "https://www.omg.org/spec/DMN/20191111/MODEL/",
    "http://www.omg.org/spec/DMN/20180521/MODEL/",
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
)
_BUILTINS = builtins()


@dataclass
class _Element:
    kind: str  # "decision", "input", "bkm" or "service"
    name: str
    type_ref: str | None
    evaluator: Evaluator | None = None
    # A decision service's output decisions, input decisions and input data (by name).
    service: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]] = ((), (), ())


@dataclass
class Model:
    """A compiled decision model; `imports` are other models this one names by prefix."""

    name: str
    namespace: str
    elements: dict[str, _Element]
    types: Types
    ids: dict[str, str] = field(default_factory=dict)  # element id -> name
    imports: dict[str, Model] = field(default_factory=dict)

    def evaluate(self, name: str, inputs: Mapping[str, Any], clock: Clock | None = None) -> Any:
        """The value of a decision (by name or id); raises DmnError when evaluation fails.

        `now()` and `today()` read the clock; without one they are null (a decision never reads the
        machine's time behind the engine's back).
        """
        name = self.ids.get(name, name) if name not in self.elements else name
        element = self.elements.get(name)
        if element is None or element.kind != "decision":
            raise DmnError(f"Die Entscheidung »{name}« gibt es im Modell »{self.name}« nicht.")
        try:
            return _Run(self, inputs, clock=clock).value(name)
        except Problem as problem:
            raise DmnError(f"Entscheidung »{name}«: {problem.reason}") from None
        except RecursionError:
            raise DmnError(f"Entscheidung »{name}«: die Auswertung ist zu tief verschachtelt.") from None
        except MemoryError:
            raise DmnError(f"Entscheidung »{name}«: für die Auswertung reicht der Speicher nicht.") from None
        except Exception as error:  # any other failure is this decision's, named, never a crash of the caller
            raise DmnError(f"Entscheidung »{name}«: die Auswertung ist fehlgeschlagen "
                           f"({type(error).__name__}: {clip(str(error), 80)}).") from error

    def invoke(self, name: str, inputs: Mapping[str, Any], clock: Clock | None = None) -> Any:
        """Invoke a decision service or business knowledge model with named inputs."""
        element = self.elements.get(self.ids.get(name, name))
        if element is None or element.kind not in ("service", "bkm"):
            raise DmnError(f"Den Dienst »{name}« gibt es im Modell »{self.name}« nicht.")
        try:
            run = _Run(self, {}, clock=clock)
            function = run.value(element.name)
            if not isinstance(function, Function):
                return None
            feel_inputs = {key: to_feel(value) for key, value in inputs.items()}
            return invoke(function, None, {key: value for key, value in feel_inputs.items()
                                           if key in function.params}, run.env)
        except Problem as problem:
            raise DmnError(f"Dienst »{name}«: {problem.reason}") from None
        except Exception as error:  # as in evaluate: named, never a crash of the caller
            raise DmnError(f"Dienst »{name}«: die Auswertung ist fehlgeschlagen "
                           f"({type(error).__name__}: {clip(str(error), 80)}).") from error


class _Run(Mapping[str, Any]):
    """One evaluation: the names of the model, each element evaluated when first needed."""

    def __init__(self, model: Model, inputs: Mapping[str, Any], overrides: Mapping[str, Any] | None = None,
                 clock: Clock | None = None) -> None:
        self.model = model
        self.clock = clock
        self.inputs = {key: to_feel(value) for key, value in inputs.items()}
        self.done: dict[str, Any] = dict(overrides or {})
        self.busy: set[str] = set()
        self.env = Env(_BUILTINS).child(_clock_functions(clock)).child(self)

    def __getitem__(self, name: str) -> Any:
        return self.value(name)

    def __contains__(self, name: object) -> bool:
        # A decision named like a built-in (`before`) calls the built-in inside its own expression.
        if not isinstance(name, str) or (name in self.busy and name in _BUILTINS):
            return False
        return name in self.model.elements or name in self.model.imports

    def __iter__(self) -> Iterator[str]:
        return iter(self.model.elements)

    def __len__(self) -> int:
        return len(self.model.elements)

    def value(self, name: str) -> Any:
        if name in self.done:
            return self.done[name]
        if name in self.model.imports:
            imported = self.model.imports[name]
            given = self.inputs.get(name)
            value: Any = _Imported(imported, given if isinstance(given, dict) else {})
            self.done[name] = value
            return value
        element = self.model.elements.get(name)
        if element is None:
            raise Problem(f"»{name}« gibt es im Modell »{self.model.name}« nicht.")
        if name in self.busy:
            raise Problem(f"»{name}« hängt von sich selbst ab.")
        self.busy.add(name)
        try:
            if element.kind == "input":
                value = self.model.types.conform(self.inputs.get(name), element.type_ref)
            elif element.kind == "service":
                value = self._service(element)
            else:
                assert element.evaluator is not None
                value = element.evaluator(self.env)
                if element.kind == "decision":
                    value = self.model.types.conform(value, element.type_ref)
        finally:
            self.busy.discard(name)
        self.done[name] = value
        return value

    def _service(self, element: _Element) -> Function:
        outputs, input_decisions, input_data = element.service
        model = self.model
        params = input_data + input_decisions  # the service's parameters: its input data, then input decisions

        def call(args: dict[str, Any]) -> Any:
            for key, given in args.items():
                target = model.elements.get(key)
                if given is not None and target is not None and model.types.conform(given, target.type_ref) is None:
                    return None  # an argument that does not conform to its input's type
            run = _Run(model, {key: args.get(key) for key in input_data},
                       {key: args.get(key) for key in input_decisions}, self.clock)
            values = {name: run.value(name) for name in outputs}
            return values[outputs[0]] if len(outputs) == 1 else values
        return Function(element.name, params, call)


def _clock_functions(clock: Clock | None) -> dict[str, Function]:
    if clock is None:
        return {"now": Function("now", (), lambda args: None, builtin=True),
                "today": Function("today", (), lambda args: None, builtin=True)}
    return {"now": Function("now", (), lambda args: None if args else clock.now(), builtin=True),
            "today": Function("today", (), lambda args: None if args else clock.today(), builtin=True)}


class _Imported(dict[str, Any]):
    """An imported model seen through its prefix: `prefix.decision` evaluates the decision there."""

    def __init__(self, model: Model, inputs: Mapping[str, Any]) -> None:
        super().__init__()
        self._run = _Run(model, inputs)

    def get(self, key: str, default: Any = None) -> Any:
        return self._run.value(key) if key in self._run else default

    def __contains__(self, key: object) -> bool:
        return key in self._run


def _type(element: etree._Element) -> ItemType:
    name = element.get("name") or ""
    base = (element.findtext(f"{{{etree.QName(element).namespace}}}typeRef") or "").strip() or None
    item = ItemType(name, base, (element.get("isCollection") or "false") == "true")
    for component in children(element, "itemComponent"):
        item.components[component.get("name") or ""] = _type(component)
    allowed = text_of(child(element, "allowedValues")).strip()
    if allowed:
        item.allowed = compile_tests(allowed, ())
    if child(element, "functionItem") is not None:
        item.function = True
    return item


def _href_name(reference: etree._Element, ids: Mapping[str, str]) -> str:
    href = (reference.get("href") or "").strip()
    target = unquote(href.rsplit("#", 1)[-1])  # an element without id is referenced by its (encoded) name
    return ids.get(target, target)


def read_model(root: etree._Element, filename: str, *, lenient: bool = False,
               imported_names: Iterable[str] = ()) -> Model:
    """Compile a DMN 1.1-1.5 model; raises DmnError naming the element that cannot be read.

    With `lenient`, an element that cannot be read fails only when it is evaluated (with the same
    reason), as a conformance run expects: the TCK asks for an error from that decision alone.
    """
    namespace = etree.QName(root).namespace if isinstance(root.tag, str) else None
    if namespace not in DMN_NAMESPACES or local(root) != "definitions":
        raise DmnError(f"{filename}: keine DMN-Datei (erwartet wird <definitions> im Namensraum von DMN 1.1 "
                       "bis 1.5).")
    types_env = Env(_BUILTINS)
    types = Types({item.get("name") or "": _type(item) for item in children(root, "itemDefinition")}, types_env)
    elements: dict[str, _Element] = {}
    ids: dict[str, str] = {}
    kinds = {"decision": "decision", "inputData": "input", "businessKnowledgeModel": "bkm",
             "decisionService": "service"}
    drg = [item for item in root if local(item) in kinds]
    for item in drg:
        name = (item.get("name") or "").strip()
        variable = child(item, "variable")
        if variable is not None and not name:
            name = (variable.get("name") or "").strip()
        if not name:
            raise DmnError(f"{filename}:{item.sourceline}: ein <{local(item)}> hat keinen Namen.")
        if item.get("id"):
            ids[item.get("id") or ""] = name
        elements[name] = _Element(kinds[local(item)], name, variable.get("typeRef") if variable is not None else None)
    imports = [item.get("name") or "" for item in children(root, "import") if item.get("name")]
    component_names = {component.get("name") or "" for component in root.iter()
                       if isinstance(component.tag, str) and local(component) in ("itemComponent", "contextEntry",
                                                                                   "variable", "formalParameter",
                                                                                   "column", "parameter")}
    names = set(elements) | set(_BUILTINS) | {"now", "today"} | set(imports) | set(imported_names)
    names |= {name for name in component_names if name}
    compiler = Compiler(names, types)
    for item in drg:
        element = elements[_name_of(item)]
        try:
            if element.kind == "decision":
                element.evaluator = compiler.compile(expression_of(item))
            elif element.kind == "bkm":
                logic = child(item, "encapsulatedLogic")
                element.evaluator = compiler.compile(logic) if logic is not None else (lambda env: None)
            elif element.kind == "service":
                outputs, decisions, data = (tuple(_href_name(reference, ids) for reference in children(item, kind))
                                            for kind in ("outputDecision", "inputDecision", "inputData"))
                element.service = (outputs, decisions, data)
        except Problem as problem:
            reason = f"{filename}:{item.sourceline}: {_label(item)} »{element.name}«: {clip(problem.reason, 300)}"
            if not lenient:
                raise DmnError(reason, element.name) from None
            element.evaluator = _failing(problem.reason)
        except RecursionError:
            raise DmnError(f"{filename}:{item.sourceline}: »{element.name}« ist zu tief verschachtelt.",
                           element.name) from None
        except Exception as error:  # a reader bug must refuse this model, not crash the caller
            raise DmnError(f"{filename}:{item.sourceline}: »{element.name}« ließ sich nicht lesen "
                           f"({type(error).__name__}: {clip(str(error), 80)}).", element.name) from error
    return Model(root.get("name") or filename, root.get("namespace") or "", elements, types, ids)


def _failing(reason: str) -> Evaluator:
    def run(env: Env) -> Any:
        raise Problem(reason)
    return run


def _name_of(item: etree._Element) -> str:
    name = (item.get("name") or "").strip()
    if not name:
        variable = child(item, "variable")
        name = (variable.get("name") or "").strip() if variable is not None else ""
    return name


def _label(item: etree._Element) -> str:
    return {"decision": "Entscheidung", "inputData": "Eingabe", "businessKnowledgeModel": "Wissensmodell",
            "decisionService": "Entscheidungsdienst"}.get(local(item), local(item))


def read_models(roots: Mapping[str, etree._Element], *, lenient: bool = False) -> dict[str, Model | DmnError]:
    """Several models of one folder, each linked to the models it imports (by namespace)."""
    models: dict[str, Model | DmnError] = {}
    # Names of the other models, for `prefix.Name With Spaces` of an import.
    everywhere = {(item.get("name") or "").strip() for root in roots.values() for item in root
                  if isinstance(item.tag, str) and local(item) in ("decision", "inputData", "businessKnowledgeModel",
                                                                   "decisionService", "itemDefinition")}
    for filename, root in roots.items():
        try:
            models[filename] = read_model(root, filename, lenient=lenient, imported_names=everywhere - {""})
        except DmnError as error:
            models[filename] = error
    by_namespace = {model.namespace: model for model in models.values() if isinstance(model, Model)}
    for filename, root in roots.items():
        model = models[filename]
        if not isinstance(model, Model):
            continue
        for item in children(root, "import"):
            imported = by_namespace.get(item.get("namespace") or "")
            if imported is not None and item.get("name"):
                model.imports[item.get("name") or ""] = imported
    return models
