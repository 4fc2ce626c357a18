"""The inbox page stays small and cheap however much comes due today: »Heute« is paged (50 rows a list, the counts
visible), rows carry links and buttons but no form of their own, and the statements per request do not grow with
the rows (issue 12: a demo IFK's inbox was 136 KB with 237 forms)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event

from engine.queries import agenda as queries
from tests.integration.conftest import PASSWORD, Office
from web import create_app

TODAY = date(2025, 3, 3)  # the office's Monday
FOLLOW_UPS = 300
CASES = 60
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def signed_in(office: Office, username: str) -> FlaskClient:
    app = create_app(office.services, {"SESSION_COOKIE_SECURE": False})
    client = app.test_client()
    token = TOKEN.search(client.get("/anmelden").get_data(as_text=True))
    assert token is not None
    client.post("/anmelden", data={"benutzer": username, "passwort": PASSWORD, "csrf_token": token.group(1)})
    return client


def busy_day(office: Office) -> list[int]:
    """60 new cases of anna and bert (60 open tasks, 14 appointments today) and 300 Wiedervorlagen due today."""
    case_ids = []
    for number in range(CASES):
        owner = ("anna", "bert")[number % 2]
        slot = number // 2
        day = TODAY if slot < 7 else TODAY + timedelta(days=1 + (slot - 7) // 7)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        case_ids.append(office.cases.intake(office.member(owner), f"901A{100000 + number}",
                                            first_session=office.at(day, 9 + slot % 7)))
    for number in range(FOLLOW_UPS):
        owner = ("anna", "bert")[number % 2]
        office.agenda.add_follow_up(office.member(owner), case_ids[number % CASES], due_on=TODAY,
                                    reason=f"Nachweis Nummer {number:03d} nachfragen")
    return case_ids


def heute(page: str) -> str:
    return page.split('<section class="heute"', 1)[1].split("</section>", 1)[0]


@pytest.fixture
def day(office: Office) -> Office:
    busy_day(office)
    return office


def test_a_day_with_300_wiedervorlagen_due_gives_a_small_page_without_a_form_per_row(day: Office) -> None:
    client = signed_in(day, "anna")
    statements: list[str] = []
    engine = day.services.engine.database.engine

    def count(_connection: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        answer = client.get("/eingang")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert len(page.encode()) < 45_000, len(page.encode())
    # The filter, saving a filter, the one form the row buttons submit, searching, signing out.
    assert page.count("<form") <= 5, page.count("<form")
    assert page.count('name="csrf_token"') <= 3
    today_part = heute(page)
    assert today_part.count("Nachweis Nummer") == 50
    assert "300 fällige Wiedervorlagen" in today_part
    assert "14 Termine heute" in today_part
    # The person, the task page, the saved filters, one statement per »Heute« list (rows and count together).
    queries_ = [statement for statement in statements if statement.lstrip().upper().startswith("SELECT")]
    assert len(queries_) <= 6, queries_


def test_the_wiedervorlagen_of_today_are_paged_and_each_shows_once(day: Office) -> None:
    client = signed_in(day, "anna")
    seen: list[str] = []
    for number in range(1, 7):
        part = heute(client.get(f"/eingang?wv_seite={number}").get_data(as_text=True))
        seen += re.findall(r"Nachweis Nummer (\d{3})", part)
        assert ("wv_seite=" + str(number + 1)) in part if number < 6 else f"wv_seite={number + 1}" not in part
    assert sorted(seen) == [f"{number:03d}" for number in range(FOLLOW_UPS)]
    assert "Keine weiteren fälligen Wiedervorlagen" in client.get("/eingang?wv_seite=7").get_data(as_text=True)
    assert client.get("/eingang?wv_seite=%C2%B2").status_code == 400


def test_erledigt_and_uebernehmen_still_work_from_the_one_form(day: Office) -> None:
    client = signed_in(day, "anna")
    page = client.get("/eingang?wv_seite=2").get_data(as_text=True)
    [form] = re.findall(r'<form id="zeilen"[^>]*>.*?</form>', page, re.S)
    token = TOKEN.search(form)
    back = re.search(r'name="zurueck" value="([^"]+)"', form)
    assert token is not None and back is not None
    done = re.search(r'formaction="(/wiedervorlagen/(\d+)/erledigt)"', heute(page))
    assert done is not None
    answer = client.post(done.group(1), data={"csrf_token": token.group(1),
                                              "zurueck": back.group(1).replace("&amp;", "&")})
    assert answer.status_code == 302 and answer.headers["Location"] == "/eingang?wv_seite=2"
    assert "299 fällige Wiedervorlagen" in client.get("/eingang").get_data(as_text=True)
    assert int(done.group(2)) not in [row.id for row in queries.today(
        day.services, day.member("anna"), mine_only=False).follow_ups]

    claim = re.search(r'formaction="(/aufgaben/([^/"]+)/uebernehmen)"', page)
    assert claim is not None
    answer = client.post(claim.group(1), data={"csrf_token": token.group(1), "zurueck": "/eingang"})
    assert answer.status_code == 302
    assert 'formaction="' + claim.group(1).replace("uebernehmen", "freigeben") + '"' in client.get(
        "/eingang").get_data(as_text=True)
