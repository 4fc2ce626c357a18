"""`sro serve --workers N` (issue 12): gunicorn with several worker processes, health endpoint, German pages, and a
worker killed mid-request replaced without the service going down."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.request import urlopen

import pytest
from alembic.script import ScriptDirectory

from engine import migrations
from tests.conftest import ROOT

SRO = Path(sys.executable).with_name("sro")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(url: str) -> tuple[int, dict[str, str], str]:
    try:
        with urlopen(url, timeout=10) as answer:
            return answer.status, dict(answer.headers), answer.read().decode()
    except HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = free_port()
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/sro.sqlite3", "SRO_VAR": str(tmp_path / "var"),
                   "SRO_LOG_FORMAT": "json"}
    migrated = subprocess.run([str(SRO), "migrate"], cwd=ROOT, env=environment, capture_output=True, text=True)
    assert migrated.returncode == 0, migrated.stderr
    server = subprocess.Popen([str(SRO), "serve", "--workers", "2", "--port", str(port)], cwd=ROOT, env=environment,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if get(f"{base}/gesundheit")[0] == 200:
                break
        except (URLError, ConnectionError):
            pass
        assert server.poll() is None and time.monotonic() < deadline, server.communicate(timeout=5)[0]
        time.sleep(0.3)
    yield base, server
    server.terminate()
    server.wait(timeout=30)


def test_gunicorn_does_not_start_on_a_schema_that_is_behind(tmp_path: Path) -> None:
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/leer.sqlite3", "SRO_VAR": str(tmp_path)}
    started = subprocess.run([str(SRO), "serve", "--workers", "2", "--port", str(free_port())], cwd=ROOT,
                             env=environment, capture_output=True, text=True, timeout=60)
    assert started.returncode == 1
    newest = ScriptDirectory(str(migrations.FOLDER)).get_current_head()
    assert f"Das Datenbankschema ist nicht aktuell (Stand leer, neu {newest}); bitte `sro migrate` ausführen." in (
        started.stderr)


def worker_pids(master: int) -> set[int]:
    found = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True, check=False).stdout.split()
    return {int(pid) for pid in found}


def test_gunicorn_serves_german_pages_and_replaces_a_killed_worker(
        served: tuple[str, subprocess.Popen[str]]) -> None:
    base, server = served
    status, headers, body = get(f"{base}/gesundheit")
    assert status == 200 and '"status":"ok"' in body
    assert headers["Server"] == "gunicorn"  # no version, no Python
    status, _, body = get(f"{base}/faelle/12345678901234567890")
    assert status in (302, 404)  # signed out: to the sign-in page; never a 500
    status, _, body = get(f"{base}/gibt-es-nicht")
    assert status == 404 and "Diese Seite gibt es nicht." in body

    workers = worker_pids(server.pid)
    assert len(workers) == 2
    os.kill(next(iter(workers)), signal.SIGKILL)
    answers = [get(f"{base}/gesundheit")[0] for _ in range(20)]
    assert answers == [200] * 20  # the other worker serves while the master starts a new one
    deadline = time.monotonic() + 20
    while len(worker_pids(server.pid) - workers) < 1 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(worker_pids(server.pid)) == 2
