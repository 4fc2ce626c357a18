"""`sro simulate` as QA calls it: the summary it prints, its exit codes, and what it says when bpmn-js is missing."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.simulation.command import simulate
from engine.simulation.report import ViewerMissing, read_viewer
from tests.conftest import SRO_PROCESSES

SCENARIOS = SRO_PROCESSES / "scenarios"


def run(*arguments: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(simulate, ["--prozesse", str(SRO_PROCESSES), *map(str, arguments)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_one_scenario_and_the_decision_tests_print_their_summary() -> None:
    code, out, _ = run(SCENARIOS / "anfangsphase.yaml", SCENARIOS / "entscheidungen")
    assert code == 0
    assert "✓ Anfangsphase – Erstgespräch in Präsenz, Kooperationsplan mit zwei Schritten\n" in out
    assert "✓ Entscheidung Rechtskreis: 2 Fälle, Regeln getroffen: 2/2\n" in out
    assert out.endswith("\n1 von 1 Szenarien bestanden; 2 von 2 Entscheidungstests bestanden.\n")


def test_a_faulty_scenario_stops_the_run_with_file_and_line(tmp_path: Path) -> None:
    broken = tmp_path / "kaputt.yaml"
    broken.write_text("szenario: Kaputt\nschritte:\n  - warte: P3X\n", encoding="utf-8")
    code, out, err = run(SCENARIOS / "anfangsphase.yaml", broken)
    assert code == 1 and out == ""
    assert err.startswith(f"Szenario fehlerhaft: {broken}:3: »warte« braucht eine Dauer wie P14D oder P6M: ")


def test_a_failing_decision_row_fails_the_command(tmp_path: Path) -> None:
    wrong = tmp_path / "falsch.yaml"
    wrong.write_text("entscheidung: Rechtskreis\nfaelle:\n  - name: Stichtag\n    eingaben: {stichtag: 2026-07-01}\n"
                     "    erwartet: buergergeld\n", encoding="utf-8")
    code, out, _ = run(SCENARIOS / "anfangsphase.yaml", wrong)
    assert code == 1
    assert f"✗ Entscheidung Rechtskreis: 1 Fälle, Regeln getroffen: 1/2\n    {wrong}:3: Stichtag: " in out
    assert "1 von 1 Szenarien bestanden; 0 von 1 Entscheidungstests bestanden." in out


def test_behaviour_files_are_not_run_and_no_scenario_is_an_error() -> None:
    code, _, err = run(SCENARIOS / "projektion")
    assert code == 1 and err == "Keine Szenarien gefunden.\n"


def test_a_missing_bpmn_js_is_named_with_the_fix_before_anything_runs(tmp_path: Path) -> None:
    code, out, err = run(SCENARIOS / "anfangsphase.yaml", "--report", tmp_path / "bericht.html",
                         "--bpmn-js", tmp_path / "fehlt")
    assert code == 1 and out == "" and "Traceback" not in err
    assert err == (f"Fehler: Für den Bericht fehlt bpmn-js unter {tmp_path / 'fehlt'}. `make run` installiert bpmn-js "
                   "(npm ci in web/).\n")
    assert not (tmp_path / "bericht.html").exists()


def test_the_bpmn_js_folder_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SRO_BPMN_JS", str(tmp_path / "anderswo"))
    code, _, err = run(SCENARIOS / "anfangsphase.yaml", "--report", tmp_path / "bericht.html")
    assert code == 1 and f"bpmn-js unter {tmp_path / 'anderswo'}." in err


def test_read_viewer_refuses_a_folder_without_the_bundle(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "diagram-js.css").write_text("", encoding="utf-8")
    with pytest.raises(ViewerMissing, match=r"`make run` installiert bpmn-js \(npm ci in web/\)\.$"):
        read_viewer(tmp_path)
