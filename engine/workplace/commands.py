"""Commands of the counsellor's workplace: accounts, access to cases, claiming tasks, drafts, saved filters.

Each command is one transaction, like the process commands in engine/services.py; views call these.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.domain.case import Case
from engine.domain.staff import ROLES, StaffMember, hash_password, verify_password
from engine.runtime.errors import ConflictError, EngineError, NotFoundError, TaskAlreadyCompletedError
from engine.runtime.store import OpenTask
from engine.services import Services
from engine.workplace.tables import SavedFilter, SignInVersion, TaskDraft


class AccessDenied(EngineError):
    """The signed-in person may not see or change this (answered with 403)."""


class Workplace:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.engine = services.engine
        self._unknown_hash: str | None = None

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

    def authenticate(self, username: str, password: str, *, address: str | None = None) -> StaffMember | None:
        """The member if name and password match an active account; the attempt is logged either way.

        An unknown name costs the same as a known one (its password is checked against a dummy hash), so the
        answer time does not tell which names exist. A failed attempt is logged under the name tried if that is
        an account, else under »unbekannt« with the first 80 characters of the name in the data.
        """
        with self.services.unit_of_work() as work:
            member = work.session.scalar(select(StaffMember).where(StaffMember.username == username))
            stored = member.password_hash if member is not None else self._dummy_hash()
            ok = verify_password(stored, password) and member is not None and member.active
            data = {"adresse": address} if address else None
            if ok:
                self.engine.log(work.session, username, "anmeldung", data=data)
            elif member is not None:
                self.engine.log(work.session, username, "anmeldung_fehlgeschlagen", data=data)
            else:
                self.engine.log(work.session, "unbekannt", "anmeldung_fehlgeschlagen",
                                data={**(data or {}), "benutzer": username[:80]})
            work.commit()
        return member if ok else None

    def _dummy_hash(self) -> str:
        """An argon2 hash made with the same parameters as real ones, for unknown names (made once per Workplace)."""
        if self._unknown_hash is None:
            self._unknown_hash = hash_password(secrets.token_urlsafe(24))
        return self._unknown_hash

    # ------------------------------------------------------------------ sessions

    def session_version(self, username: str) -> int:
        """The version a session that begins now carries (see SignInVersion)."""
        with self.engine.database.session() as session:
            return session.scalar(select(SignInVersion.version).where(SignInVersion.username == username)) or 1

    def signed_in(self, username: str, version: int) -> StaffMember | None:
        """The active member whose sessions of this version are still valid, else None (checked on every request)."""
        with self.engine.database.session() as session:
            found = session.execute(select(StaffMember, SignInVersion.version)
                                    .outerjoin(SignInVersion, SignInVersion.username == StaffMember.username)
                                    .where(StaffMember.username == username, StaffMember.active.is_(True))).first()
        if found is None or (found[1] or 1) != version:
            return None
        member: StaffMember = found[0]
        return member

    def sign_out(self, member: StaffMember) -> None:
        """End every session of this person (all browsers): a copied cookie opens nothing afterwards."""
        with self.services.unit_of_work() as work:
            self._end_sessions(work.session, member.username)
            self.engine.log(work.session, member.username, "abmeldung")
            work.commit()

    def change_password(self, username: str, password: str, *, actor: str) -> None:
        with self.services.unit_of_work() as work:
            member = self._account(work.session, username)
            member.password_hash = hash_password(password)
            self._end_sessions(work.session, username)
            self.engine.log(work.session, actor, "passwort_geaendert", data={"benutzer": username})
            work.commit()

    def change_role(self, username: str, role: str, *, team: str | None = None, actor: str) -> None:
        if role not in ROLES:
            raise ValueError(f"Die Rolle »{role}« gibt es nicht ({', '.join(ROLES)}).")
        if ROLES[role].in_team and not team:
            raise ValueError("Integrationsfachkräfte und Teamleitungen gehören zu einem Team.")
        with self.services.unit_of_work() as work:
            member = self._account(work.session, username)
            member.role, member.team = role, team if ROLES[role].in_team else None
            self._end_sessions(work.session, username)
            self.engine.log(work.session, actor, "rolle_geaendert", data={"benutzer": username, "rolle": role,
                                                                          "team": member.team})
            work.commit()

    @staticmethod
    def _account(session: Session, username: str) -> StaffMember:
        member = session.scalar(select(StaffMember).where(StaffMember.username == username))
        if member is None:
            raise NotFoundError(f"Das Konto »{username}« gibt es nicht.")
        return member

    @staticmethod
    def _end_sessions(session: Session, username: str) -> None:
        row = session.get(SignInVersion, username, with_for_update=True)
        if row is None:
            session.add(SignInVersion(username=username, version=2))
        else:
            row.version += 1

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

    def task_for(self, member: StaffMember, task_id: str, *, log_view: bool = False) -> OpenTask:
        """The open task, if this person may work on it; `log_view` records that its form (with the case's data)
        was opened. A task a colleague has claimed is refused and the refusal logged."""
        with self.engine.database.session() as session:
            task = session.get(OpenTask, task_id)
        if task is None:
            raise NotFoundError("Diese Aufgabe ist nicht mehr offen; sie wurde bereits erledigt oder ist entfallen.")
        self.case_for(member, task.case_id)
        refused = task.assignee not in (None, member.username) and not member.rights.leads_team
        if refused or log_view:
            with self.services.unit_of_work() as work:
                self.engine.log(work.session, member.username, "zugriff_verweigert" if refused else "aufgabe_angesehen",
                                case_id=task.case_id, element_id=task.element_id,
                                data={"aufgabe": task.name, "uebernommen_von": task.assignee} if refused
                                else {"aufgabe": task.name})
                work.commit()
        if refused:
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
        task = self.task_for(member, task_id)
        with self.services.unit_of_work() as work:
            draft = work.session.get(TaskDraft, (task_id, member.username))
            if draft is None:
                work.session.add(TaskDraft(task_id=task_id, username=member.username, data=dict(data),
                                           saved_at=self.engine.clock.now()))
            else:
                draft.data, draft.saved_at = dict(data), self.engine.clock.now()
            try:
                work.session.flush()
            except IntegrityError as error:  # completed (or ended otherwise) since task_for found it open
                raise TaskAlreadyCompletedError("Diese Aufgabe ist nicht mehr offen; sie wurde inzwischen erledigt "
                                                "oder ist entfallen. Der Entwurf wurde nicht gespeichert.") from error
            # the field names, not the values: the values are kept in the draft until the task is done
            self.engine.log(work.session, member.username, "entwurf_gespeichert", case_id=task.case_id,
                            element_id=task.element_id, data={"aufgabe": task.name,
                                                              "felder": sorted(key for key, value in data.items()
                                                                               if value not in (None, "", []))})
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
            self.engine.log(work.session, member.username, "filter_gespeichert", data={"name": name,
                                                                                       "filter": dict(params)})
            work.commit()

    def filters(self, member: StaffMember) -> list[SavedFilter]:
        with self.engine.database.session() as session:
            return list(session.scalars(select(SavedFilter).where(SavedFilter.username == member.username)
                                        .order_by(SavedFilter.name)))

    def delete_filter(self, member: StaffMember, filter_id: int) -> None:
        with self.services.unit_of_work() as work:
            removed = work.session.execute(delete(SavedFilter).where(SavedFilter.id == filter_id,
                                                                     SavedFilter.username == member.username)
                                           .returning(SavedFilter.name)).scalar()
            if removed is None:
                raise NotFoundError("Diesen Filter gibt es nicht (mehr).")
            self.engine.log(work.session, member.username, "filter_geloescht", data={"name": removed})
            work.commit()
