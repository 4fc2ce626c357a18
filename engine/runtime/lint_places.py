"""Where a lint finding points, and the sentence it says: shared by the lint modules."""

from __future__ import annotations

from lxml import etree

from engine.runtime import expressions
from engine.runtime.errors import Finding
from engine.runtime.model import Document, local


def _at(document: Document, element: etree._Element) -> Finding:
    """Where a finding about `element` points: its own id, or that of the nearest parent with one."""
    holder: etree._Element | None = element
    # Event definitions carry ids of their own, but process owners know the event, not its definition.
    while holder is not None and (holder.get("id") is None or local(holder.tag).endswith("EventDefinition")):
        holder = holder.getparent()
    element_id = holder.get("id") if holder is not None else None
    return Finding(document.file, element_id, "", line=element.sourceline)


def _finding(document: Document, element: etree._Element, message: str) -> Finding:
    return _say(_at(document, element), message)


def _say(place: Finding, message: str) -> Finding:
    return Finding(place.file, place.element_id, message, line=place.line)


def _check_expression(place: Finding, text: str, what: str) -> list[Finding]:
    """Compile the expression; one made only of literals is evaluated too, so that an expression that
    can never be evaluated (`${9**9**9 > 0}`) is found now, not when a case reaches it."""
    try:
        compiled = expressions.compile_expression(text)
        if not compiled.names and not compiled.functions:
            compiled.evaluate({})
    except expressions.ExpressionError as error:
        return [_say(place, f"{what}: {error.reason}")]
    return []
