"""The invitation letters of the cloned agenda.

The product produces an appointment's invitation when the appointment is booked (the letter hook,
engine.letters.produced, runs after the booking command). The benchmark's agenda is written in bulk
(agenda.py), so its planned appointments get their letters here: the same `letters_of` and `render`
from the deployed templates, kept in the event log as the hook keeps them. Without them each clone's
next command would produce the invitations of appointments booked weeks before (a render each), which
no running office does, and the throughput figures would carry that cost.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import cache

from sqlalchemy import insert, select

from engine.domain.agenda import PLANNED, Appointment
from engine.domain.case import Case
from engine.letters import stored
from engine.letters.of_case import Invitation, letters_of
from engine.letters.produced import PRODUCED, case_fields, regime_on
from engine.letters.render import render
from engine.runtime.store import Event, table
from engine.services import Services
from sro_benchmarks.workplace.clones import CHUNK

_INSERT = insert(table(Event))


def add_invitation_letters(services: Services, first_case: int) -> int:
    """A produced invitation for every planned appointment of the clones. Returns how many."""
    engine = services.engine
    rows: list[dict[str, object]] = []
    with engine.database.session() as session:
        templates = stored.deployed(session)
        on: Callable[[date], str] = cache(regime_on(engine, session))  # one decision per day, not per letter
        found = session.execute(
            select(Appointment.id, Appointment.case_id, Appointment.starts_at, Appointment.kind,
                   Appointment.purpose, Appointment.with_rfb, Appointment.created_at, Appointment.created_by,
                   Case.customer_number, Case.counsellor, Case.data)
            .join(Case, Case.id == Appointment.case_id)
            .where(Appointment.case_id >= first_case, Appointment.status == PLANNED)
            .order_by(Appointment.id)).all()
        for row in found:
            invitation = Invitation(row.id, row.starts_at, row.kind, row.purpose, row.with_rfb, row.created_at)
            in_a_row = (row.data or {}).get("meldeversaeumnisseInFolge") or 0
            for letter in letters_of({"meldeversaeumnisseInFolge": in_a_row}, case_fields(row), [invitation], on,
                                     engine.clock.today()):
                made = render(letter.kind, letter.data, templates)
                rows.append({"at": row.created_at, "actor": row.created_by, "case_id": row.case_id,
                             "instance_id": None, "kind": PRODUCED, "element_id": None,
                             "data": engine.serializer.convert_data({**made.record(), "nr": letter.nr,
                                                                     "titel": letter.title})})
    for begin in range(0, len(rows), CHUNK):
        with engine.database.engine.begin() as connection:
            connection.execute(_INSERT, rows[begin:begin + CHUNK])
    return len(rows)
