"""Who may see and change what in the workplace, through Flask's test client with CSRF protection on."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from engine.bootstrap import bootstrap
from engine.runtime.clock import SimulatedClock
from engine.runtime.store import Event
from engine.services import Services
from engine.workplace.commands import Workplace
from tests.conftest import SRO_PROCESSES, START, make_sqlite
from tests.cycle import today
from web import create_app

PASSWORD = "Sicher-und-lang-2025"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
STAFF = (  # username, display name, role, team
    ("ifk-nord", "Nora Nordmann", "ifk", "nord"),
    ("ifk-nord2", "Nils Norder", "ifk", "nord"),
    ("ifk-sued", "Sven Südmann", "ifk", "sued"),
    ("qa-1", "Quirin Prüfer", "qa", None),
    ("pv-1", "Paula Prozess", "prozessverantwortung", None),
)
NORD, SUED = "K-NORD-0001", "K-SUED-0001"
CSRF_REFUSED = "Das Formular ist abgelaufen oder unvollständig."


@dataclass
class World:
    services: Services
    app: Flask
    nord_case: int
    sued_case: int

    def task(self, case_id: int) -> str:
        tasks = self.services.open_tasks(case_id)
        assert len(tasks) == 1, [task.element_id for task in tasks]
        return tasks[0].id

    def assignee(self, case_id: int) -> str | None:
        return self.services.open_tasks(case_id)[0].assignee

    def events(self, kind: str, case_id: int | None = None) -> list[tuple[str, int | None]]:
        with self.services.engine.database.session() as session:
            query = select(Event.actor, Event.case_id).where(Event.kind == kind).order_by(Event.id)
            if case_id is not None:
                query = query.where(Event.case_id == case_id)
            return [(row.actor, row.case_id) for row in session.execute(query)]

    def client(self, username: str | None = None) -> FlaskClient:
        client = self.app.test_client()
        if username is not None:
            answer = client.post("/anmelden", data={"benutzer": username, "passwort": PASSWORD,
                                                    "csrf_token": token(client.get("/anmelden"))})
            assert answer.status_code == 302, answer.get_data(as_text=True)
        return client


def token(response: Any) -> str:
    found = TOKEN.search(response.get_data(as_text=True))
    assert found is not None, "kein CSRF-Token auf der Seite"
    return found.group(1)


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def sign_in_with_next(world: World, target: str) -> Any:
    client = world.app.test_client()
    form = {"benutzer": "ifk-nord", "passwort": PASSWORD, "csrf_token": token(client.get("/anmelden"))}
    return client.post("/anmelden", query_string={"next": target}, data=form)


def row_of(page: str, customer_number: str) -> str:
    """The inbox table row of one case."""
    rows: list[str] = [row for row in re.findall(r"<tr[^>]*>.*?</tr>", page, re.S) if customer_number in row]
    assert len(rows) == 1, rows
    return rows[0]


def session_form(services: Services, **changes: str) -> dict[str, str]:
    form = {"gespraechsart": "praesenz", "ausgangssituation": "Sucht Arbeit im Lager",
            "potenzialanalyse": "Staplerschein vorhanden", "ergebnis": "plan_vereinbart",
            "kooperationsbereit": "true", "ausnahme": "keine", "naechsterKontakt": "wiedervorlage",
            "naechsterKontaktAm": (today(services) + timedelta(days=14)).isoformat(),
            "notiz": ""}
    form.update(changes)
    return form


@dataclass
class Template:
    """A database with schema, the SRO processes, the staff and one case per team, copied for every test."""

    path: Path
    nord_case: int
    sued_case: int


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    path = tmp_path_factory.mktemp("access") / "template.sqlite3"
    services = make_sqlite(path, SimulatedClock(START), SRO_PROCESSES)
    workplace = Workplace(services)
    for username, name, role, team in STAFF:
        workplace.add_staff(username, name, role, PASSWORD, team=team)
    start = {"naechsterKontaktAm": today(services)}
    nord = services.start_case(NORD, "nord", counsellor="ifk-nord", data=start, actor="admin").case_id
    sued = services.start_case(SUED, "sued", counsellor="ifk-sued", data=start, actor="admin").case_id
    services.engine.database.dispose()  # the last connection closing folds the WAL into the file
    return Template(path, nord, sued)


@pytest.fixture
def world(template: Template, tmp_path: Path, clock: SimulatedClock,
          monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.setenv("SRO_SECRET_KEY", "access-" + "7" * 57)  # keeps var/secret_key out of the tree
    path = tmp_path / "sro.sqlite3"
    shutil.copyfile(template.path, path)
    wal = template.path.with_name(template.path.name + "-wal")
    if wal.exists():
        shutil.copyfile(wal, path.with_name(path.name + "-wal"))
    services = bootstrap(f"sqlite:///{path}", clock=clock, migrate=False)
    yield World(services, create_app(services, {"SESSION_COOKIE_SECURE": False}), template.nord_case,
                template.sued_case)
    services.engine.database.dispose()


# --------------------------------------------------------------------------- signed out


@pytest.mark.parametrize("page", ["inbox", "case", "task"])
def test_signed_out_is_sent_to_sign_in(world: World, page: str) -> None:
    path = {"inbox": "/eingang", "case": f"/faelle/{world.nord_case}",
            "task": f"/aufgaben/{world.task(world.nord_case)}"}[page]
    answer = world.client().get(path)
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    assert location.path == "/anmelden"
    assert parse_qs(location.query)["next"] == [path]
    assert NORD not in text(answer)
    assert world.events("fallakte_angesehen") == []


# --------------------------------------------------------------------------- teams and roles


def test_case_of_another_team_is_refused_and_logged(world: World) -> None:
    client = world.client("ifk-nord")
    answer = client.get(f"/faelle/{world.sued_case}")
    assert answer.status_code == 403
    assert "Kein Zugriff" in text(answer)
    assert "Dieser Fall gehört nicht zu Ihrem Team." in text(answer)
    assert SUED not in text(answer)
    assert world.events("zugriff_verweigert") == [("ifk-nord", world.sued_case)]
    assert world.events("fallakte_angesehen") == []

    task = world.task(world.sued_case)
    assert client.get(f"/aufgaben/{task}").status_code == 403
    refused = client.post(f"/aufgaben/{task}/uebernehmen", data={"csrf_token": token(client.get("/eingang"))})
    assert refused.status_code == 403
    assert world.assignee(world.sued_case) is None
    assert world.events("zugriff_verweigert") == [("ifk-nord", world.sued_case)] * 3


def test_viewing_an_own_case_file_is_logged_with_the_actor(world: World) -> None:
    client = world.client("ifk-nord")
    answer = client.get(f"/faelle/{world.nord_case}")
    assert answer.status_code == 200
    assert f"Fall {NORD}" in text(answer)
    assert world.events("fallakte_angesehen") == [("ifk-nord", world.nord_case)]
    client.get(f"/faelle/{world.nord_case}")
    assert world.events("fallakte_angesehen") == [("ifk-nord", world.nord_case)] * 2
    assert world.events("zugriff_verweigert") == []


@pytest.mark.parametrize("username", ["qa-1", "pv-1"])
def test_roles_without_social_data_see_no_case(world: World, username: str) -> None:
    client = world.client(username)
    start = client.get("/")
    assert start.status_code == 302
    assert start.headers["Location"] == "/prozesse"
    assert client.get("/prozesse").status_code == 200
    task = world.task(world.nord_case)
    for path in ("/eingang", f"/faelle/{world.nord_case}", f"/aufgaben/{task}"):
        answer = client.get(path)
        assert answer.status_code == 403, path
        assert "Dafür fehlt Ihnen die Berechtigung." in text(answer)
        assert NORD not in text(answer)
    claim = client.post(f"/aufgaben/{task}/uebernehmen", data={"csrf_token": token(client.get("/prozesse"))})
    assert claim.status_code == 403
    assert world.assignee(world.nord_case) is None
    assert world.events("fallakte_angesehen") == []


# --------------------------------------------------------------------------- CSRF


def test_sign_in_without_csrf_token_is_refused(world: World) -> None:
    client = world.app.test_client()
    answer = client.post("/anmelden", data={"benutzer": "ifk-nord", "passwort": PASSWORD})
    assert answer.status_code == 400
    assert CSRF_REFUSED in text(answer)
    assert world.events("anmeldung") == []
    assert client.get("/eingang").status_code == 302

    answer = client.post("/anmelden", data={"benutzer": "ifk-nord", "passwort": PASSWORD,
                                            "csrf_token": token(client.get("/anmelden"))})
    assert answer.status_code == 302
    assert world.events("anmeldung") == [("ifk-nord", None)]
    assert client.get("/eingang").status_code == 200


def test_task_form_without_csrf_token_is_refused(world: World) -> None:
    client = world.client("ifk-nord")
    task = world.task(world.nord_case)
    form = session_form(world.services)
    answer = client.post(f"/aufgaben/{task}", data=form)
    assert answer.status_code == 400
    assert CSRF_REFUSED in text(answer)
    assert world.task(world.nord_case) == task
    assert world.events("aufgabe_erledigt") == []
    draft = client.post(f"/aufgaben/{task}", data={**form, "aktion": "entwurf"})
    assert draft.status_code == 400
    workplace = Workplace(world.services)
    nord = workplace.member("ifk-nord")
    assert nord is not None
    assert workplace.draft(nord, task) is None

    accepted = client.post(f"/aufgaben/{task}", data={**form, "csrf_token": token(client.get(f"/aufgaben/{task}"))})
    assert accepted.status_code == 302
    assert accepted.headers["Location"] == f"/faelle/{world.nord_case}"
    assert [t.element_id for t in world.services.open_tasks(world.nord_case)] == ["Task_Kooperationsplan"]
    assert world.events("aufgabe_erledigt") == [("ifk-nord", world.nord_case)]


def test_claim_without_csrf_token_is_refused(world: World) -> None:
    client = world.client("ifk-nord")
    task = world.task(world.nord_case)
    answer = client.post(f"/aufgaben/{task}/uebernehmen")
    assert answer.status_code == 400
    assert world.assignee(world.nord_case) is None
    # A token of another person's session does not count either.
    foreign = token(world.client("ifk-nord2").get("/eingang"))
    assert client.post(f"/aufgaben/{task}/uebernehmen", data={"csrf_token": foreign}).status_code == 400
    assert world.assignee(world.nord_case) is None
    assert world.events("aufgabe_uebernommen") == []

    accepted = client.post(f"/aufgaben/{task}/uebernehmen", data={"csrf_token": token(client.get("/eingang"))})
    assert accepted.status_code == 302
    assert world.assignee(world.nord_case) == "ifk-nord"


# --------------------------------------------------------------------------- redirects, headers, cookies


@pytest.mark.parametrize("target", ["https://example.org/", "//example.org/", "///example.org/", "/\\example.org/",
                                    "/\t/example.org/", "javascript:alert(1)", "http:/example.org"])
def test_sign_in_never_redirects_off_the_site(world: World, target: str) -> None:
    answer = sign_in_with_next(world, target)
    assert answer.status_code == 302
    location = answer.headers["Location"]
    resolved = urlsplit(urljoin("http://localhost/anmelden", location.replace("\\", "/")))
    assert (resolved.scheme, resolved.netloc) == ("http", "localhost"), location
    assert "example.org" not in resolved.netloc


def test_sign_in_follows_a_local_next(world: World) -> None:
    target = f"/faelle/{world.nord_case}"
    answer = sign_in_with_next(world, target)
    assert answer.headers["Location"] == target


def test_security_headers(world: World) -> None:
    client = world.client("ifk-nord")
    for path in ("/anmelden", "/eingang", f"/faelle/{world.nord_case}", f"/faelle/{world.sued_case}", "/gibt-es-nicht"):
        headers = client.get(path).headers
        assert "default-src 'self'" in headers["Content-Security-Policy"], path
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], path
        assert headers["X-Frame-Options"] == "DENY", path
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["Cache-Control"] == "no-store", path


def test_session_cookie_is_secure_httponly_and_lax_by_default(world: World) -> None:
    app = create_app(world.services)  # the default configuration, as served
    answer = app.test_client().get("/anmelden")
    cookies = [value for value in answer.headers.getlist("Set-Cookie") if value.startswith("session=")]
    assert len(cookies) == 1, answer.headers.getlist("Set-Cookie")
    attributes = {part.strip().split("=")[0].lower(): part.strip() for part in cookies[0].split(";")[1:]}
    assert "secure" in attributes
    assert "httponly" in attributes
    assert attributes["samesite"] == "SameSite=Lax"
    assert app.config.get("WTF_CSRF_ENABLED", True) is True


# --------------------------------------------------------------------------- claiming


def test_claim_shows_in_the_inbox_and_locks_out_colleagues(world: World) -> None:
    nord, nord2 = world.client("ifk-nord"), world.client("ifk-nord2")
    task = world.task(world.nord_case)
    claimed = nord.post(f"/aufgaben/{task}/uebernehmen",
                        data={"csrf_token": token(nord.get("/eingang")), "zurueck": "/eingang?bereich=team"})
    assert claimed.status_code == 302
    assert claimed.headers["Location"] == "/eingang?bereich=team"
    assert world.assignee(world.nord_case) == "ifk-nord"
    row = row_of(text(nord.get("/eingang")), NORD)
    assert "ifk-nord" in row
    assert "freigeben" in row
    colleague_row = row_of(text(nord2.get("/eingang")), NORD)
    assert "ifk-nord" in colleague_row
    assert "übernehmen" not in colleague_row
    assert "freigeben" not in colleague_row

    csrf = token(nord2.get("/eingang"))
    again = nord2.post(f"/aufgaben/{task}/uebernehmen", data={"csrf_token": csrf})
    assert again.status_code in (403, 409)
    assert "übernommen" in text(again)
    assert world.assignee(world.nord_case) == "ifk-nord"
    assert nord2.post(f"/aufgaben/{task}/freigeben", data={"csrf_token": csrf}).status_code in (403, 409)
    assert world.assignee(world.nord_case) == "ifk-nord"
    assert nord2.get(f"/aufgaben/{task}").status_code == 403
    assert world.events("aufgabe_uebernommen") == [("ifk-nord", world.nord_case)]

    released = nord.post(f"/aufgaben/{task}/freigeben", data={"csrf_token": token(nord.get("/eingang"))})
    assert released.status_code == 302
    assert world.assignee(world.nord_case) is None
    assert world.events("aufgabe_freigegeben") == [("ifk-nord", world.nord_case)]
    assert "übernehmen" in row_of(text(nord2.get("/eingang")), NORD)
    assert nord2.post(f"/aufgaben/{task}/uebernehmen", data={"csrf_token": csrf}).status_code == 302
    assert world.assignee(world.nord_case) == "ifk-nord2"


def test_claiming_a_task_a_colleague_holds_is_a_conflict(world: World) -> None:
    nord, nord2 = world.client("ifk-nord"), world.client("ifk-nord2")
    task = world.task(world.nord_case)
    stale_token = token(nord2.get("/eingang"))  # ifk-nord2's inbox still offers »übernehmen«
    nord.post(f"/aufgaben/{task}/uebernehmen", data={"csrf_token": token(nord.get("/eingang"))})
    again = nord2.post(f"/aufgaben/{task}/uebernehmen", data={"csrf_token": stale_token})
    assert again.status_code == 409
    assert "Zwischenzeitlich geändert" in text(again)
    assert "inzwischen jemand anderes übernommen" in text(again)
