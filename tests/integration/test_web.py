"""The minimal web page until the workplace issue: deployments and cases, security headers."""

from __future__ import annotations

from engine.services import Services
from tests.cycle import today
from web import create_app


def test_overview_lists_deployments_and_cases(sqlite_services: Services) -> None:
    sqlite_services.start_case("K-WEB-1", "team-nord", data={"naechsterKontaktAm": today(sqlite_services)},
                               actor="ifk")
    client = create_app(sqlite_services).test_client()
    response = client.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Beratungszyklus (SRO)" in page
    assert "K-WEB-1" in page
    assert "Fälle (1)" in page
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
