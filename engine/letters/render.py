"""Render a letter from its template: Jinja's sandbox (process owners edit the templates), every field known.

Templates are handed over as texts by file name (`brief.html` -> text): the deployed set (engine/letters/stored.py)
in the running product, a folder only for `sro lint` and `sro letters --demo`. The fields a template may name are
those of the example in `fields.EXAMPLES` for its kind; a template naming another one is refused by
`check_templates` (at deployment and by `sro lint`), with the template and the field named.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import DictLoader, StrictUndefined, TemplateError, nodes
from jinja2.sandbox import SandboxedEnvironment

from engine.letters.fields import EXAMPLES, KINDS
from engine.runtime.errors import EngineError, Finding

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


def read_folder(folder: Path) -> dict[str, str]:
    """The templates of a folder (`*.html`) by file name."""
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.html")) if path.is_file()}


def environment(templates: Mapping[str, str]) -> SandboxedEnvironment:
    """A sandbox: templates cannot reach Python internals; a missing field is an error, never an empty text."""
    return SandboxedEnvironment(loader=DictLoader(dict(templates)), autoescape=True, undefined=StrictUndefined)


_ENVIRONMENTS: OrderedDict[str, SandboxedEnvironment] = OrderedDict()
KEPT_ENVIRONMENTS = 8  # template sets kept compiled per process (the deployed one, a few a test or lint made)


def _compiled(templates: Mapping[str, str]) -> SandboxedEnvironment:
    """The environment of a template set, kept by the hash of its texts: Jinja compiles a template to Python once
    per environment (about 5 ms for a letter and its layout), so a step that produces a letter must not start with
    a new one."""
    digest = hashlib.sha256()
    for name in sorted(templates):
        digest.update(name.encode("utf-8") + b"\0" + templates[name].encode("utf-8") + b"\0")
    key = digest.hexdigest()
    kept = _ENVIRONMENTS.pop(key, None)
    if kept is None:
        kept = environment(templates)
    _ENVIRONMENTS[key] = kept
    while len(_ENVIRONMENTS) > KEPT_ENVIRONMENTS:
        _ENVIRONMENTS.popitem(last=False)
    return kept


def template_sha256(templates: Mapping[str, str], kind: str) -> str:
    """The hash of what a letter of `kind` is made from: the layout and the kind's own template."""
    return hashlib.sha256("".join(templates[name] for name in (LAYOUT, f"{kind}.html")).encode("utf-8")).hexdigest()


def render(kind: str, data: Mapping[str, Any], templates: Mapping[str, str]) -> Letter:
    if kind not in KINDS:
        raise LetterError(f"Unbekannte Briefart »{kind}«; bekannt sind {', '.join(KINDS)}.")
    name = f"{kind}.html"
    for needed in (LAYOUT, name):
        if needed not in templates:
            raise LetterError(f"Die Vorlage {needed} fehlt.")
    try:
        html = _compiled(templates).get_template(name).render(**data)
    except TemplateError as error:
        raise LetterError(f"Die Vorlage {name} lässt sich nicht füllen: {error}") from error
    return Letter(kind, html, dict(data), template_sha256(templates, kind))


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


def template_findings(templates: Mapping[str, str], folder: str) -> list[Finding]:
    """German findings for a set of templates (named as in `folder`): syntax errors, a missing template, unknown
    fields, each with the template's file and line."""
    findings: set[Finding] = set()
    env = environment(templates)
    for kind in KINDS:
        for name in (LAYOUT, f"{kind}.html"):
            where = f"{folder}/{name}"
            if name not in templates:
                findings.add(Finding(where, None, "Die Vorlage fehlt."))
                continue
            try:
                tree = env.parse(templates[name])
            except TemplateError as error:
                findings.add(Finding(where, None, f"Die Vorlage ist fehlerhaft: {error}", getattr(error, "lineno", 0)))
                continue
            for field, line in _fields_named(tree):
                if not _known(EXAMPLES[kind], field):
                    findings.add(Finding(where, None, f"Das Feld »{field}« gibt es für die Briefart »{kind}« nicht.",
                                         line))
    return sorted(findings, key=lambda finding: (finding.file, finding.line or 0, finding.message))


def check_templates(folder: Path = TEMPLATES) -> list[str]:
    """German findings for the templates in `folder` (`sro lint`, `sro letters --demo`)."""
    return [str(finding) for finding in template_findings(read_folder(folder), str(folder))]
