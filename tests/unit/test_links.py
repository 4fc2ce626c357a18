"""`link` builds exactly the URL `url_for` builds, and falls back to `url_for` for anything it does not handle."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, url_for

from web.links import link


@pytest.fixture
def app() -> Flask:
    app = Flask(__name__)

    @app.get("/faelle/<int:case_id>")
    def case(case_id: int) -> str:
        return ""

    @app.get("/aufgaben/<task_id>")
    def task(task_id: str) -> str:
        return ""

    @app.post("/wiedervorlagen/<int:follow_up_id>/erledigt")
    def done(follow_up_id: int) -> str:
        return ""

    @app.get("/suche")
    def search() -> str:
        return ""

    return app


@pytest.mark.parametrize(("endpoint", "values"), [
    ("case", {"case_id": 1}), ("case", {"case_id": 918273645}), ("case", {"case_id": 40_000_123}),
    ("task", {"task_id": "0b8e5a3c-1f2d-4c5e-9a7b-6d5c4b3a2f10"}), ("task", {"task_id": "ein Name/mit Zeichen"}),
    ("task", {"task_id": "ä"}), ("done", {"follow_up_id": 7}), ("search", {"q": "x y"}),
    ("case", {"case_id": 3, "zurueck": "/eingang?seite=2"}),
])
def test_link_is_the_url_url_for_builds(app: Flask, endpoint: str, values: dict[str, Any]) -> None:
    with app.test_request_context("/", base_url="http://example.org/sro"):
        first = link(endpoint, **values)
        again = link(endpoint, **values)  # from the endpoint's kept URL
        assert first == again == url_for(endpoint, **values)
        assert first.startswith("/sro/")  # the application root comes along


def test_each_value_gets_its_own_url_and_the_stand_in_never_shows(app: Flask) -> None:
    with app.test_request_context("/"):
        urls = [link("case", case_id=number) for number in range(1, 200)]
        assert urls == [url_for("case", case_id=number) for number in range(1, 200)]
        assert not any("918273645" in url for url in urls)
