"""Which diagrams the modeler checks look at, and where their tools live."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = ROOT / "processes"
TOOLS = ROOT / "tools" / "modeler-check"
NODE_MODULES = TOOLS / "node_modules"
BPMNLINT = NODE_MODULES / ".bin" / "bpmnlint"
BPMNLINTRC = ROOT / ".bpmnlintrc"
FIXTURES = ROOT / "tests" / "fixtures" / "modeler"
CHROMIUM = Path("/usr/bin/chromium")

# processes/scenarios holds test inputs, not deployable diagrams; .camunda is the modeler's own folder.
EXCLUDED_DIRS = {("scenarios",)}
EXCLUDED_PARTS = {".camunda"}

MISSING_TOOLS = "Prüfwerkzeuge fehlen: `make test` installiert sie (npm ci in tools/modeler-check, Debians chromium)."


def diagrams(*suffixes: str) -> list[Path]:
    """Every diagram under processes/ with one of the suffixes, sorted, without the excluded folders."""
    found = []
    for path in sorted(PROCESSES.rglob("*")):
        if path.suffix not in suffixes or not path.is_file():
            continue
        parts = path.relative_to(PROCESSES).parts[:-1]
        if EXCLUDED_PARTS.intersection(parts) or any(parts[: len(d)] == d for d in EXCLUDED_DIRS):
            continue
        found.append(path)
    return found


def diagram_id(path: Path) -> str:
    return path.relative_to(PROCESSES).as_posix()
