"""What an operator meets (issue 12): settings checked at start in German, an unreachable database named without
the driver's English, a port out of range refused, the health endpoint, JSON logs."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine import migrations
from engine.bootstrap import bootstrap
from engine.cli import main
from engine.logs import JsonLines
from engine.runtime.clock import SimulatedClock
from tests.conftest import START
from web import create_app

ENGLISH = ("connection", "Connection", "psycopg", "sqlalchemy", "OperationalError", "Traceback", "refused")


def run(arguments: list[str], **environment: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, arguments, env=environment, prog_name="sro")
    return result.exit_code, result.output


def test_a_database_in_a_folder_that_does_not_exist_is_refused_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "gibt" / "es" / "nicht"
    code, output = run(["worker", "--once"], DATABASE_URL=f"sqlite:///{missing}/x.db")
    assert code == 1
    assert f"den Ordner {missing} gibt es nicht; er wird nicht angelegt" in output
    assert not (tmp_path / "gibt").exists()


def test_an_unknown_database_kind_is_named(tmp_path: Path) -> None:
    code, output = run(["migrate"], DATABASE_URL="mysql://jemand@127.0.0.1/x")
    assert code == 1 and "unterstützt sind PostgreSQL" in output


def test_an_unreachable_postgresql_is_a_german_sentence_only() -> None:
    code, output = run(["migrate"], DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:1/test?connect_timeout=3")
    assert code == 1
    assert "Die Datenbank ist nicht erreichbar." in output
    for word in ENGLISH:
        assert word not in output, output


@pytest.mark.parametrize("port", ["99999", "0", "-1"])
def test_serve_refuses_a_port_out_of_range(port: str, tmp_path: Path) -> None:
    code, output = run(["serve", "--port", port], DATABASE_URL=f"sqlite:///{tmp_path}/x.db")
    assert code == 2
    assert "65535" in output
    assert not (tmp_path / "x.db").exists()  # refused before anything was done


@pytest.mark.parametrize(("arguments", "sentence"), [
    (["serve", "--port", "99999"], "Fehler: »--port« muss eine ganze Zahl von 1 bis 65535 sein."),
    (["serve", "--port", "x"], "Fehler: »--port« muss eine ganze Zahl von 1 bis 65535 sein."),
    (["serve", "--gibt-es-nicht"], "Fehler: Die Option »--gibt-es-nicht« gibt es nicht."),
    (["serve", "überzählig"], "Fehler: Unerwartete Angabe: überzählig."),
    (["lint"], "Fehler: Es fehlt die Angabe »PATHS...«."),
])
def test_usage_errors_are_german_without_clicks_english_frame(arguments: list[str], sentence: str,
                                                              tmp_path: Path) -> None:
    code, output = run(arguments, DATABASE_URL=f"sqlite:///{tmp_path}/x.db")
    assert code == 2
    assert output.splitlines() == [sentence, f"Hilfe: sro {arguments[0]} --help"]


@pytest.mark.parametrize("arguments", [["--help"], ["loeschen", "--help"], ["bench", "--help"], ["lint", "--help"],
                                       ["conformance", "bpmn", "--help"]])
def test_help_is_german_without_clicks_english_frame(arguments: list[str]) -> None:
    code, output = run(arguments)
    assert code == 0
    assert output.startswith("Aufruf: sro ")
    assert "Optionen:" in output and "Diese Hilfe zeigen und beenden." in output
    for english in ("Usage", "Options", "Show this message", "[required]", "default:", "INTEGER", "COMMAND"):
        assert english not in output, output


def test_an_unknown_log_format_is_refused(tmp_path: Path) -> None:
    code, output = run(["serve"], DATABASE_URL=f"sqlite:///{tmp_path}/x.db", SRO_LOG_FORMAT="xml")
    assert code == 1 and "SRO_LOG_FORMAT »xml« gibt es nicht" in output


def test_an_unknown_proxy_count_is_refused(tmp_path: Path) -> None:
    code, output = run(["serve"], DATABASE_URL=f"sqlite:///{tmp_path}/x.db", SRO_PROXY_HOPS="viele")
    assert code == 1 and "SRO_PROXY_HOPS »viele« muss 0 bis 3 sein" in output


def test_json_logs_are_one_object_per_line() -> None:
    record = logging.LogRecord("sro.web", logging.ERROR, __file__, 1, "Fehler bei %s", ("/eingang",), None)
    entry = json.loads(JsonLines().format(record))
    assert entry["stufe"] == "ERROR" and entry["meldung"] == "Fehler bei /eingang" and entry["quelle"] == "sro.web"


def test_health_says_when_the_schema_is_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SRO_SECRET_KEY", "health-" + "7" * 57)
    services = bootstrap(f"sqlite:///{tmp_path}/leer.db", clock=SimulatedClock(START), migrate=False)
    try:
        answer = create_app(services).test_client().get("/gesundheit")
        _, head = migrations.pending(services.engine.database)
        assert answer.status_code == 503
        assert answer.get_json() == {"status": "gestoert", "grund": "Das Datenbankschema ist nicht aktuell (Stand "
                                     f"leer, neu {head}); bitte `sro migrate` ausführen."}
    finally:
        services.engine.database.dispose()


def test_health_says_when_the_database_is_gone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SRO_SECRET_KEY", "health-" + "7" * 57)
    services = bootstrap("postgresql+psycopg://postgres@127.0.0.1:1/test?connect_timeout=3",
                         clock=SimulatedClock(START), migrate=False)
    answer = create_app(services).test_client().get("/gesundheit")
    assert answer.status_code == 503
    body = answer.get_json()
    assert body["grund"].startswith("Die Datenbank ist nicht erreichbar.")
    assert not any(word in json.dumps(body) for word in ENGLISH)


def test_a_long_running_process_settles_the_garbage_collector() -> None:
    """In its own interpreter: what start-up built is frozen, the youngest generation collected in larger batches."""
    import subprocess
    import sys

    script = ("import gc; from engine.bootstrap import settle_long_running_process, GC_FIRST_GENERATION; "
              "before = gc.get_threshold()[0]; settle_long_running_process(); "
              "print(before, gc.get_threshold()[0] == GC_FIRST_GENERATION, gc.get_freeze_count() > 0)")
    printed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()
    assert printed == ["700", "True", "True"]


def test_the_timer_worker_settles_the_garbage_collector(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import engine.bootstrap

    settled: list[bool] = []
    monkeypatch.setattr(engine.bootstrap, "settle_long_running_process", lambda: settled.append(True))
    code, output = run(["worker", "--once"], DATABASE_URL=f"sqlite:///{tmp_path}/x.db")
    assert code == 0, output
    assert settled == [True]
