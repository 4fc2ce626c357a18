"""Weekly figures (Wochenzahlen): built through the real service functions on a simulated clock.

Team "nord": Anna Adler (1.0 VZÄ) and Bernd Berg (0.5 VZÄ); team "sued": Carla Conrad. The clock
starts four weeks before the week shown (Monday 3 March 2025) and moves forward only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from engine.bootstrap import bootstrap
from engine.queries import TeamWeek, weekly_figures
from engine.runtime.clock import BERLIN, SimulatedClock, week_bounds, week_start_of
from engine.runtime.formatting import number_text, percent_text
from engine.runtime.store import Database
from engine.services import Services
from engine.workplace.commands import Workplace
from tests.conftest import SRO_PROCESSES
from tests.process_assert import assert_that
from web import create_app
from web.weekly_figures import chosen_day

PASSWORD = "geheim-genug-123"
THIS_WEEK = date(2025, 3, 3)  # a Monday (CET, UTC+1)
LAST_WEEK = date(2025, 2, 24)
START = datetime(2025, 2, 3, 8, 0, tzinfo=UTC)  # Monday four weeks earlier
NOW = datetime(2025, 3, 5, 10, 0, tzinfo=UTC)  # Wednesday of THIS_WEEK
FAR = date(2025, 4, 30)  # a next contact well ahead


class World:
    """The services, the simulated clock and the cases driven to the state the figures are read in."""

    def __init__(self, services: Services) -> None:
        self.services = services
        clock = services.engine.clock
        assert isinstance(clock, SimulatedClock)
        self.clock = clock
        self.numbers = 0

    @property
    def today(self) -> date:
        return self.clock.now().astimezone(BERLIN).date()

    def complete(self, case_id: int, element_id: str, actor: str, **form: Any) -> None:
        self.services.complete_task(assert_that(self.services, case_id).task(element_id).id, form, actor=actor)

    def start(self, team: str, counsellor: str, first_on: date | None = FAR) -> int:
        """A new case of `counsellor`, the first appointment on `first_on` (None: not fixed yet)."""
        self.numbers += 1
        return self.services.start_case(f"K-WZ-{self.numbers:03d}", team, data={"naechsterKontaktAm": first_on},
                                        counsellor=counsellor, actor=counsellor).case_id

    def first_session(self, case_id: int, actor: str, next_on: date = FAR, **form: Any) -> None:
        """Erstgespräch (always in person): records one session for `actor` at the clock's now."""
        answers: dict[str, Any] = {
            "gespraechsart": "praesenz", "ergebnis": "plan_vereinbart", "kooperationsbereit": True,
            "integrationsnah": False, "erwerbsminderungPruefung": False, "ohneVeraenderungsperspektive": False,
            "ausnahme": "keine", "naechsterKontakt": "wiedervorlage", "naechsterKontaktAm": next_on.isoformat(),
            "notiz": "Gespräch geführt", "ausgangssituation": "Helferin im Einzelhandel",
            "potenzialanalyse": "Will wieder im Verkauf arbeiten",
        }
        answers.update(form)
        self.complete(case_id, "Task_Erstgespraech", actor, **answers)

    def plan_with_one_step(self, case_id: int, actor: str, due_in_days: int = 5) -> None:
        self.complete(case_id, "Task_Kooperationsplan", actor, planZiel="Arbeitsaufnahme im Verkauf",
                      planLaufzeit="P1M", eigenbemuehungen="Zwei Bewerbungen pro Woche", schritte=[
                          {"beschreibung": "Bewerbungen schreiben", "verantwortlich": "elb",
                           "faellig": (self.today + timedelta(days=due_in_days)).isoformat(), "wiedervorlage": None}])

    def review(self, case_id: int, actor: str, kind: str) -> None:
        """Kooperationsplan überprüfen, as a session (in person or by phone)."""
        self.complete(case_id, "Task_PlanUeberpruefen", actor, ueberpruefung="Plan fortgeschrieben",
                      gespraechsart=kind, naechsterKontakt=f"folgetermin_{kind}", naechsterKontaktAm=FAR.isoformat())

    def until(self, moment: datetime) -> None:
        self.clock.set(moment)
        self.services.fire_due_timers(limit=1000)


