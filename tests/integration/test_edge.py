"""The hardened web edge (issue 12): sessions that end, sign-in limits, no name oracle, an audit log that cannot be
flooded, a request size limit, German error pages without internals, strict ids and page numbers, every user
command in the audit log. Each test is a finding of issue 12 tried again."""
# ruff: noqa: F811 - the fixtures `template` and `world` come from the access tests and are named as parameters

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.request import urlopen

import pytest
from werkzeug.serving import make_server

from engine.workplace.commands import Workplace
from tests.cycle import today
from tests.integration.test_access import (  # noqa: F401 - the fixtures of the access tests
    NORD,
    PASSWORD,
    World,
    session_form,
    template,
    text,
    token,
    world,
)
from web import create_app

ENGLISH = ("Werkzeug", "Traceback", "Internal Server Error", "Not Found", "Method Not Allowed", "Bad Request",
           "Request Entity Too Large", "Too Many Requests", "per minute", "Python", "sqlalchemy")


def german_page(answer: Any, status: int) -> str:
    page = text(answer)
    assert answer.status_code == status, page[:500]
    assert "<html" in page and 'lang="de"' in page
    for word in ENGLISH:
        assert word not in page, word
    return page


def sign_in(client: Any, username: str, password: str = PASSWORD) -> Any:
    return client.post("/anmelden", data={"benutzer": username, "passwort": password,
                                          "csrf_token": token(client.get("/anmelden"))})


def session_cookie(client: Any) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return str(cookie.value)


def from_address(world: World, address: str) -> Any:
    client = world.app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def with_cookie(world: World, value: str) -> Any:
    client = world.app.test_client()
    client.set_cookie("session", value)
    return client


# --------------------------------------------------------------------------- sessions end


def test_a_copied_cookie_opens_nothing_after_sign_out(world: World) -> None:
    client = world.client("ifk-nord")
    copied = session_cookie(client)
    assert with_cookie(world, copied).get("/eingang").status_code == 200
    out = client.post("/abmelden", data={"csrf_token": token(client.get("/eingang"))})
    assert out.status_code == 302
    assert with_cookie(world, copied).get("/eingang").status_code == 302  # to the sign-in page
    assert world.events("abmeldung") == [("ifk-nord", None)]
    assert world.client("ifk-nord").get("/eingang").status_code == 200  # signing in again works


@pytest.mark.parametrize("change", ["password", "role"])
def test_a_new_password_or_role_ends_the_sessions(world: World, change: str) -> None:
    client = world.client("ifk-nord")
    workplace = Workplace(world.services)
    if change == "password":
        workplace.change_password("ifk-nord", "Ein-neues-Passwort-2026", actor="admin")
        assert sign_in(world.app.test_client(), "ifk-nord").status_code == 401
    else:
        workplace.change_role("ifk-nord", "qa", actor="admin")
    answer = client.get("/eingang")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/anmelden")
    kind = {"password": "passwort_geaendert", "role": "rolle_geaendert"}[change]
    assert world.events(kind) == [("admin", None)]


def test_an_old_style_cookie_without_a_session_version_opens_nothing(world: World) -> None:
    from flask.sessions import SecureCookieSessionInterface

    serializer = SecureCookieSessionInterface().get_signing_serializer(world.app)
    assert serializer is not None
    forged = serializer.dumps({"_user_id": "ifk-nord", "_fresh": True})
    assert with_cookie(world, str(forged)).get("/eingang").status_code == 302


# --------------------------------------------------------------------------- sign-in limits


def test_wrong_passwords_lock_the_account_for_a_while_even_for_the_right_one(world: World) -> None:
    attacker = from_address(world, "10.0.0.66")
    for _ in range(5):
        assert sign_in(attacker, "ifk-nord", "falsch-falsch-falsch").status_code == 401
    locked = sign_in(attacker, "ifk-nord")
    page = german_page(locked, 429)
    assert "Zu viele fehlgeschlagene Anmeldungen" in page
    # from another address too: the limit is the account's
    assert sign_in(from_address(world, "10.0.0.7"), "ifk-nord").status_code == 429
    # a colleague is not locked out
    assert sign_in(world.app.test_client(), "ifk-nord2").status_code == 302


