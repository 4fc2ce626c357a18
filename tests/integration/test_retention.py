"""Deleting closed cases after the retention period (`sro loeschen`): a dry run by default, then the case and every
row that names it, one transaction per case, audited without personal data; never a running or a recent case."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, func, select, text

from engine.cli import main
from engine.models import metadata
from engine.runtime.clock import BERLIN, SimulatedClock
from engine.runtime.errors import ConflictError
from engine.runtime.store import Event
from engine.services import Services
from engine.workplace.agenda import Agenda
from engine.workplace.cases import Caseload
from engine.workplace.commands import Workplace
from engine.workplace.retention import closed_before, delete_closed_case
from engine.workplace.tables import TaskDraft
from tests.conftest import SRO_PROCESSES, make_sqlite

CUT_OFF = date(2025, 6, 1)


def rows_naming(services: Services, case_id: int) -> dict[str, int]:
    """Rows per table that name the case (the case row itself under »cases«)."""
    counts = {}
    with services.engine.database.session() as session:
        for name, table in metadata().tables.items():
            column = table.c.id if name == "cases" else table.c.get("case_id")
            if column is not None:
                counts[name] = session.scalar(select(func.count()).select_from(table).where(column == case_id)) or 0
    return {name: count for name, count in counts.items() if count}


class Office:
    """Anna's caseload: one case closed in February 2025 with an appointment, a Wiedervorlage, a contact and a
    draft of its open task when it was closed (the draft went with the task); one closed in July 2025 (after the
    cut-off); one that still runs."""

    def __init__(self, services: Services, clock: SimulatedClock) -> None:
        self.services, self.clock = services, clock
        self.workplace = Workplace(services)
        self.anna = self.workplace.add_staff("anna", "Anna", "ifk", "passwort-lang-1", team="nord")
        cases, agenda = Caseload(self.workplace), Agenda(self.workplace)
        first = datetime(2025, 1, 8, 9, 0, tzinfo=BERLIN)
        self.old = cases.intake(self.anna, "901A000001", first_session=first)
        self.recent = cases.intake(self.anna, "901A000002", first_session=first + timedelta(hours=1))
        self.running = cases.intake(self.anna, "901A000003", first_session=first + timedelta(hours=2))
        agenda.add_follow_up(self.anna, self.old, due_on=date(2025, 1, 20), reason="Nachweis Kita-Platz")
        agenda.record_contact(self.anna, self.old, kind="telefon", note="Rückruf vereinbart")
        [task] = services.open_tasks(self.old)
        self.workplace.save_draft(self.anna, task.id, {"notiz": "halb fertig"})
        self.draft_task = task.id
        clock.advance("P30D")
        cases.close(self.anna, self.old, "verzogen")
        with services.engine.database.session() as session:  # the task ended with the case, its draft with it
            assert session.get(TaskDraft, (task.id, "anna")) is None
        clock.set(datetime(2025, 7, 2, 8, 0, tzinfo=UTC))
        cases.close(self.anna, self.recent, "integriert")
        clock.set(datetime(2027, 7, 1, 8, 0, tzinfo=UTC))


@pytest.fixture
def office(services: Services) -> Office:
    return Office(services, services.engine.clock)  # type: ignore[arg-type]


@pytest.fixture(params=["sqlite", "postgresql"])
def services(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Services]:
    """The SRO model on SQLite and on PostgreSQL (a private schema)."""
    from engine.bootstrap import bootstrap

    clock = SimulatedClock(datetime(2025, 1, 6, 8, 0, tzinfo=UTC))
    if request.param == "sqlite":
        result = make_sqlite(tmp_path / "loeschen.sqlite3", clock, SRO_PROCESSES)
    else:
        schema = request.getfixturevalue("postgres_schema")
        result = bootstrap(database=schema.database(), clock=clock)
        result.deploy([SRO_PROCESSES])
    yield result
    result.engine.database.dispose()


def test_a_closed_case_past_the_cut_off_goes_with_every_row_that_names_it(office: Office) -> None:
    services = office.services
    before = {case: rows_naming(services, case) for case in (office.old, office.recent, office.running)}
    assert {"appointments", "follow_ups", "contacts", "events", "process_instances"} <= set(before[office.old])
    assert [row.case_id for row in closed_before(services, CUT_OFF)] == [office.old]

    counts = delete_closed_case(services, office.old, before=CUT_OFF, actor="datenschutz")

    assert rows_naming(services, office.old) == {}
    assert counts["cases"] == 1 and counts["events"] == before[office.old]["events"]
    assert "task_drafts" not in counts
    with services.engine.database.session() as session:
        assert session.get(TaskDraft, (office.draft_task, "anna")) is None
        [audit] = session.scalars(select(Event).where(Event.kind == "fall_geloescht")).all()
    assert (audit.actor, audit.case_id) == ("datenschutz", None)
    assert audit.data["fall"] == office.old and audit.data["zeilen"] == counts
    assert audit.data["abgeschlossen_vor"] == "2025-06-01"
    assert "901A" not in str(audit.data) and "Kita" not in str(audit.data)  # no personal data in the audit
    for case in (office.recent, office.running):
        assert rows_naming(services, case) == before[case]


def test_a_running_case_a_recent_one_and_a_reopened_one_are_never_deleted(office: Office) -> None:
    services = office.services
    for case in (office.running, office.recent):
        with pytest.raises(ConflictError):
            delete_closed_case(services, case, before=CUT_OFF, actor="datenschutz")
    Caseload(office.workplace).reopen(office.anna, office.old)
    kept = rows_naming(services, office.old)
    with pytest.raises(ConflictError, match=r"nicht vor dem 01\.06\.2025 abgeschlossen"):
        delete_closed_case(services, office.old, before=CUT_OFF, actor="datenschutz")
    assert rows_naming(services, office.old) == kept
    assert closed_before(services, CUT_OFF) == []


def test_the_event_log_stays_append_only_outside_a_deletion(office: Office) -> None:
    database = office.services.engine.database
    for statement in (delete(Event).where(Event.case_id == office.old), delete(Event).where(Event.case_id.is_(None)),
                      text("UPDATE events SET actor = 'x'")):
        with pytest.raises(Exception, match="unveränderlich"), database.engine.begin() as connection:
            connection.execute(statement)
    with database.engine.begin() as connection:  # a permit left behind by hand would still not allow an UPDATE
        connection.execute(text(f"INSERT INTO event_deletion_permits (case_id) VALUES ({office.old})"))
    with pytest.raises(Exception, match="unveränderlich"), database.engine.begin() as connection:
        connection.execute(text(f"UPDATE events SET actor = 'x' WHERE case_id = {office.old}"))


def test_sro_loeschen_is_a_dry_run_unless_told_and_speaks_german(office: Office,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    services = office.services
    monkeypatch.setattr("engine.cli.services", lambda: services)
    runner = CliRunner()
    help_text = runner.invoke(main, ["loeschen", "--help"], prog_name="sro").output
    assert "Aufbewahrungsfrist" in help_text and "Probelauf" in help_text

    dry = runner.invoke(main, ["loeschen", "--abgeschlossen-vor", "01.06.2025", "--wer", "datenschutz"],
                        prog_name="sro")
    assert dry.exit_code == 0, dry.output
    assert "Probelauf: 1 vor dem 01.06.2025" in dry.output and f"Fall {office.old}, abgeschlossen am" in dry.output
    assert f"Fall {office.recent}" not in dry.output and "901A" not in dry.output
    assert rows_naming(services, office.old)["cases"] == 1

    done = runner.invoke(main, ["loeschen", "--abgeschlossen-vor", "2025-06-01", "--wer", "datenschutz",
                                "--ausfuehren"], prog_name="sro")
    assert done.exit_code == 0, done.output
    assert f"Fall {office.old} gelöscht" in done.output and "1 Fall/Fälle gelöscht." in done.output
    assert rows_naming(services, office.old) == {}
    with services.engine.database.session() as session:
        kinds = list(session.scalars(select(Event.kind).where(Event.actor == "datenschutz").order_by(Event.id)))
    assert kinds == ["loeschung_geprueft", "fall_geloescht"]

    for wrong in ("31.02.2025", "morgen", "2099-01-01"):
        refused = runner.invoke(main, ["loeschen", "--abgeschlossen-vor", wrong, "--wer", "x"], prog_name="sro")
        assert refused.exit_code == 2 and refused.output.startswith("Fehler: "), refused.output
        assert "Usage" not in refused.output and "Error" not in refused.output