@pytest.fixture(params=["sqlite", "postgresql"])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    """The same figures on the embedded default and on the production database."""
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'sro.sqlite3'}")
    else:
        database = request.getfixturevalue("postgres_schema").database()
    services = bootstrap(database=database, clock=SimulatedClock(START))
    services.deploy([SRO_PROCESSES])
    built = World(services)
    build(built)
    yield built
    services.engine.database.dispose()


def build(world: World) -> None:
    workplace = Workplace(world.services)
    workplace.add_staff("bernd", "Bernd Berg", "ifk", PASSWORD, team="nord", fte=0.5)
    workplace.add_staff("anna", "Anna Adler", "ifk", PASSWORD, team="nord", fte=1.0)
    workplace.add_staff("carla", "Carla Conrad", "ifk", PASSWORD, team="sued", fte=1.0)
    workplace.add_staff("tl-nord", "Tanja Leiter", "teamleitung", PASSWORD, team="nord")
    workplace.add_staff("qs", "Quirin Sorge", "qa", PASSWORD)

    # Four weeks before: first sessions (counted in neither week), plans with one step due in five days.
    a_review_late = world.start("nord", "anna")  # its plan review stays open: overdue
    a_review_phone = world.start("nord", "anna")  # reviewed by phone this week
    b_review_phone = world.start("nord", "bernd")  # reviewed by phone last week
    for case_id, actor in ((a_review_late, "anna"), (a_review_phone, "anna"), (b_review_phone, "bernd")):
        world.first_session(case_id, actor)
        world.plan_with_one_step(case_id, actor)
    a_past_contact = world.start("nord", "anna")  # next contact agreed for a day now past
    world.first_session(a_past_contact, "anna", next_on=date(2025, 2, 20))
    a_demand = world.start("nord", "anna")  # not willing to cooperate: a demand with legal consequences, open
    world.first_session(a_demand, "anna", ergebnis="beratungsunwillig", kooperationsbereit=False)
    world.complete(a_demand, "Task_SchritteFestlegen", "anna", planDochVereinbart=False, schritte=[
        {"beschreibung": "Bewerbung bei Firma X", "verantwortlich": "elb",
         "faellig": (world.today + timedelta(days=14)).isoformat()}])
    world.complete(a_demand, "Task_SchlichtungAnbieten", "anna", schlichtungGewuenscht=False)  # Bürgergeld
    world.complete(a_demand, "Task_AfErstellen", "anna", rechtsgrundlage="par15abs6",
                   aufforderungSchritt="Bewerbung bei Firma X", nachweisArt="Kopie der Bewerbung",
                   aufforderungFrist=(world.today + timedelta(days=60)).isoformat())
    world.start("nord", "bernd", first_on=None)  # first appointment not fixed yet: no next contact at all

    world.until(START + timedelta(days=5))  # the steps fall due
    for case_id, actor in ((a_review_late, "anna"), (a_review_phone, "anna"), (b_review_phone, "bernd")):
        world.complete(case_id, "Task_SchrittPruefen", actor, schrittNr=1, schrittErledigt=True)
    # Task_PlanUeberpruefen is now open for each, due in 14 days (22 February).

    # Last week: Bernd reviews by phone; Anna holds a first session late on Sunday (23:30 in Berlin).
    world.until(datetime(2025, 2, 24, 9, 0, tzinfo=UTC))
    world.review(b_review_phone, "bernd", "telefon")
    world.until(datetime(2025, 3, 2, 22, 30, tzinfo=UTC))  # Sunday 2 March, 23:30 CET
    world.first_session(world.start("nord", "anna"), "anna")

    # This week: Monday 00:30 in Berlin (still Sunday in UTC), then Monday morning.
    world.until(datetime(2025, 3, 2, 23, 30, tzinfo=UTC))
    world.first_session(world.start("nord", "anna"), "anna")
    world.until(datetime(2025, 3, 3, 9, 0, tzinfo=UTC))
    world.review(a_review_phone, "anna", "telefon")
    world.first_session(world.start("nord", "anna"), "anna")
    world.first_session(world.start("nord", "bernd"), "bernd")
    world.first_session(world.start("sued", "carla"), "carla")  # another team: never in nord's figures
    world.first_session(world.start("sued", "carla"), "carla")
    world.until(NOW)


