"""The process overview for process owners: deployments and versions, after signing in."""

from __future__ import annotations

from engine.services import Services
from engine.workplace.commands import Workplace
from tests.cycle import today
from web import create_app


def test_process_overview_lists_versions_for_process_owners(sqlite_services: Services) -> None:
    sqlite_services.start_case("K-WEB-1", "team-nord", data={"naechsterKontaktAm": today(sqlite_services)},
                               actor="ifk")
    Workplace(sqlite_services).add_staff("pv", "Paula Prozess", "prozessverantwortung", "ein-langes-passwort")
    app = create_app(sqlite_services, {"SESSION_COOKIE_SECURE": False, "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    assert client.get("/prozesse").status_code == 302
    signed_in = client.post("/anmelden", data={"benutzer": "pv", "passwort": "ein-langes-passwort"})
    assert signed_in.headers["Location"] == "/"
    assert client.get("/").headers["Location"] == "/prozesse"  # no inbox for roles without case data
    page = client.get("/prozesse")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Beratungszyklus (SRO)" in text
    assert "Fälle im Bestand: 1" in text
    assert "K-WEB-1" not in text  # no social data on this page
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
