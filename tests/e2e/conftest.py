"""The workplace served by a real HTTP server on loopback, and one headless Debian Chromium per session.

The server runs create_app() with the default security configuration (CSRF on, Secure session cookie:
Chromium accepts it on http://127.0.0.1). The engine's clock is a simulated clock standing at the real
current moment, so the browser's date inputs take real dates and "today" cannot change mid-run.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from engine.runtime.clock import BERLIN, SimulatedClock, SystemClock
from engine.runtime.store import Event, OpenTask
from engine.services import Services
from engine.workplace.commands import Workplace
from tests.browser.conftest import launch_chromium
from tests.conftest import make_sqlite
from web import VENDOR, create_app

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"  # gitignored; the set of the last green run is kept in docs/screenshots
PASSWORD = "Sicher-und-lang-2025"
STAFF = (  # username, display name, role, team
    ("ifk-nord", "Nora Nordmann", "ifk", "nord"),
    ("ifk-sued", "Sven Südmann", "ifk", "sued"),
)
NORD_CASE, SUED_CASE = "K-NORD-0001", "K-SUED-0001"


@dataclass
class Site:
    """The running server and the services behind it (tests look into the database through them)."""

    url: str
    services: Services
    cases: dict[str, int]  # customer number -> case id
    _numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def today(self) -> date:
        return self.services.engine.clock.now().astimezone(BERLIN).date()

    def in_days(self, days: int) -> date:
        return self.today + timedelta(days=days)

    def start_case(self, team: str = "nord", counsellor: str = "ifk-nord") -> tuple[str, int]:
        """A fresh case of its own for one test, waiting at Task_Erstgespraech: (customer number, case id)."""
        number = f"K-E2E-{next(self._numbers):04d}"
        outcome = self.services.start_case(number, team, counsellor=counsellor,
                                           data={"naechsterKontaktAm": self.today}, actor="admin")
        self.cases[number] = outcome.case_id
        return number, outcome.case_id

    def task(self, case_id: int, element_id: str) -> OpenTask:
        found = [task for task in self.services.open_tasks(case_id) if task.element_id == element_id]
        assert len(found) == 1, f"{element_id} nicht offen: {[t.element_id for t in self.services.open_tasks(case_id)]}"
        return found[0]

    def draft(self, username: str, task_id: str) -> dict[str, Any] | None:
        workplace = Workplace(self.services)
        member = workplace.member(username)
        assert member is not None
        return workplace.draft(member, task_id)

    def events(self, case_id: int, kind: str) -> list[Event]:
        with self.services.engine.database.session() as session:
            return list(session.scalars(select(Event).where(Event.case_id == case_id, Event.kind == kind)
                                        .order_by(Event.id)))


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    if not (VENDOR / "bpmn-js" / "dist").is_dir():
        pytest.fail("bpmn-js fehlt unter web/node_modules: `make run` installiert es (npm ci in web/).")
    database = tmp_path_factory.mktemp("e2e-db") / "sro.sqlite3"
    clock = SimulatedClock(SystemClock().now())  # the browser shows today's dates
    services = make_sqlite(database, clock, ROOT / "processes")
    workplace = Workplace(services)
    for username, name, role, team in STAFF:
        workplace.add_staff(username, name, role, PASSWORD, team=team)
    today = clock.today()
    cases = {}
    for number, team, counsellor in ((NORD_CASE, "nord", "ifk-nord"), (SUED_CASE, "sued", "ifk-sued")):
        cases[number] = services.start_case(number, team, counsellor=counsellor,
                                            data={"naechsterKontaktAm": today}, actor="admin").case_id
    with pytest.MonkeyPatch.context() as patch:
        # A key of its own, so the app does not create var/secret_key in the working tree.
        patch.setenv("SRO_SECRET_KEY", "e2e-" + "5" * 60)
        app = create_app(services)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="sro-e2e-http", daemon=True)
    thread.start()
    try:
        yield Site(f"http://127.0.0.1:{server.port}", services, cases)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        services.engine.database.dispose()


@pytest.fixture(scope="session")
def browser_context(tmp_path_factory: pytest.TempPathFactory, playwright_driver: Any) -> Iterator[Any]:
    context = launch_chromium(
        playwright_driver, tmp_path_factory.mktemp("chromium-e2e-profile"),
        locale="de-DE",
        timezone_id="Europe/Berlin",
        viewport={"width": 1280, "height": 900},
    )
    try:
        yield context
    finally:
        context.close()


class Workstation:
    """One counsellor at the browser: a page of its own, screenshots per step, uncaught page errors."""

    def __init__(self, page: Any, site: Site, test_name: str) -> None:
        self.page = page
        self.site = site
        self.test_name = test_name
        self.page_errors: list[str] = []
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("console", self._console)

    def _console(self, message: Any) -> None:
        if message.type == "error" and "Failed to load resource" not in message.text:
            self.page_errors.append(message.text)  # CSP violations and script errors end up here

    def url(self, path: str) -> str:
        return self.site.url + path

    def shot(self, step: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self.test_name}-{step}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def sign_in(self, username: str, password: str = PASSWORD) -> None:
        self.page.goto(self.url("/anmelden"))
        self.page.fill("#benutzer", username)
        self.page.fill("#passwort", password)
        self.page.get_by_role("button", name="Anmelden").click()
        self.page.wait_for_url(self.url("/eingang"))

    def diagram_problems(self) -> list[str]:
        """Waits until bpmn-js has drawn every diagram of the case file or given up; its messages if it did."""
        self.page.wait_for_function("() => document.querySelectorAll('.diagramm').length > 0 && "
                                    "[...document.querySelectorAll('.diagramm')].every((d) => d.dataset.status)")
        problems: list[str] = self.page.locator('.diagramm[data-status="fehler"]').all_inner_texts()
        return [problem[:200] for problem in problems]

    def wait_for_diagrams(self) -> None:
        """Until every diagram of the case file is drawn: `[data-status="geladen"]` on each container."""
        problems = self.diagram_problems()
        assert not problems, problems
        self.page.locator('.diagramm[data-status="geladen"]').first.wait_for()

    def markers(self, element_id: str) -> set[str]:
        """The CSS classes bpmn-js put on a diagram element's group (markers such as wartet, durchlaufen)."""
        element = self.page.locator(f'g.djs-element[data-element-id="{element_id}"]')
        assert element.count() == 1, f"{element_id}: {element.count()} Elemente im Diagramm"
        return set((element.get_attribute("class") or "").split())


@pytest.fixture
def workstation(site: Site, browser_context: Any, request: pytest.FixtureRequest) -> Iterator[Workstation]:
    """A fresh page with no session: cookies of the previous test are gone."""
    browser_context.clear_cookies()
    page = browser_context.new_page()
    page.set_default_timeout(10_000)
    station = Workstation(page, site, request.node.name)
    try:
        yield station
    finally:
        page.close()
    assert not station.page_errors, "Fehler im Browser: " + "; ".join(station.page_errors)