def figures(world: World, team: str = "nord", week: date = THIS_WEEK) -> TeamWeek:
    return weekly_figures(world.services, team, week)


# ---------------------------------------------------------------- the read model


def test_week_start_is_the_monday() -> None:
    assert week_start_of(date(2025, 3, 3)) == date(2025, 3, 3)
    assert week_start_of(date(2025, 3, 9)) == date(2025, 3, 3)
    assert week_start_of(date(2025, 3, 10)) == date(2025, 3, 10)
    assert week_start_of(date(2025, 1, 1)) == date(2024, 12, 30)


def test_week_bounds_are_berlin_midnights_across_a_clock_change() -> None:
    start, end = week_bounds(date(2025, 3, 26))  # the week with the change to summer time
    assert start == datetime(2025, 3, 23, 23, 0, tzinfo=UTC)
    assert end == datetime(2025, 3, 30, 22, 0, tzinfo=UTC)


def test_weekly_figures_per_ifk_and_team(world: World) -> None:
    week = figures(world)
    assert week.team == "nord" and week.week_start == THIS_WEEK and week.week_end == date(2025, 3, 9)
    assert [row.display_name for row in week.rows] == ["Anna Adler", "Bernd Berg"]
    anna, bernd = week.rows
    # Anna: Monday 00:30 in person, Monday review by phone, Monday first session in person.
    assert (anna.sessions, anna.in_person, anna.target) == (3, 2, 20.0)
    assert anna.share_in_person == pytest.approx(2 / 3)
    assert not anna.target_reached
    assert anna.without_next_contact == 1  # next contact was 20 February
    assert anna.overdue_reviews == 1  # review due 22 February, still open
    assert anna.open_demands == 1
    assert (bernd.sessions, bernd.in_person, bernd.target, bernd.fte) == (1, 1, 10.0, 0.5)
    assert bernd.share_in_person == 1.0
    assert bernd.without_next_contact == 1  # a case that never had a session
    assert (bernd.overdue_reviews, bernd.open_demands) == (0, 0)
    total = week.total
    assert (total.sessions, total.in_person, total.target) == (4, 3, 30.0)
    assert total.share_in_person == pytest.approx(0.75)
    assert (total.without_next_contact, total.overdue_reviews, total.open_demands) == (2, 1, 1)


def test_last_week_and_an_empty_week(world: World) -> None:
    last = figures(world, week=date(2025, 2, 27))  # any day of the week
    assert last.week_start == LAST_WEEK
    anna, bernd = last.rows
    assert (anna.sessions, anna.in_person) == (1, 1)  # Sunday 23:30 in Berlin still belongs to last week
    assert (bernd.sessions, bernd.in_person, bernd.share_in_person) == (1, 0, 0.0)
    assert (last.total.sessions, last.total.share_in_person) == (2, 0.5)
    empty = figures(world, week=date(2025, 1, 13))
    assert empty.total.sessions == 0 and empty.total.share_in_person is None
    assert all(row.share_in_person is None for row in empty.rows)
    # the case-load figures are the state at `now`, whatever the week shown
    assert (empty.total.without_next_contact, empty.total.overdue_reviews) == (2, 1)


def test_another_teams_sessions_do_not_count(world: World) -> None:
    sued = figures(world, team="sued")
    assert [(row.username, row.sessions, row.target) for row in sued.rows] == [("carla", 2, 20.0)]
    assert sued.total.without_next_contact == 0
    assert figures(world).total.sessions == 4  # Carla's two sessions are not in nord's total
    assert figures(world, team="west").rows == []


def test_overdue_is_measured_against_now(world: World) -> None:
    before_due = weekly_figures(world.services, "nord", THIS_WEEK, datetime(2025, 2, 20, 12, 0, tzinfo=UTC))
    assert before_due.total.overdue_reviews == 0
    assert before_due.rows[0].without_next_contact == 0  # on 20 February the next contact is today


# ---------------------------------------------------------------- the page


