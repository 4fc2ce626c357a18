"""The one reader of QA's YAML files: values and lines from one parse, German errors, alias bombs refused."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from engine.simulation.yamlfile import MAX_BYTES, ScenarioError, read_yaml


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "datei.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_values_and_the_line_of_every_key_and_item(tmp_path: Path) -> None:
    found = read_yaml(write(tmp_path, "szenario: Test\nbeginn: 2025-03-03\nschritte:\n  - warte: P1D\n"
                                      "  - erledige: Schritt prüfen\n    mit:\n      schrittErledigt: true\n"))
    assert found.value["beginn"] == date(2025, 3, 3)
    assert found.kind == "szenario"
    assert found.key_line("schritte") == 3
    assert found.line("schritte", 1) == 5
    assert found.line("schritte", 1, "mit", "schrittErledigt") == 7
    assert found.key_line("schritte", 1, "mit", "gibtEsNicht") == 6  # the nearest enclosing key


@pytest.mark.parametrize(("top", "kind"), [("entscheidung", "entscheidung"), ("verhalten", "verhalten"),
                                          ("szenario", "szenario")])
def test_the_kind_of_file_comes_from_its_top_key(tmp_path: Path, top: str, kind: str) -> None:
    assert read_yaml(write(tmp_path, f"{top}: x\n")).kind == kind


def test_anchors_and_merge_keys_share_inputs(tmp_path: Path) -> None:
    found = read_yaml(write(tmp_path, "faelle:\n  - eingaben: &basis {a: 1, b: 2}\n"
                                      "  - eingaben: {<<: *basis, b: 3}\n"))
    assert found.value["faelle"][1]["eingaben"] == {"a": 1, "b": 3}
    assert found.line("faelle", 1, "eingaben", "b") == 3


def test_an_alias_bomb_is_refused_before_it_unfolds(tmp_path: Path) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for previous, name in zip("abcdefg", "bcdefgh", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 10)}]")  # 10^8 entries unfolded
    with pytest.raises(ScenarioError) as caught:
        read_yaml(write(tmp_path, "\n".join(lines) + "\n"))
    assert "entfaltet sich über Anker und Verweise zu mehr als 100.000 Einträgen" in str(caught.value)


def test_broken_yaml_names_file_and_line(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as caught:
        read_yaml(write(tmp_path, "szenario: Test\nschritte: [warte: P1D\n"))
    assert caught.value.line == 3 and "kein gültiges YAML" in caught.value.message


def test_files_that_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="kann nicht gelesen werden"):
        read_yaml(tmp_path / "fehlt.yaml")
    (tmp_path / "binaer.yaml").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ScenarioError, match="kann nicht gelesen werden"):
        read_yaml(tmp_path / "binaer.yaml")
    with pytest.raises(ScenarioError, match="größer als 1024 KB"):
        read_yaml(write(tmp_path, "a: " + "x" * MAX_BYTES + "\n"))
