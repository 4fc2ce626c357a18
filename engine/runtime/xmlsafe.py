"""Parse diagram XML with entity expansion, DTDs and network access switched off.

lxml does the parsing; this module only sets its options and refuses any DOCTYPE before parsing.
defusedxml is not used: its lxml support is deprecated, and the parser options plus the refusal
cover what it would (billion laughs, external entities, network access).
"""

from __future__ import annotations

from lxml import etree

from engine.runtime.errors import Finding

MAX_DIAGRAM_BYTES = 5 * 1024 * 1024


class UnsafeXmlError(ValueError):
    def __init__(self, finding: Finding) -> None:
        self.finding = finding
        super().__init__(str(finding))


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
    )


def parse_xml(content: bytes, filename: str) -> etree._Element:
    """Return the root element, or raise UnsafeXmlError with a sentence a process owner understands.

    Documents with any DOCTYPE are refused outright: BPMN and DMN never need one, and a DTD is
    how entity attacks (billion laughs, external entities) get in.
    """
    if len(content) > MAX_DIAGRAM_BYTES:
        raise UnsafeXmlError(Finding(filename, None, "Die Datei ist größer als 5 MB und wird nicht geladen."))
    # Strip NUL bytes so the check also sees UTF-16/UTF-32 encoded declarations.
    narrow = content.replace(b"\x00", b"").upper()
    if b"<!DOCTYPE" in narrow or b"<!ENTITY" in narrow:
        raise UnsafeXmlError(
            Finding(filename, None, "Die Datei enthält eine DOCTYPE- oder ENTITY-Deklaration; "
                                    "das ist in BPMN/DMN nicht nötig und wird aus Sicherheitsgründen abgelehnt.")
        )
    try:
        root = etree.fromstring(content, _parser())
    except etree.XMLSyntaxError as error:
        line = error.position[0] if error.position else None
        raise UnsafeXmlError(
            Finding(filename, None, f"Die Datei ist kein wohlgeformtes XML: {error.msg}", line=line)
        ) from error
    if root.getroottree().docinfo.doctype:
        raise UnsafeXmlError(Finding(filename, None, "DOCTYPE-Deklarationen werden nicht akzeptiert."))
    return root
