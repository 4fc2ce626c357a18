"""The QA simulation page: run scenarios, step through a case by hand, go back, save the walk."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine.bootstrap import bootstrap
from engine.workplace.commands import Workplace
from tests.conftest import ROOT
from web import create_app


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.chdir(ROOT)  # the page reads processes/ relative to the working directory, like `sro serve`
    monkeypatch.setenv("SRO_VAR", str(tmp_path / "var"))
    services = bootstrap(f"sqlite:///{tmp_path / 'app.sqlite3'}")
    services.deploy([ROOT / "processes"])
    people = Workplace(services)
    people.add_staff("qa", "Quinn Prüfer", "qa", "qa-passwort-lang")
    people.add_staff("ifk", "Ida Fach", "ifk", "ifk-passwort-lang", team="nord")
    app = create_app(services, {"SESSION_COOKIE_SECURE": False, "WTF_CSRF_ENABLED": False})
    yield app.test_client()
    services.engine.database.dispose()


def sign_in(client: Any, username: str, password: str) -> None:
    assert client.post("/anmelden", data={"benutzer": username, "passwort": password}).status_code == 302


def test_counsellors_have_no_simulation(client: Any) -> None:
    sign_in(client, "ifk", "ifk-passwort-lang")
    assert client.get("/simulation").status_code == 403


def test_walk_by_hand_back_and_save(client: Any, tmp_path: Path) -> None:
    sign_in(client, "qa", "qa-passwort-lang")
    assert "Alle Szenarien ausführen" in client.get("/simulation").get_data(as_text=True)
    created = client.post("/simulation/durchgaenge", data={"name": "Erstgespräch von Hand", "beginn": "2025-03-03"})
    walk_url = created.headers["Location"]
    page = client.get(walk_url).get_data(as_text=True)
    assert "Erstgespräch in Präsenz führen" in page and "03.03.2025" in page
    form = {"aktion": "erledige", "element": "Task_Erstgespraech", "gespraechsart": "praesenz",
            "ausgangssituation": "Neu im Bezug", "potenzialanalyse": "Will in die Pflege", "ergebnis": "kein_plan",
            "kooperationsbereit": "false", "naechsterKontakt": "wiedervorlage", "naechsterKontaktAm": "2025-03-17"}
    client.post(f"{walk_url}/schritt", data=form)
    page = client.get(walk_url).get_data(as_text=True)
    assert "Schlichtungsverfahren anbieten" in page  # the case moved on: no plan, Bürgergeld
    bad = client.post(f"{walk_url}/schritt", data={"aktion": "warte", "dauer": "P3X"}, follow_redirects=True)
    assert "ISO-8601-Dauer" in bad.get_data(as_text=True)
    client.post(f"{walk_url}/schritt", data={"aktion": "warte", "dauer": "P14D"})
    page = client.get(walk_url).get_data(as_text=True)
    assert "17.03.2025" in page  # the simulated clock moved two weeks
    client.post(f"{walk_url}/zurueck/1")
    page = client.get(walk_url).get_data(as_text=True)
    assert "03.03.2025" in page and "gewartet" not in page
    flashed = client.post(f"{walk_url}/speichern", follow_redirects=True).get_data(as_text=True)
    [saved] = list((tmp_path / "var" / "szenarien").glob("*.yaml"))
    assert f"Als Szenario gespeichert: {saved.name}" in flashed and str(tmp_path) not in flashed
    document = yaml.safe_load(saved.read_text(encoding="utf-8"))
    assert document["szenario"] == "Erstgespräch von Hand"
    assert document["beginn"] == date(2025, 3, 3)
    assert document["schritte"][0]["erledige"] == "Erstgespräch in Präsenz führen"


def test_run_all_scenarios_from_the_page(client: Any) -> None:
    sign_in(client, "qa", "qa-passwort-lang")
    page = client.post("/simulation/ausfuehren").get_data(as_text=True)
    passed, total = map(int, re.search(r"(\d+) von (\d+) Szenarien bestanden", page).groups())  # type: ignore[union-attr]
    assert passed == total >= 29
    tests_passed, tests_total = map(int, re.search(r"(\d+) von (\d+) Entscheidungstests bestanden",  # type: ignore[union-attr]
                                                   page).groups())
    assert tests_passed == tests_total >= 2
    assert "Leistungsminderung" in page and "Rechtskreis" in page
    report = re.search(r'href="(/simulation/berichte/[^"]+)"', page).group(1)  # type: ignore[union-attr]
    html = client.get(report)
    assert html.status_code == 200 and "Simulation und Abdeckung" in html.get_data(as_text=True)
    assert client.get("/simulation/berichte/../../etc/passwd").status_code == 404


def test_someone_elses_walk_is_not_found(client: Any) -> None:
    sign_in(client, "qa", "qa-passwort-lang")
    created = client.post("/simulation/durchgaenge", data={"name": "Meins", "beginn": "2025-03-03"})
    walk_url = created.headers["Location"]
    client.post("/abmelden")
    people: Workplace = client.application.extensions["sro.workplace"]
    people.add_staff("qa2", "Quentin Zweit", "qa", "qa2-passwort-lang")
    sign_in(client, "qa2", "qa2-passwort-lang")
    assert client.get(walk_url).status_code == 404
    assert client.post(f"{walk_url}/zurueck/0").status_code == 404
    assert "Meins" not in client.get("/simulation").get_data(as_text=True)


def test_without_bpmn_js_the_page_shows_the_results_and_says_how_to_install_it(
        client: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr("web.simulation.VENDOR", tmp_path / "fehlt")
    sign_in(client, "qa", "qa-passwort-lang")
    page = client.post("/simulation/ausfuehren").get_data(as_text=True)
    assert "Szenarien bestanden" in page and "/simulation/berichte/" not in page
    assert "Für den Bericht fehlt bpmn-js" in page and "npm ci in web/" in page


def test_a_walk_on_a_strange_day_or_with_a_huge_wait_gets_a_german_answer(client: Any) -> None:
    """Issue 12: a walk begun on 0001-01-01 answered 500 on every later view; a wait of 5,000 digits too."""
    sign_in(client, "qa", "qa-passwort-lang")
    refused = client.post("/simulation/durchgaenge", data={"name": "Altertum", "beginn": "0001-01-01"})
    assert refused.status_code == 422
    assert "Ein Durchgang beginnt frühestens am 01.01.2000" in refused.get_data(as_text=True)
    created = client.post("/simulation/durchgaenge", data={"name": "Warten", "beginn": "2025-03-03"})
    walk_url = created.headers["Location"]
    huge = client.post(f"{walk_url}/schritt", data={"aktion": "warte", "dauer": "P" + "9" * 5000 + "D"},
                       follow_redirects=True)
    assert huge.status_code == 200
    assert "zu groß" in huge.get_data(as_text=True)
    assert client.get(walk_url).status_code == 200
