"""The diagram linter: each finding names file, element and line in German; `sro lint` exits 1."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from engine.runtime.errors import Finding
from engine.runtime.lint import check, lint_paths, load_files

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "lint"
SRO = ROOT / ".venv" / "bin" / "sro"


def line_of(path: Path, needle: str) -> int:
    """1-based number of the first line of `path` containing `needle`."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


CASES = {
    "script_task.bpmn": [
        (
            "Task_X",
            '<bpmn:scriptTask id="Task_X"',
            "Skript-Aufgaben werden aus Sicherheitsgründen nicht ausgeführt. "
            "Bitte eine Benutzeraufgabe oder Gateway-Bedingungen verwenden.",
        ),
    ],
    "reserved_ids.bpmn": [
        (
            "Start",
            '<bpmn:startEvent id="Start"',
            "Die ID »Start« ist intern reserviert; bitte eine andere ID vergeben.",
        ),
        (
            "End",
            '<bpmn:endEvent id="End"',
            "Die ID »End« ist intern reserviert; bitte eine andere ID vergeben.",
        ),
    ],
    "complex_gateway.bpmn": [
        (
            "Gateway_Komplex",
            '<bpmn:complexGateway id="Gateway_Komplex"',
            "Komplexe Gateways kann die Engine nicht ausführen. "
            "Bitte exklusive, parallele oder inklusive Gateways verwenden.",
        ),
    ],
    "service_task.bpmn": [
        (
            "Task_X",
            '<bpmn:serviceTask id="Task_X"',
            "Service-Aufgaben laufen nur als externe Aufgabe (camunda:type=\"external\") mit dem Thema einer "
            "fachlichen Aktion (camunda:topic).",
        ),
    ],
    "execution_listener.bpmn": [
        (
            "Task_X",
            "<camunda:executionListener",
            "Ausführungs-Listener werden nicht ausgeführt; ihr Verhalten ginge stillschweigend verloren.",
        ),
    ],
    "condition_broken.bpmn": [
        ("Flow_Ja", "${a ==}</bpmn:conditionExpression>", "Bedingung: Der Ausdruck endet unerwartet."),
    ],
    "condition_dunder.bpmn": [
        (
            "Flow_Ja",
            "${x.__class__}",
            "Bedingung: Namen mit Unterstrich am Anfang sind nicht erlaubt: '__class__'.",
        ),
    ],
    # Timer findings name the event, not its timerEventDefinition.
    "timer_not_iso.bpmn": [
        (
            "Task_X",
            "<bpmn:timeDuration",
            "»P6X« ist keine ISO-8601-Dauer (z. B. P14D, P6M, PT2H).",
        ),
    ],
    "timer_too_far.bpmn": [
        (
            "Task_X",
            "<bpmn:timeDuration",
            "Die Dauer »P9000Y« ist zu groß.",
        ),
    ],
    "gateway_overlap.bpmn": [
        (
            "Gateway_Antwort",
            '<bpmn:exclusiveGateway id="Gateway_Antwort"',
            "Die Bedingungen von »ja« und »nein« am Gateway »Antwort?« können zugleich zutreffen (a = True). "
            "Dann entschiede die Lage der Elemente im Diagramm; bitte die Bedingungen eindeutig machen.",
        ),
    ],
    "field_unknown_type.bpmn": [
        (
            "Task_X",
            '<camunda:formField id="betrag"',
            "Formularfeld »betrag«: Der Typ »decimal« wird nicht unterstützt "
            "(string, long, boolean, date, enum).",
        ),
    ],
    "event_subprocess_plain_start.bpmn": [
        (
            "StartEvent_Abbruch",
            '<bpmn:startEvent id="StartEvent_Abbruch"',
            "Ein Ereignis-Teilprozess wird nur mit einem Nachrichten-, Signal-, Fehler-, Eskalations- oder "
            "Zeit-Startereignis ausgeführt.",
        ),
    ],
    "event_subprocess_ambiguous.bpmn": [
        (
            "StartEvent_Hinweis",
            '<bpmn:startEvent id="StartEvent_Hinweis"',
            "Die Nachricht »Hinweis« startet diesen Ereignis-Teilprozess und wird zugleich von »Hinweis am Termin« "
            "erwartet; wohin sie zugestellt wird, wäre mehrdeutig.",
        ),
    ],
    "enum_bad_default.bpmn": [
        (
            "Task_X",
            '<camunda:formField id="kanal"',
            "Formularfeld »kanal«: Der Vorgabewert »brief« ist keine der Auswahlmöglichkeiten.",
        ),
    ],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_finding_kind_names_file_element_line_and_a_german_sentence(name: str) -> None:
    path = FIXTURES / name
    expected = [
        Finding(str(path), element_id, message, line=line_of(path, needle))
        for element_id, needle, message in CASES[name]
    ]
    assert lint_paths([path]) == expected


def test_overlap_finding_names_both_flows_and_the_gateway() -> None:
    [finding] = lint_paths([FIXTURES / "gateway_overlap.bpmn"])
    assert "»ja«" in finding.message
    assert "»nein«" in finding.message
    assert "»Antwort?«" in finding.message
    assert str(finding) == (
        f"{FIXTURES / 'gateway_overlap.bpmn'}:{finding.line} [Gateway_Antwort]: {finding.message}"
    )


def test_clean_fixture_has_no_findings() -> None:
    # Also the non-overlapping pair ${a == true} / ${a == false} on a required boolean field.
    text = (FIXTURES / "clean.bpmn").read_text(encoding="utf-8")
    assert "${a == true}" in text
    assert "${a == false}" in text
    assert lint_paths([FIXTURES / "clean.bpmn"]) == []


def test_shipped_process_lints_clean() -> None:
    assert lint_paths([ROOT / "processes"]) == []


def test_lint_of_a_folder_reports_every_file() -> None:
    findings = lint_paths([FIXTURES])
    files = {Path(finding.file).name for finding in findings}
    assert files == set(CASES)
    assert len(findings) == sum(len(expected) for expected in CASES.values())


def test_load_files_and_check_separately() -> None:
    documents, findings = load_files([FIXTURES / "clean.bpmn", FIXTURES / "script_task.bpmn"])
    assert findings == []
    assert sorted(Path(name).name for name in documents) == ["clean.bpmn", "script_task.bpmn"]
    assert [finding.element_id for finding in check(documents)] == ["Task_X"]


def test_malformed_xml_is_a_finding_with_a_line(tmp_path: Path) -> None:
    path = tmp_path / "kaputt.bpmn"
    path.write_text(
        '<?xml version="1.0"?>\n<bpmn:definitions xmlns:bpmn="x">\n  <bpmn:process>\n</bpmn:definitions>\n',
        encoding="utf-8",
    )
    [finding] = lint_paths([path])
    assert finding.file == str(path)
    assert finding.element_id is None
    assert finding.line == 4
    assert finding.message.startswith("Die Datei ist kein wohlgeformtes XML: ")


def test_doctype_is_a_finding(tmp_path: Path) -> None:
    path = tmp_path / "doctype.bpmn"
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE x>\n<x/>\n', encoding="utf-8")
    assert lint_paths([path]) == [
        Finding(
            str(path),
            None,
            "Die Datei enthält eine DOCTYPE- oder ENTITY-Deklaration; das ist in BPMN/DMN nicht "
            "nötig und wird aus Sicherheitsgründen abgelehnt.",
        )
    ]


def diagram(tmp_path: Path, task_body: str, boundary: str = "") -> Path:
    """A small executable diagram: start, user task Task_X (with `task_body` inside), end, `boundary`."""
    path = tmp_path / "probe.bpmn"
    path.write_text(
        f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="Definitions_Probe" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="Probe" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1">
      <bpmn:outgoing>Flow_1</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:userTask id="Task_X" name="Erfassen">
      <bpmn:incoming>Flow_1</bpmn:incoming>
      <bpmn:outgoing>Flow_2</bpmn:outgoing>
{task_body}
    </bpmn:userTask>
{boundary}
    <bpmn:endEvent id="EndEvent_1">
      <bpmn:incoming>Flow_2</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Task_X" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_X" targetRef="EndEvent_1" />
  </bpmn:process>
</bpmn:definitions>
""",
        encoding="utf-8",
    )
    return path


def boundary_timer(kind: str, value: str) -> str:
    return f"""    <bpmn:boundaryEvent id="Event_Frist" attachedToRef="Task_X">
      <bpmn:timerEventDefinition id="TimerEventDefinition_Frist">
        <bpmn:{kind} xsi:type="bpmn:tFormalExpression">{value}</bpmn:{kind}>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>"""


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("timeDuration", "P36601D", "Die Dauer »P36601D« ist zu groß."),
        ("timeDuration", "P8000Y", "Die Dauer »P8000Y« ist zu groß."),
        ("timeCycle", "R0/P1D", "»R0/P1D« wiederholt sich nie (R0); bitte mindestens R1 angeben."),
        ("timeCycle", "R3/P101Y", "Die Dauer »P101Y« ist zu groß."),
        ("timeDate", "morgen", "»morgen« ist kein Datum und kein Zeitpunkt nach ISO 8601."),
        ("timeDuration", "${__import__('os')}", "Zeitausdruck: Namen mit Unterstrich am Anfang sind nicht erlaubt: "
         "'__import__'."),
    ],
)
def test_boundary_timer_finding_names_the_boundary_event(
    tmp_path: Path, kind: str, value: str, message: str
) -> None:
    path = diagram(tmp_path, "", boundary_timer(kind, value))
    assert lint_paths([path]) == [Finding(str(path), "Event_Frist", message, line=line_of(path, f"<bpmn:{kind}"))]


@pytest.mark.parametrize(("kind", "value"), [("timeDuration", "P36600D"), ("timeCycle", "R1/P100Y")])
def test_timer_at_the_limit_is_clean(tmp_path: Path, kind: str, value: str) -> None:
    assert lint_paths([diagram(tmp_path, "", boundary_timer(kind, value))]) == []


@pytest.mark.parametrize(
    ("element", "what"),
    [("loopCardinality", "Anzahl der Mehrfachausführung"), ("completionCondition", "Abschlussbedingung")],
)
def test_multi_instance_expressions_are_compiled(tmp_path: Path, element: str, what: str) -> None:
    body = f"""      <bpmn:multiInstanceLoopCharacteristics>
        <bpmn:{element} xsi:type="bpmn:tFormalExpression">${{__import__('os').system('id')}}</bpmn:{element}>
      </bpmn:multiInstanceLoopCharacteristics>"""
    path = diagram(tmp_path, body)
    assert lint_paths([path]) == [
        Finding(
            str(path),
            "Task_X",
            f"{what}: Namen mit Unterstrich am Anfang sind nicht erlaubt: '__import__'.",
            line=line_of(path, f"<bpmn:{element}"),
        )
    ]


@pytest.mark.parametrize("cardinality", ["3", "${3}", "${anzahl}"])
def test_harmless_multi_instance_expressions_are_clean(tmp_path: Path, cardinality: str) -> None:
    body = f"""      <bpmn:multiInstanceLoopCharacteristics>
        <bpmn:loopCardinality>{cardinality}</bpmn:loopCardinality>
        <bpmn:completionCondition>${{nrOfCompletedInstances >= 2}}</bpmn:completionCondition>
      </bpmn:multiInstanceLoopCharacteristics>"""
    assert lint_paths([diagram(tmp_path, body)]) == []


# --------------------------------------------------------------------------- the command line


def run_sro(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SRO), *args], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )


def test_cli_lint_exits_1_and_prints_findings() -> None:
    result = run_sro("lint", "tests/fixtures/lint/reserved_ids.bpmn")
    assert result.returncode == 1
    path = FIXTURES / "reserved_ids.bpmn"
    start_line, end_line = (
        line_of(path, '<bpmn:startEvent id="Start"'),
        line_of(path, '<bpmn:endEvent id="End"'),
    )
    assert result.stdout.splitlines() == [
        f"tests/fixtures/lint/reserved_ids.bpmn:{start_line} [Start]: "
        "Die ID »Start« ist intern reserviert; bitte eine andere ID vergeben.",
        f"tests/fixtures/lint/reserved_ids.bpmn:{end_line} [End]: "
        "Die ID »End« ist intern reserviert; bitte eine andere ID vergeben.",
    ]
    assert result.stderr.strip() == "2 Befund(e) in 1 Datei(en)."
    assert "Traceback" not in result.stderr


def test_cli_lint_of_the_fixture_folder_exits_1() -> None:
    result = run_sro("lint", "tests/fixtures/lint")
    assert result.returncode == 1
    assert "[Gateway_Antwort]: Die Bedingungen von »ja« und »nein«" in result.stdout
    assert "clean.bpmn" not in result.stdout
    assert result.stderr.strip() == "15 Befund(e) in 15 Datei(en)."


def test_cli_lint_exits_0_on_the_shipped_processes() -> None:
    result = run_sro("lint", "processes")
    assert result.returncode == 0, result.stdout + result.stderr
    shipped = len([*Path("processes").rglob("*.bpmn"), *Path("processes").rglob("*.dmn")])
    assert shipped >= 3
    assert result.stdout.strip() == f"Keine Befunde in {shipped} Datei(en)."
    assert result.stderr == ""


def test_external_task_topic_must_name_a_domain_action(tmp_path: Path) -> None:
    source = (FIXTURES / "service_task.bpmn").read_text(encoding="utf-8")
    diagram = tmp_path / "aktion.bpmn"
    diagram.write_text(source.replace('name="Bescheid versenden"',
                                      'name="Bescheid versenden" camunda:type="external" camunda:topic="bescheid"'),
                       encoding="utf-8")
    assert lint_paths([diagram]) == []  # without a list of actions any topic passes
    [finding] = lint_paths([diagram], actions=["minderungErfassen", "stichtagHeute"])
    assert finding.element_id == "Task_X"
    assert finding.message == ("Die fachliche Aktion »bescheid« gibt es nicht. Bekannt sind: minderungErfassen, "
                               "stichtagHeute.")
    result = run_sro("lint", str(diagram))  # the command line knows the domain's actions
    assert result.returncode == 1
    assert "Die fachliche Aktion »bescheid« gibt es nicht." in result.stdout
