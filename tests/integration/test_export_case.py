"""`sro export-case` (issue 12, Art. 15 GDPR): everything about one case as JSON, nothing of another case, the
export recorded in the audit log; an unknown case is a German sentence."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from engine.cli import main
from engine.runtime.clock import SimulatedClock
from engine.runtime.store import Event
from tests.conftest import make_sqlite
from tests.cycle import session_form, task_at, today


def test_everything_about_one_case_and_nothing_of_another(tmp_path: Path, clock: SimulatedClock) -> None:
    path = tmp_path / "sro.sqlite3"
    services = make_sqlite(path, clock)
    mine = services.start_case("K-00001", "team-nord", data={"naechsterKontaktAm": today(services)}, actor="ifk-1")
    other = services.start_case("K-00002", "team-nord", data={"naechsterKontaktAm": today(services)}, actor="ifk-1")
    services.complete_task(task_at(services, mine.case_id, "Task_Beratungsgespraech"), session_form(services),
                           actor="ifk-1")
    services.engine.database.dispose()
    out = tmp_path / "auskunft.json"
    result = CliRunner().invoke(main, ["export-case", str(mine.case_id), "--ausgabe", str(out), "--wer", "dsb"],
                                env={"DATABASE_URL": f"sqlite:///{path}"})
    assert result.exit_code == 0, result.output
    export = json.loads(out.read_text(encoding="utf-8"))
    assert export["fall"]["customer_number"] == "K-00001"
    assert {row["case_id"] for row in export["events"]} == {mine.case_id}
    assert "aufgabe_erledigt" in {row["kind"] for row in export["events"]}
    assert export["process_instances"] and all("state" not in row for row in export["process_instances"])
    assert export["waits"]  # the deadline it waits for
    assert "K-00002" not in out.read_text(encoding="utf-8") and other.case_id != mine.case_id
    with services.engine.database.session() as session:
        logged = session.execute(select(Event.actor, Event.case_id).where(Event.kind == "auskunft_erteilt")).all()
    assert [tuple(row) for row in logged] == [("dsb", mine.case_id)]
    services.engine.database.dispose()

    missing = CliRunner().invoke(main, ["export-case", "999", "--wer", "dsb"], env={"DATABASE_URL": f"sqlite:///{path}"})
    assert missing.exit_code == 1 and "Den Fall 999 gibt es nicht." in missing.output
