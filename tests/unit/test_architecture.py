"""Fitness checks of the code base itself: product code never reads the tests, and modules stay small.

The layers are checked by import-linter's contracts (pyproject.toml, `lint-imports` in `make test`).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = sorted(path for folder in ("engine", "web") for path in (ROOT / folder).rglob("*.py"))
MAX_LINES = 600


def _mentions_tests(text: str) -> bool:
    parts = text.replace("\\", "/").split("/")
    return "tests" in parts or text.strip() == "tests"


@pytest.mark.parametrize("path", PRODUCT, ids=lambda path: str(path.relative_to(ROOT)))
def test_product_code_never_reads_the_tests(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = [node.lineno for node in ast.walk(tree)
             if isinstance(node, ast.Constant) and isinstance(node.value, str) and _mentions_tests(node.value)]
    imports = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
               and (node.module or "").split(".")[0] == "tests"]
    assert not found + imports, f"{path.relative_to(ROOT)} names the tests folder in line(s) {found + imports}"


@pytest.mark.parametrize("path", PRODUCT, ids=lambda path: str(path.relative_to(ROOT)))
def test_modules_stay_small(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines; split it by concern (at most {MAX_LINES})"


def test_the_check_finds_a_path_into_the_tests() -> None:
    assert _mentions_tests("tests/fixtures/engine/x.bpmn") and _mentions_tests("tests")
    assert not _mentions_tests("Szenario-Tests") and not _mentions_tests("decision tests run")