def test_one_address_trying_many_names_is_stopped_and_the_audit_log_stays_small(world: World) -> None:
    attacker = from_address(world, "10.0.0.99")
    answers = [sign_in(attacker, f"erfunden-{number}", "falsch-falsch-falsch").status_code for number in range(60)]
    assert answers[:10] == [401] * 10
    assert set(answers[10:]) == {429}
    failed = world.events("anmeldung_fehlgeschlagen")
    assert failed == [("unbekannt", None)] * 10  # recorded, but at most the limit's worth
    assert sign_in(from_address(world, "10.0.0.5"), "ifk-nord").status_code == 302


def test_an_unknown_name_costs_as_much_as_a_known_one(world: World) -> None:
    workplace = Workplace(world.services)

    def seconds(username: str) -> float:
        started = time.perf_counter()
        assert workplace.authenticate(username, "falsch-falsch-falsch") is None
        return time.perf_counter() - started

    seconds("niemand")  # the dummy hash is made on first use
    known = statistics.median(seconds("ifk-nord") for _ in range(3))
    unknown = statistics.median(seconds(f"niemand-{number}") for number in range(3))
    assert unknown > 0.5 * known, (unknown, known)


# --------------------------------------------------------------------------- size limit


def test_a_huge_draft_is_refused_in_german_and_nothing_is_stored(world: World) -> None:
    client = world.client("ifk-nord")
    task = world.task(world.nord_case)
    form = {**session_form(world.services), "notiz": "x" * (2 * 1024 * 1024), "aktion": "entwurf",
            "csrf_token": token(client.get(f"/aufgaben/{task}"))}
    page = german_page(client.post(f"/aufgaben/{task}", data=form), 413)
    assert "zu groß" in page
    member = Workplace(world.services).member("ifk-nord")
    assert member is not None
    assert Workplace(world.services).draft(member, task) is None


def test_a_huge_user_name_is_not_echoed(world: World) -> None:
    answer = world.app.test_client().post("/anmelden", data={"benutzer": "a" * (2 * 1024 * 1024), "passwort": "x"})
    assert len(german_page(answer, 413)) < 10_000


# --------------------------------------------------------------------------- error pages and strict parsing


@pytest.mark.parametrize(("path", "status"), [
    ("/faelle/12345678901234567890", 404),
    ("/faelle/%C2%B2", 404),
    ("/eingang/filter/99999999999999999999/loeschen", 404),
    ("/simulation/durchgaenge/99999999999999999999", 404),
    ("/aufgaben/x/uebernehmen", 405),
    ("/eingang?seite=99999999999999999999", 400),
    ("/eingang?seite=%C2%B2", 400),
    ("/eingang?seite=0", 400),
    ("/eingang?seite=1000000", 400),
    ("/gibt-es-nicht", 404),
])
def test_strange_ids_and_page_numbers_get_a_german_page(world: World, path: str, status: int) -> None:
    german_page(world.client("ifk-nord").get(path), status)


def test_a_wrong_method_gets_a_german_page(world: World) -> None:
    answer = world.client("ifk-nord").get("/abmelden")
    german_page(answer, 405)
    assert answer.headers["Allow"]


def test_an_unexpected_error_gets_a_german_page_without_internals(world: World) -> None:
    app = create_app(world.services, {"SESSION_COOKIE_SECURE": False})

    def broken() -> str:
        raise RuntimeError("geheimer Pfad /srv/sro/var und SELECT * FROM staff")

    app.add_url_rule("/kaputt", view_func=broken)
    page = german_page(app.test_client().get("/kaputt"), 500)
    assert "Interner Fehler" in page
    assert "/srv/sro" not in page and "SELECT" not in page and "RuntimeError" not in page


