"""What a completed form sends to the database (issue 12: each statement is a round trip of every completion).

The case's open session tasks move to its next appointment's day, and only when one is open: the statement that moves
them is not sent when none is. The case columns follow the step in the save's own statement on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

from engine.domain.agenda import PLANNED
from engine.queries import agenda as queries
from tests.integration.conftest import Office, counted_command


def _complete_counted(office: Office, case_id: int) -> list[str]:
    """The first session of the case (a plan agreed, the next appointment in person) and the statements it sent."""
    return counted_command(office.services, lambda work: office.first_session(case_id, uow=work))[1]


def test_no_statement_moves_session_tasks_when_the_step_leaves_none_open(office_on_both: Office) -> None:
    office = office_on_both
    case_id = office.cases.intake(office.member("anna"), "901A000011", first_session=office.at(date(2025, 3, 5), 9))
    office.clock.set(datetime(2025, 3, 5, 8, 50, tzinfo=UTC))
    statements = _complete_counted(office, case_id)
    assert [task.element_id for task in office.services.open_tasks(case_id)] == ["Task_Kooperationsplan"]
    assert not [statement for statement in statements if "SET follow_up_at" in statement]
    assert any("INSERT INTO appointments" in statement for statement in statements)  # the next one is booked


def test_an_open_session_task_still_follows_the_appointment_booked_with_the_step(office_on_both: Office) -> None:
    """The review ends the cycle and agrees the next session in person: the next cycle's session task comes back
    on the day of the appointment booked with it."""
    office = office_on_both
    anna = office.member("anna")
    case_id = office.cases.intake(anna, "901A000012", first_session=office.at(date(2025, 3, 5), 9))
    office.clock.set(datetime(2025, 3, 5, 8, 50, tzinfo=UTC))
    office.first_session(case_id, naechsterKontakt="wiedervorlage", naechsterKontaktAm="2025-03-19")
    review = office.plan_to_review(case_id)
    _, statements = counted_command(office.services, lambda work: office.services.complete_task(review.id, {
        "ueberpruefung": "Ziel teilweise erreicht", "gespraechsart": "telefon",
        "naechsterKontakt": "folgetermin_praesenz", "naechsterKontaktAm": "2025-04-14"}, actor="anna", uow=work))
    [task] = office.services.open_tasks(case_id)
    assert (task.element_id, office.services.case(case_id).cycle_count) == ("Task_Beratungsgespraech", 2)
    [booked] = [row for row in queries.case_agenda(office.services, case_id).appointments if row.status == PLANNED]
    assert booked.starts_at.date() == date(2025, 4, 14)
    assert task.follow_up_at == office.at(date(2025, 4, 14), 0)  # Berlin midnight of the booked day
    assert [statement for statement in statements if "SET follow_up_at" in statement]


def test_the_case_columns_are_written_by_the_saves_statement_on_postgresql(office_on_both: Office) -> None:
    office = office_on_both
    case_id = office.cases.intake(office.member("anna"), "901A000013", first_session=office.at(date(2025, 3, 5), 9))
    office.clock.set(datetime(2025, 3, 5, 8, 50, tzinfo=UTC))
    statements = _complete_counted(office, case_id)
    writing_cases = [statement for statement in statements if "UPDATE cases" in statement]
    if office.services.engine.database.engine.dialect.name == "sqlite":
        assert len(writing_cases) == 1 and writing_cases[0].lstrip().startswith("UPDATE cases")
    else:
        [save] = writing_cases
        assert save.lstrip().startswith("WITH saved AS") and "UPDATE process_instances" in save
    case = office.services.case(case_id)
    assert (case.next_contact_on, case.next_contact_kind) == (date(2025, 3, 19), "folgetermin_praesenz")
    assert None not in (case.priority_group, case.contact_interval_days, case.contact_due_on)
