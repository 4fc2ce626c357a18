"""`sro bench --load` end to end on a small SQLite caseload: gunicorn starts, users sign in, every page answers 200."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT


def test_a_short_load_run_reports_every_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sro_benchmarks.load import run

    monkeypatch.chdir(ROOT)  # `sro serve` deploys processes/ from the working directory
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/load.sqlite3")
    monkeypatch.setenv("SRO_VAR", str(tmp_path / "var"))
    figures = run(cases=1000, per_ifk=250, workers=[2], users=[3], seconds=2)
    assert figures["ifk"] == 4 and figures["cases"] == 1000
    [single] = figures["runs"]
    assert single["web_workers"] == 2 and single["users"] == 3 and single["errors"] == 0
    assert all(page["requests"] > 0 and page["p50_ms"] > 0 for page in single["pages"].values())