@pytest.fixture
def served(world: World) -> Iterator[str]:
    from web.commands import QuietHandler

    server = make_server("127.0.0.1", 0, world.app, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_the_server_header_names_no_software_versions(served: str) -> None:
    with urlopen(f"{served}/anmelden") as answer:
        server = answer.headers["Server"]
    assert server == "sro"


# --------------------------------------------------------------------------- plan steps


def test_more_plan_steps_than_the_form_holds_are_refused_not_dropped(world: World) -> None:
    client = world.client("ifk-nord")
    first = world.task(world.nord_case)
    done = client.post(f"/aufgaben/{first}", data={**session_form(world.services),
                                                   "csrf_token": token(client.get(f"/aufgaben/{first}"))})
    assert done.status_code == 302
    plan_task = world.task(world.nord_case)
    due = (today(world.services) + timedelta(days=30)).isoformat()
    form: dict[str, str] = {"csrf_token": token(client.get(f"/aufgaben/{plan_task}"))}
    for number in range(1, 23):
        form |= {f"schritt-{number}-beschreibung": f"Schritt {number}", f"schritt-{number}-verantwortlich": "kunde",
                 f"schritt-{number}-faellig": due}
    answer = client.post(f"/aufgaben/{plan_task}", data=form)
    assert answer.status_code == 422
    assert "Höchstens 20 Schritte je Kooperationsplan." in text(answer)
    assert world.task(world.nord_case) == plan_task  # nothing was saved


# --------------------------------------------------------------------------- audit log


def test_drafts_filters_and_task_form_views_are_in_the_audit_log(world: World) -> None:
    client = world.client("ifk-nord")
    task = world.task(world.nord_case)
    assert client.get(f"/aufgaben/{task}").status_code == 200
    assert world.events("aufgabe_angesehen") == [("ifk-nord", world.nord_case)]
    form = {**session_form(world.services), "aktion": "entwurf", "csrf_token": token(client.get("/eingang"))}
    assert client.post(f"/aufgaben/{task}", data=form).status_code == 302
    assert world.events("entwurf_gespeichert") == [("ifk-nord", world.nord_case)]
    csrf = token(client.get("/eingang"))
    assert client.post("/eingang/filter", data={"name": "Meine", "bereich": "mine",
                                                "csrf_token": csrf}).status_code == 302
    assert world.events("filter_gespeichert") == [("ifk-nord", None)]
    member = Workplace(world.services).member("ifk-nord")
    assert member is not None
    saved = Workplace(world.services).filters(member)[0]
    assert client.post(f"/eingang/filter/{saved.id}/loeschen", data={"csrf_token": csrf}).status_code == 302
    assert world.events("filter_geloescht") == [("ifk-nord", None)]


def test_a_refusal_on_a_colleagues_claimed_task_is_in_the_audit_log(world: World) -> None:
    nord, nord2 = world.client("ifk-nord"), world.client("ifk-nord2")
    task = world.task(world.nord_case)
    nord.post(f"/aufgaben/{task}/uebernehmen", data={"csrf_token": token(nord.get("/eingang"))})
    assert nord2.get(f"/aufgaben/{task}").status_code == 403
    assert world.events("zugriff_verweigert") == [("ifk-nord2", world.nord_case)]
    assert NORD  # the case of the nord team


# --------------------------------------------------------------------------- health


def test_the_health_endpoint_says_ok_without_sign_in(world: World) -> None:
    answer = world.app.test_client().get("/gesundheit")
    assert answer.status_code == 200
    assert answer.get_json()["status"] == "ok"


def test_a_deadline_at_the_end_of_time_gets_a_german_message_without_internals(world: World) -> None:
    client = world.client("ifk-nord")
    task = world.task(world.nord_case)
    form = {**session_form(world.services, naechsterKontaktAm="9999-12-31"),
            "csrf_token": token(client.get(f"/aufgaben/{task}"))}
    answer = client.post(f"/aufgaben/{task}", data=form)
    page = text(answer)
    assert answer.status_code in (400, 422), page[:800]
    assert "Task_" not in page and "${" not in page and "Error" not in page, page
    assert world.task(world.nord_case) == task  # nothing was saved


def test_behind_a_proxy_the_limits_count_the_clients_address(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SRO_PROXY_HOPS", "1")
    app = create_app(world.services, {"SESSION_COOKIE_SECURE": False})
    attacker, colleague = app.test_client(), app.test_client()
    attacker.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.9"
    colleague.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.10"
    for number in range(10):
        assert sign_in(attacker, f"erfunden-{number}", "falsch-falsch-falsch").status_code == 401
    assert sign_in(attacker, "ifk-nord").status_code == 429
    assert sign_in(colleague, "ifk-nord").status_code == 302  # same proxy, another client
