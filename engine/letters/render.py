"""Render a letter from its template: Jinja's sandbox (process owners edit the templates), every field known.

The fields a template may name are those of the example in `fields.EXAMPLES` for its kind; a template naming
another one is refused by `check_templates` (run by `sro lint`), with the template and the field named.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError, nodes
from jinja2.sandbox import SandboxedEnvironment

from engine.letters.fields import EXAMPLES, KINDS
from engine.runtime.errors import EngineError

TEMPLATES = Path("processes") / "vorlagen"
LAYOUT = "brief.html"


class LetterError(EngineError):
    """A template that cannot be used, or data that does not fit it (German message)."""


@dataclass(frozen=True)
class Letter:
    kind: str
    html: str
    data: Mapping[str, Any]
    template_sha256: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.html.encode("utf-8")).hexdigest()

    def pdf(self) -> bytes:
        """The letter as PDF (WeasyPrint; DejaVu fonts from the system)."""
        from weasyprint import HTML

        document: bytes = HTML(string=self.html).write_pdf()
        return document

    def record(self) -> dict[str, Any]:
        """What the event log keeps of a sent letter, so it can be proven and reproduced: the kind, the hash of
        the content and of the template version, and the data it was made from."""
        return {"art": self.kind, "sha256": self.sha256, "vorlageSha256": self.template_sha256,
                "daten": json.loads(json.dumps(self.data, default=str))}


def environment(folder: Path = TEMPLATES) -> SandboxedEnvironment:
    """A sandbox: templates cannot reach Python internals; a missing field is an error, never an empty text."""
    return SandboxedEnvironment(loader=FileSystemLoader(str(folder)), autoescape=True, undefined=StrictUndefined)


def render(kind: str, data: Mapping[str, Any], folder: Path = TEMPLATES) -> Letter:
    if kind not in KINDS:
        raise LetterError(f"Unbekannte Briefart »{kind}«; bekannt sind {', '.join(KINDS)}.")
    path = folder / f"{kind}.html"
    if not path.is_file():
        raise LetterError(f"Die Vorlage {path} fehlt.")
    try:
        html = environment(folder).get_template(path.name).render(**data)
    except TemplateError as error:
        raise LetterError(f"Die Vorlage {path.name} lässt sich nicht füllen: {error}") from error
    digest = hashlib.sha256(b"".join((folder / name).read_bytes() for name in (LAYOUT, path.name))).hexdigest()
    return Letter(kind, html, dict(data), digest)


def _fields_named(tree: nodes.Template) -> Iterator[tuple[str, int]]:
    """Dotted field names a template reads (`termin.datum`), with their line; loop variables are skipped."""
    local = {node.name for node in tree.find_all(nodes.Name) if node.ctx in ("store", "param")}
    for node in tree.find_all((nodes.Getattr, nodes.Name)):
        if isinstance(node, nodes.Getattr) and isinstance(node.node, nodes.Name) and node.node.ctx == "load":
            if node.node.name not in local:
                yield f"{node.node.name}.{node.attr}", node.lineno
        elif isinstance(node, nodes.Name) and node.ctx == "load" and node.name not in local:
            yield node.name, node.lineno


def _known(example: Mapping[str, Any], dotted: str) -> bool:
    head, _, rest = dotted.partition(".")
    if head not in example:
        return False
    return not rest or (isinstance(example[head], Mapping) and rest in example[head])


def check_templates(folder: Path = TEMPLATES) -> list[str]:
    """German findings for the templates in `folder`: syntax errors, a missing template, unknown fields."""
    findings: list[str] = []
    env = environment(folder)
    for kind in KINDS:
        for name in (LAYOUT, f"{kind}.html"):
            path = folder / name
            if not path.is_file():
                findings.append(f"{path}: Die Vorlage fehlt.")
                continue
            try:
                tree = env.parse(path.read_text(encoding="utf-8"))
            except TemplateError as error:
                findings.append(f"{path}:{getattr(error, 'lineno', 0)}: Die Vorlage ist fehlerhaft: {error}")
                continue
            for field, line in _fields_named(tree):
                if not _known(EXAMPLES[kind], field):
                    findings.append(f"{path}:{line}: Das Feld »{field}« gibt es für die Briefart »{kind}« nicht.")
    return sorted(set(findings))
