"""Letters produced where the process reaches them (issue 11): in the step's transaction, kept in the event log with
content hash, template hash and data, shown in the case file as to be sent; not produced twice."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from engine.letters import produced
from engine.letters.render import render
from engine.letters.stored import deployed
from engine.runtime.store import Event
from engine.workplace.commands import Workplace
from engine.workplace.letters import Letters
from tests.integration.conftest import Office, counted
from tests.integration.test_calendar_web import new_case, signed_in
from tests.integration.test_case_actions_web import demand_case


def records(office: Office, case_id: int) -> list[dict[str, Any]]:
    with office.services.reading() as session:
        return produced.of_case(session, case_id)


def test_the_invitation_is_produced_when_the_case_is_taken_in(office_on_both: Office) -> None:
    office = office_on_both
    case_id = new_case(office)
    [invitation] = records(office, case_id)
    assert invitation["art"] == "einladung" and len(invitation["sha256"]) == 64
    assert len(invitation["vorlageSha256"]) == 64 and invitation["daten"]["termin"]["zweck"]
    with office.services.reading() as session:  # reproducible from what the event log keeps
        again = render("einladung", invitation["daten"], deployed(session))
    assert again.sha256 == invitation["sha256"]


def test_the_demand_with_its_rfb_is_produced_by_the_step_that_makes_it_and_only_once(office_on_both: Office) -> None:
    office = office_on_both
    case_id = demand_case(office)
    kinds = [record["art"] for record in records(office, case_id)]
    assert kinds.count("aufforderung") == 1
    [demand] = [record for record in records(office, case_id) if record["art"] == "aufforderung"]
    assert demand["daten"]["schritt"] == "Bewerbung bei Firma X" and demand["daten"]["rfb"]
    shown = Letters(Workplace(office.services)).letter(office.member("anna"), case_id, "aufforderung", 1)
    assert shown.sha256 == demand["sha256"]  # the case file shows what was produced
    with office.services.reading() as session:  # the same command: the step's event and the letter's
        steps = session.execute(select(Event.kind, Event.at).where(Event.case_id == case_id)
                                .order_by(Event.id.desc()).limit(2)).all()
    assert [kind for kind, _ in steps] == [produced.PRODUCED, "aufgabe_erledigt"]
    page = signed_in(office, "anna").get(f"/faelle/{case_id}/schreiben").get_data(as_text=True)
    assert "Aufforderung 1: Bewerbung bei Firma X, Frist 20.03.2025 · erstellt am" in page
    assert "zu versenden" in page


def test_the_hook_reads_case_agenda_and_letters_made_with_one_statement(office_on_both: Office) -> None:
    """After each command: the case, its planned appointments and the letters made so far in one round trip; a
    second invitation to another appointment is produced, the first not again."""
    office = office_on_both
    case_id = new_case(office)
    [hook] = office.services.step_hooks  # as bound in engine.bootstrap, with what it keeps between commands
    _, statements = counted(office.services, lambda session: hook(session, case_id, {}, "anna"))
    assert len(statements) == 1  # the invitation of the first session was made when the case was taken in
    second = office.agenda.book(office.member("anna"), case_id, starts_at=office.at(date(2025, 3, 12), 10),
                                kind="praesenz", purpose="Folgegespräch", with_rfb=False)
    assert second
    invitations = [record for record in records(office, case_id) if record["art"] == "einladung"]
    assert len(invitations) == 2 and invitations[0]["titel"] != invitations[1]["titel"]
    with office.services.unit_of_work() as work:
        hook(work.session, case_id, {}, "anna")
        work.commit()
    assert len([record for record in records(office, case_id) if record["art"] == "einladung"]) == 2


def test_a_letter_that_cannot_be_made_rolls_the_step_back(office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.letters.render import LetterError

    def failing(kind: str, data: Any, templates: Any) -> Any:
        if kind == "aufforderung":
            raise LetterError("Die Vorlage aufforderung.html lässt sich nicht füllen.")
        return render(kind, data, templates)

    monkeypatch.setattr(produced, "render", failing)
    with pytest.raises(LetterError):
        demand_case(office)
    [case_id] = {record_case for record_case in cases_with_letters(office)}
    assert [record["art"] for record in records(office, case_id)] == ["einladung"]
    waiting = {task.element_id for task in office.services.open_tasks(case_id)}
    assert "Task_AfErstellen" in waiting  # the step that reached the demand did not happen


def cases_with_letters(office: Office) -> set[int]:
    with office.services.reading() as session:
        return {case_id for case_id in session.scalars(select(Event.case_id).where(Event.kind == produced.PRODUCED))
                if case_id is not None}


def open_task(office: Office, case_id: int, element_id: str) -> str:
    return {task.element_id: task.id for task in office.services.open_tasks(case_id)}[element_id]


def decided_reduction(office: Office) -> int:
    """The demand of `demand_case` (deadline Thu 20.03.2025) not followed: hearing without statement, the
    reduction decision posted on Friday 28.03.2025."""
    case_id = demand_case(office)
    services = office.services
    office.clock.set(datetime(2025, 3, 21, 8, tzinfo=UTC))
    services.fire_due_timers()
    services.complete_task(open_task(office, case_id, "Task_AnhoerungEinleiten"),
                           {"anhoerungFrist": "2025-03-27", "anhoerungPersoenlich": False}, actor="anna")
    services.deliver_message(case_id, "StellungnahmeEingegangen", {"text": "Keine Zeit gehabt"}, actor="anna")
    services.complete_task(open_task(office, case_id, "Task_GrundPruefen"),
                           {"wichtigerGrund": False, "haerte": False}, actor="anna")
    office.clock.set(datetime(2025, 3, 28, 8, tzinfo=UTC))
    services.complete_task(open_task(office, case_id, "Task_AfBescheid"),
                           {"bescheidAm": "2025-03-28", "bekanntgabe": "post"}, actor="anna")
    return case_id


def test_a_recorded_later_delivery_moves_the_reduction_and_is_audited(office: Office) -> None:
    # § 37 Abs. 2 SGB X: posted Fri 28.03.2025, deemed delivered Tue 01.04 -> reduction from 01.05 (§ 31b Abs. 1);
    # actually delivered on 02.05 (recorded in the case file) -> from 01.06
    case_id = decided_reduction(office)
    assert "minderungsbescheid" in [record["art"] for record in records(office, case_id)]
    [reduction] = office.services.current_data(case_id)["minderungen"]
    assert (reduction["zugangAm"], reduction["beginn"]) == (date(2025, 4, 1), date(2025, 5, 1))
    office.clock.set(datetime(2025, 5, 5, 8, tzinfo=UTC))
    client = signed_in(office, "anna")
    answer = client.post(f"/faelle/{case_id}/schreiben/minderungsbescheid/1/zugang", data={"zugangAm": "2025-05-02"},
                         follow_redirects=True)
    assert "Zugang am 02.05.2025 festgehalten; die Minderung beginnt am 01.06.2025." in answer.get_data(as_text=True)
    [reduction] = office.services.current_data(case_id)["minderungen"]
    assert (reduction["zugangAm"], reduction["beginn"], reduction["ende"]) == (
        date(2025, 5, 2), date(2025, 6, 1), date(2025, 6, 30))
    with office.services.reading() as session:
        [(actor, data)] = session.execute(select(Event.actor, Event.data).where(
            Event.case_id == case_id, Event.kind == "zugang_erfasst")).all()
    recorded = office.services.engine.serializer.restore_data(data)
    assert actor == "anna" and recorded["zugangAm"] == date(2025, 5, 2) and recorded["beginnVorher"] == date(2025, 5, 1)


@pytest.mark.parametrize(("day", "message"), [
    ("2025-03-27", "Der Zugang kann nicht vor der Aufgabe zur Post am 28.03.2025 liegen."),
    ("2025-05-06", "Der Zugang kann nicht in der Zukunft liegen (heute ist der 05.05.2025)."),
    ("02.05.", "Bitte ein Datum angeben (TT.MM.JJJJ)."),
])
def test_a_delivery_date_out_of_range_is_refused_in_german_and_changes_nothing(
        office: Office, day: str, message: str) -> None:
    case_id = decided_reduction(office)
    office.clock.set(datetime(2025, 5, 5, 8, tzinfo=UTC))
    answer = signed_in(office, "anna").post(f"/faelle/{case_id}/schreiben/minderungsbescheid/1/zugang",
                                            data={"zugangAm": day}, follow_redirects=True)
    assert message in answer.get_data(as_text=True)
    [reduction] = office.services.current_data(case_id)["minderungen"]
    assert reduction["beginn"] == date(2025, 5, 1)
    with office.services.reading() as session:
        assert session.scalars(select(Event.id).where(Event.kind == "zugang_erfasst")).all() == []


def test_an_appointment_booked_in_the_calendar_gets_its_invitation_and_a_moved_one_a_new_one(office: Office) -> None:
    # § 59 SGB II with § 309 SGB III: the invitation states purpose, date and place; booked outside a process step
    case_id = new_case(office)
    anna = office.member("anna")
    appointment = office.agenda.book(anna, case_id, starts_at=office.at(date(2025, 3, 20), 10), kind="praesenz",
                                     purpose="Bewerbungsunterlagen besprechen", with_rfb=True)
    invitations = [record for record in records(office, case_id) if record["art"] == "einladung"]
    assert [record["nr"] for record in invitations][-1] == appointment
    assert invitations[-1]["daten"]["termin"]["zweck"] == "Bewerbungsunterlagen besprechen"
    assert invitations[-1]["daten"]["mitRfb"] is True
    office.agenda.move(anna, appointment, office.at(date(2025, 3, 21), 10))
    moved = [record for record in records(office, case_id)
             if record["art"] == "einladung" and record["nr"] == appointment]
    assert len(moved) == 2 and moved[-1]["titel"].startswith("Einladung zum 21.03.2025")


def test_the_step_hook_reads_the_case_and_the_current_template_hash_in_one_statement(office: Office) -> None:
    from sqlalchemy import event

    from engine.letters.stored import LetterTemplateSet

    case_id = new_case(office)
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    engine = office.services.engine
    hook = produced.LetterProduction(engine)
    with office.services.unit_of_work() as uow:
        hook(uow.session, case_id, {}, "anna")  # the template set is read once, then kept by its hash
        event.listen(engine.database.engine, "before_cursor_execute", seen)
        try:
            hook(uow.session, case_id, {}, "anna")
        finally:
            event.remove(engine.database.engine, "before_cursor_execute", seen)
    with_templates = [statement for statement in statements if LetterTemplateSet.__tablename__ in statement]
    assert len(with_templates) == 1 and "FROM cases" in with_templates[0]


def test_the_regime_of_a_day_is_decided_once_and_right_on_both_sides_of_the_reform(
        office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    """An invitation asks the decision Rechtskreis for its appointment's day; a completed session makes one, so each
    day is decided once per deployed version (issue 12), and the answer is the table's on either side of 1 July
    2026."""
    from engine.runtime import dmn

    decided: list[object] = []
    evaluate = dmn.evaluate

    def counting(*arguments: Any, **keywords: Any) -> Any:
        decided.append(arguments[2])
        return evaluate(*arguments, **keywords)

    monkeypatch.setattr(dmn, "evaluate", counting)
    with office.services.reading() as session:
        on = produced.regime_on(office.services.engine, session)
    assert [on(date(2026, 6, 30)), on(date(2026, 7, 1)), on(date(2026, 6, 30)), on(date(2026, 7, 1))] == [
        "buergergeld", "neue_grundsicherung", "buergergeld", "neue_grundsicherung"]
    assert decided == [{"stichtag": date(2026, 6, 30)}, {"stichtag": date(2026, 7, 1)}]