@pytest.fixture
def client(world: World) -> FlaskClient:
    app = create_app(world.services, {"WTF_CSRF_ENABLED": False, "SESSION_COOKIE_SECURE": False,
                                      "REMEMBER_COOKIE_SECURE": False, "SECRET_KEY": "test", "TESTING": True})
    return app.test_client()


def sign_in(client: FlaskClient, username: str) -> None:
    response = client.post("/anmelden", data={"benutzer": username, "passwort": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)


def test_page_shows_the_team_table_and_two_charts(client: FlaskClient) -> None:
    sign_in(client, "bernd")
    response = client.get("/wochenzahlen")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Anna Adler" in page and "Bernd Berg" in page
    assert "Carla Conrad" not in page
    assert "03.03.2025" in page and "09.03.2025" in page and "KW 10/2025" in page
    assert page.count("<svg") == 2
    assert page.count('role="img"') == 2
    assert 'class="balken"' in page and 'class="ist"' in page and 'class="soll"' in page
    assert "Anna Adler 3 von 20; Bernd Berg 1 von 10" in page  # chart summary
    assert "67\u00a0%" in page and "100\u00a0%" in page and "75\u00a0%" in page
    assert '<tr class="eigene" aria-current="true">' in page  # Bernd's own row
    assert "Bernd Berg (Sie)" in page and "Anna Adler (Sie)" not in page
    assert "Team gesamt" in page
    assert "woche=2025-02-24" in page and "woche=2025-03-10" in page


def test_page_numbers_in_the_table(client: FlaskClient) -> None:
    sign_in(client, "anna")
    page = client.get("/wochenzahlen").get_data(as_text=True)
    for cells in (["Anna Adler (Sie)", "1", "3", "20", "2", "67\u00a0%", "1", "3", "1", "1"],
                  ["Bernd Berg", "0,5", "1", "10", "1", "100\u00a0%", "1", "0", "0", "0"],
                  ["Team gesamt", "1,5", "4", "30", "3", "75\u00a0%", "2", "3", "1", "1"]):
        assert table_row(page, cells[0]) == cells


def test_other_weeks_and_broken_week_arguments(client: FlaskClient) -> None:
    sign_in(client, "tl-nord")  # a team lead sees the same table
    last = client.get("/wochenzahlen?woche=2025-02-26").get_data(as_text=True)
    assert "24.02.2025" in last and "02.03.2025" in last
    assert table_row(last, "Bernd Berg")[2:6] == ["1", "10", "0", "0\u00a0%"]
    assert "Aktuelle Woche" in last
    for broken in ("kaputt", "2025-02-30", "0001-01-01", "9999-12-31", "2025-3-3", ""):
        response = client.get("/wochenzahlen", query_string={"woche": broken})
        assert response.status_code == 200, broken
        assert "03.03.2025" in response.get_data(as_text=True), broken


def test_staff_without_case_access_get_403(client: FlaskClient) -> None:
    sign_in(client, "qs")
    assert client.get("/wochenzahlen").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client: FlaskClient) -> None:
    response = client.get("/wochenzahlen")
    assert response.status_code == 302 and "/anmelden" in response.headers["Location"]


def test_german_formats_and_week_argument() -> None:
    assert [number_text(value) for value in (20.0, 10.0, 7.5, 0.75)] == ["20", "10", "7,5", "0,75"]
    assert [percent_text(value) for value in (2 / 3, 0.625, 0.0, None)] == ["67\u00a0%", "63\u00a0%", "0\u00a0%",
                                                                          "–"]
    today = date(2025, 3, 5)
    assert chosen_day("2025-02-26", today) == date(2025, 2, 26)
    assert [chosen_day(value, today) for value in (None, "", "kaputt", "2025-02-30", "26.02.2025", "0001-01-01")] \
        == [today] * 6


def table_row(page: str, first_cell: str) -> list[str]:
    """The cells of the table row whose header cell starts with `first_cell`, as text."""
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page, flags=re.S):
        cells = [re.sub(r"<span[^>]*>[^<]*</span>|<[^>]+>", "", cell).strip()
                 for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)]
        if cells and cells[0].startswith(first_cell):
            return cells
    raise AssertionError(f"no row for {first_cell}")
