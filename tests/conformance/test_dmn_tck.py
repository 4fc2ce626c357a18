"""The DMN TCK as published (../shared/conformance/dmn-tck): no level may pass fewer test cases than its floor.

The floor (dmn_tck_floor.json) records the test cases passed in the last run; it only rises. The
corpus is found through SRO_CONFORMANCE_DIR, else next to the repository, else under /work/shared.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from engine.conformance.dmn_tck import run, summary

ROOT = Path(__file__).resolve().parents[2]
FLOOR = Path(__file__).with_name("dmn_tck_floor.json")


def _candidates() -> list[Path]:
    found = []
    if os.environ.get("SRO_CONFORMANCE_DIR"):
        found.append(Path(os.environ["SRO_CONFORMANCE_DIR"]))
    found += [ROOT.parent / "shared" / "conformance", Path("/work/shared/conformance")]
    return found


def corpus() -> Path:
    for candidate in _candidates():
        if (candidate / "dmn-tck").is_dir():
            return candidate / "dmn-tck"
    places = ", ".join(str(candidate / "dmn-tck") for candidate in _candidates())
    pytest.fail(f"Das DMN-TCK-Material wurde nicht gefunden; gesucht in: {places}. "
                "SRO_CONFORMANCE_DIR auf den Ordner »conformance« setzen.")


def test_no_level_passes_fewer_test_cases_than_its_floor() -> None:
    reports = run(corpus())
    print("\n" + summary(reports))
    floors = json.loads(FLOOR.read_text(encoding="utf-8"))
    assert {report.level for report in reports} == set(floors)
    for report in reports:
        assert report.passed >= floors[report.level], (
            f"{report.level}: {report.passed} Testfälle bestanden, der Boden liegt bei {floors[report.level]}.")
