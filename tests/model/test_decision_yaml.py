"""Decision-table tests written as YAML rows run by `sro simulate`; a wrong expectation names file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.runtime import dmn
from engine.runtime.lint import load_files
from engine.simulation import decisions
from engine.simulation.yamlfile import ScenarioError
from tests.conftest import SRO_PROCESSES

FILES = sorted((SRO_PROCESSES / "scenarios" / "entscheidungen").glob("*.yaml"))


@pytest.fixture(scope="module")
def tables() -> dict[str, dmn.Decision]:
    documents, findings = load_files([SRO_PROCESSES / "entscheidungen"])
    assert findings == []
    return {key: value for document in documents.values()
            for key, value in dmn.read_decisions(document.root, document.file).items()}


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_decision_rows_hold(path: Path, tables: dict[str, dmn.Decision]) -> None:
    result = decisions.run(decisions.load(path, tables), tables)
    assert result.ok, "\n".join(result.failures)
    assert result.rules  # the rows reached rules of the table


def test_a_wrong_expectation_fails_with_file_and_line(tmp_path: Path, tables: dict[str, dmn.Decision]) -> None:
    path = tmp_path / "falsch.yaml"
    path.write_text("entscheidung: Rechtskreis\nfaelle:\n  - name: Stichtag\n    eingaben: {stichtag: 2026-07-01}\n"
                    "    erwartet: buergergeld\n", encoding="utf-8")
    result = decisions.run(decisions.load(path, tables), tables)
    assert result.failures == [f"{path}:3: Stichtag: erwartet 'buergergeld', tatsächlich 'neue_grundsicherung'"]


def test_an_unknown_decision_or_rule_is_refused(tmp_path: Path, tables: dict[str, dmn.Decision]) -> None:
    path = tmp_path / "unbekannt.yaml"
    path.write_text("entscheidung: Gibtsnicht\nfaelle: []\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="Gibtsnicht"):
        decisions.load(path, tables)
    path.write_text("entscheidung: Rechtskreis\nfaelle:\n  - eingaben: {stichtag: 2026-07-01}\n"
                    "    erwartet: x\n    regel: Rule_Fehlt\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"unbekannt.yaml:3: Die Regel »Rule_Fehlt«"):
        decisions.load(path, tables)
