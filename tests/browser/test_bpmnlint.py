"""bpmnlint (recommended rules, .bpmnlintrc at the repository root) finds nothing in any diagram."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.browser.diagrams import BPMNLINT, BPMNLINTRC, FIXTURES, MISSING_TOOLS, ROOT, diagram_id, diagrams


def bpmnlint(path: Path) -> tuple[int, str]:
    """Exit code and report of bpmnlint on one file; warnings count as failures (--max-warnings=0)."""
    if not BPMNLINT.exists():
        pytest.fail(MISSING_TOOLS)
    completed = subprocess.run(
        [str(BPMNLINT), "--config", str(BPMNLINTRC), "--max-warnings=0", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "NO_COLOR": "1", "FORCE_COLOR": "0"},
        check=False,
    )
    return completed.returncode, (completed.stdout + completed.stderr).strip()


@pytest.mark.parametrize("path", diagrams(".bpmn"), ids=diagram_id)
def test_diagram_passes_bpmnlint(path: Path) -> None:
    code, report = bpmnlint(path)
    assert code == 0 and "problem" not in report, f"bpmnlint meldet (Exit {code}):\n{report}"


def test_clean_fixture_passes_bpmnlint() -> None:
    code, report = bpmnlint(FIXTURES / "valid_process.bpmn")
    assert code == 0 and "problem" not in report, report


def test_recommended_rule_violation_is_reported() -> None:
    code, report = bpmnlint(FIXTURES / "lint_no_end_event.bpmn")
    assert code != 0, report
    assert "end-event-required" in report, report
    assert "Task_Sackgasse" in report, report
