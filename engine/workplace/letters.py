"""Letters in the case file: an HTML preview and the PDF of each letter the case data yields; sending one
records it in the event log with its content hash and the data it was made from (one transaction)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import select

from engine.domain.actions import record_actual_delivery
from engine.domain.case import Case
from engine.domain.staff import StaffMember
from engine.letters import produced, stored
from engine.letters.of_case import CaseLetter, find, letters_of
from engine.letters.render import Letter, render
from engine.runtime.clock import berlin_date
from engine.runtime.errors import ConflictError, FormError, NotFoundError
from engine.runtime.formatting import date_text
from engine.runtime.store import Event
from engine.runtime.variables import set_variables
from engine.workplace.agenda import SENT
from engine.workplace.commands import Workplace

DELIVERY_FIELD = "zugangAm"
DELIVERY_RECORDED = "zugang_erfasst"  # the audit event of a recorded actual delivery


class Letters:
    def __init__(self, workplace: Workplace) -> None:
        self.workplace = workplace
        self.services = workplace.services

    def _data(self, case_id: int) -> dict[str, Any]:
        with self.services.reading() as session:
            engine = self.services.engine
            found = session.get(Case, case_id)
            if found is None:
                raise NotFoundError(f"Den Fall {case_id} gibt es nicht.")
            instance = engine.running_instance(session, case_id)
            if instance is not None:
                return engine.current_data(engine.load(session, instance).workflow)
            data: dict[str, Any] = engine.serializer.restore_data(found.data)
            return data

    def regime_on(self) -> Callable[[date], str]:
        """The regime on a day, by the deployed decision Rechtskreis (the only place that holds the reform's
        date), read once per request from what is deployed, not from files beside the running program."""
        with self.services.reading() as session:
            return produced.regime_on(self.services.engine, session)

    def of_case(self, member: StaffMember, case_id: int) -> list[CaseLetter]:
        case = self.workplace.case_for(member, case_id)
        with self.services.reading() as session:
            planned = produced.invitations(session, case_id)
        return letters_of(self._data(case_id), produced.case_fields(case), planned, self.regime_on(),
                          self.services.clock.today())

    def statuses(self, member: StaffMember, case_id: int) -> dict[tuple[str, int], str]:
        """Per letter (kind, number): produced by the process and to be sent, or sent (German, with the day)."""
        self.workplace.case_for(member, case_id)
        found: dict[tuple[str, int], str] = {}
        with self.services.reading() as session:
            for record in produced.of_case(session, case_id):
                found[(str(record["art"]), int(record["nr"]))] = (
                    f"erstellt am {date_text(berlin_date(record['erstelltUm']))}, zu versenden")
            for data, at in session.execute(select(Event.data, Event.at).where(Event.case_id == case_id,
                                                                               Event.kind == SENT)):
                if isinstance(data, dict):
                    sent_on = date_text(berlin_date(at))
                    found[(str(data.get("art")), int(data.get("nr") or 0))] = f"versandt am {sent_on}"
        return found

    def letter(self, member: StaffMember, case_id: int, kind: str, nr: int) -> Letter:
        found = find(self.of_case(member, case_id), kind, nr)
        if found is None:
            raise NotFoundError("Dieses Schreiben gibt es in diesem Fall nicht.")
        with self.services.reading() as session:
            templates = stored.deployed(session)
        return render(found.kind, found.data, templates)

    def record_delivery(self, member: StaffMember, case_id: int, nr: int, delivered_on: str) -> dict[str, Any]:
        """Record the day reduction decision `nr` actually reached the person (§ 37 Abs. 2 Satz 3 SGB X): a later
        delivery than the fourth day moves the reduction's start (§ 31b Abs. 1 SGB II). One transaction: the
        running cycle's data and the audit event."""
        self.workplace.case_for(member, case_id)
        try:
            day = date.fromisoformat(delivered_on.strip())
        except ValueError:
            raise FormError({DELIVERY_FIELD: "Bitte ein Datum angeben (TT.MM.JJJJ)."}) from None
        engine = self.services.engine
        with self.services.unit_of_work() as work:
            instance = engine.running_instance(work.session, case_id)
            if instance is None:
                raise ConflictError("Der Fall hat keinen laufenden Zyklus; der Zugang kann nicht erfasst werden.")
            running = engine.load(work.session, instance)
            data = engine.current_data(running.workflow)
            reductions = [dict(reduction) for reduction in data.get("minderungen") or ()]
            if not 1 <= nr <= len(reductions) or reductions[nr - 1].get("bescheidAm") is None:
                raise NotFoundError("Diesen Minderungsbescheid gibt es in diesem Fall nicht.")
            before = reductions[nr - 1]
            try:
                reductions[nr - 1] = record_actual_delivery(before, day, engine.clock.today())
            except ValueError as error:
                raise FormError({DELIVERY_FIELD: str(error)}) from None
            changes: dict[str, Any] = {"minderungen": reductions}
            latest = data.get("letzteMinderung")
            if isinstance(latest, dict) and latest.get("bescheidAm") == before["bescheidAm"] \
                    and latest.get("verstossAm") == before.get("verstossAm"):
                changes["letzteMinderung"] = reductions[nr - 1]
            set_variables(running.workflow, changes)
            engine.save(work.session, running)
            record = {"art": "minderungsbescheid", "nr": nr, "zugangAm": day, "beginnVorher": before["beginn"],
                      "beginn": reductions[nr - 1]["beginn"], "ende": reductions[nr - 1]["ende"]}
            engine.log(work.session, member.username, DELIVERY_RECORDED, case_id=case_id, instance_id=instance.id,
                       data=record)
            work.commit()
        return record

    def send(self, member: StaffMember, case_id: int, kind: str, nr: int) -> dict[str, Any]:
        """Record the letter as sent: kind, number, content and template hash, the data (event log)."""
        letter = self.letter(member, case_id, kind, nr)
        record = {**letter.record(), "nr": nr}
        with self.services.unit_of_work() as work:
            self.services.engine.log(work.session, member.username, SENT, case_id=case_id, data=record)
            work.commit()
        return record
