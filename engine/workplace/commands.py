"""Commands of the counsellor's workplace: accounts, access to cases, claiming tasks, drafts, saved filters.

Each command is one transaction, like the process commands in engine/services.py; views call these.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from engine.domain.case import Case
from engine.domain.staff import ROLES, StaffMember, hash_password, verify_password
from engine.runtime.errors import ConflictError, EngineError, NotFoundError
from engine.runtime.store import OpenTask
from engine.services import Services
from engine.workplace.tables import SavedFilter, TaskDraft


class AccessDenied(EngineError):
    """The signed-in person may not see or change this (answered with 403)."""


class Workplace:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.engine = services.engine

    # ------------------------------------------------------------------ accounts

    def add_staff(self, username: str, display_name: str, role: str, password: str, *, team: str | None = None,
                  fte: float = 1.0, actor: str = "admin") -> StaffMember:
        if role not in ROLES:
            raise ValueError(f"Die Rolle »{role}« gibt es nicht ({', '.join(ROLES)}).")
        if ROLES[role].in_team and not team:
            raise ValueError("Integrationsfachkräfte und Teamleitungen gehören zu einem Team.")
        member = StaffMember(username=username, display_name=display_name, role=role, team=team, fte=fte,
                             password_hash=hash_password(password), active=True, created_at=self.engine.clock.now())
        with self.services.unit_of_work() as work:
            work.session.add(member)
            try:
                work.session.flush()
            except IntegrityError as error:
                raise ConflictError(f"Den Benutzernamen »{username}« gibt es schon.") from error
            self.engine.log(work.session, actor, "konto_angelegt", data={"benutzer": username, "rolle": role,
                                                                         "team": team})
            work.commit()
        return member

    def authenticate(self, username: str, password: str) -> StaffMember | None:
        """The member if name and password match an active account; the attempt is logged either way."""
        with self.services.unit_of_work() as work:
            member = work.session.scalar(select(StaffMember).where(StaffMember.username == username))
            ok = member is not None and member.active and verify_password(member.password_hash, password)
            self.engine.log(work.session, username[:80], "anmeldung" if ok else "anmeldung_fehlgeschlagen")
            work.commit()
        return member if ok else None

    def member(self, username: str) -> StaffMember | None:
        with self.engine.database.session() as session:
            return session.scalar(select(StaffMember).where(StaffMember.username == username,
                                                            StaffMember.active.is_(True)))

    def team_members(self, team: str) -> list[StaffMember]:
        with self.engine.database.session() as session:
            return list(session.scalars(select(StaffMember).where(StaffMember.team == team,
                                                                  StaffMember.active.is_(True))
                                        .order_by(StaffMember.display_name)))

    # ------------------------------------------------------------------ access

    def case_for(self, member: StaffMember, case_id: int, *, log_view: bool = False) -> Case:
        """The case, if this person may see it: IFK and team leads see their own team's cases only."""
        with self.services.unit_of_work() as work:
            case = work.session.get(Case, case_id)
            if case is None:
                raise NotFoundError(f"Den Fall {case_id} gibt es nicht.")
            if not member.sees_cases or case.team != member.team:
                self.engine.log(work.session, member.username, "zugriff_verweigert", case_id=case_id)
                work.commit()
                raise AccessDenied("Dieser Fall gehört nicht zu Ihrem Team.")
            if log_view:  # every look into a case file is part of the audit trail (SGB X § 67)
                self.engine.log(work.session, member.username, "fallakte_angesehen", case_id=case_id)
            work.commit()
        return case

    def task_for(self, member: StaffMember, task_id: str) -> OpenTask:
        with self.engine.database.session() as session:
            task = session.get(OpenTask, task_id)
        if task is None:
            raise NotFoundError("Diese Aufgabe ist nicht mehr offen; sie wurde bereits erledigt oder ist entfallen.")
        self.case_for(member, task.case_id)
        if task.assignee not in (None, member.username) and not member.rights.leads_team:
            raise AccessDenied("Diese Aufgabe hat eine Kollegin oder ein Kollege übernommen.")
        return task

    def refuse(self, member: StaffMember, what: str) -> None:
        """Record a refused access by someone whose role sees no case data (audit trail)."""
        with self.services.unit_of_work() as work:
            self.engine.log(work.session, member.username, "zugriff_verweigert", data={"seite": what,
                                                                                       "rolle": member.role})
            work.commit()

    # ------------------------------------------------------------------ claiming

    def claim(self, member: StaffMember, task_id: str) -> None:
        self._assign(member, task_id, member.username, "aufgabe_uebernommen")

    def unclaim(self, member: StaffMember, task_id: str) -> None:
        self._assign(member, task_id, None, "aufgabe_freigegeben")

    def _assign(self, member: StaffMember, task_id: str, assignee: str | None, kind: str) -> None:
        with self.engine.database.session() as session:
            found = session.get(OpenTask, task_id)
        if found is None:
            raise ConflictError("Diese Aufgabe ist inzwischen erledigt.")
        self.case_for(member, found.case_id)
        with self.services.unit_of_work() as work:
            task = work.session.get(OpenTask, task_id, with_for_update=True)
            if task is None:
                raise ConflictError("Diese Aufgabe ist inzwischen erledigt.")
            if assignee is not None and task.assignee not in (None, assignee):
                raise ConflictError("Diese Aufgabe hat inzwischen jemand anderes übernommen.")
            if assignee is None and task.assignee not in (None, member.username) and not member.rights.leads_team:
                raise AccessDenied("Nur wer die Aufgabe übernommen hat (oder die Teamleitung) kann sie freigeben.")
            task.assignee = assignee
            self.engine.log(work.session, member.username, kind, case_id=task.case_id, element_id=task.element_id,
                            data={"aufgabe": task.name})
            work.commit()

    # ------------------------------------------------------------------ drafts

    def save_draft(self, member: StaffMember, task_id: str, data: Mapping[str, Any]) -> None:
        self.task_for(member, task_id)
        with self.services.unit_of_work() as work:
            draft = work.session.get(TaskDraft, (task_id, member.username))
            if draft is None:
                work.session.add(TaskDraft(task_id=task_id, username=member.username, data=dict(data),
                                           saved_at=self.engine.clock.now()))
            else:
                draft.data, draft.saved_at = dict(data), self.engine.clock.now()
            work.commit()

    def draft(self, member: StaffMember, task_id: str) -> dict[str, Any] | None:
        with self.engine.database.session() as session:
            draft = session.get(TaskDraft, (task_id, member.username))
            return dict(draft.data) if draft is not None else None

    # ------------------------------------------------------------------ saved filters

    def save_filter(self, member: StaffMember, name: str, params: Mapping[str, Any]) -> None:
        name = name.strip()
        if not name or len(name) > 80:
            raise ValueError("Bitte einen Namen mit höchstens 80 Zeichen angeben.")
        with self.services.unit_of_work() as work:
            existing = work.session.scalar(select(SavedFilter).where(SavedFilter.username == member.username,
                                                                     SavedFilter.name == name))
            if existing is None:
                work.session.add(SavedFilter(username=member.username, name=name, params=dict(params),
                                             created_at=self.engine.clock.now()))
            else:
                existing.params = dict(params)
            work.commit()

    def filters(self, member: StaffMember) -> list[SavedFilter]:
        with self.engine.database.session() as session:
            return list(session.scalars(select(SavedFilter).where(SavedFilter.username == member.username)
                                        .order_by(SavedFilter.name)))

    def delete_filter(self, member: StaffMember, filter_id: int) -> None:
        with self.services.unit_of_work() as work:
            work.session.execute(delete(SavedFilter).where(SavedFilter.id == filter_id,
                                                           SavedFilter.username == member.username))
            work.commit()
