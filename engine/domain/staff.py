"""Staff accounts: who works in the product, in which role and team, with how many full-time equivalents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Boolean, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.runtime.store import Base, UtcDateTime


@dataclass(frozen=True)
class Role:
    """What a role may do; the one table every check reads."""

    code: str  # stored on the account
    label: str
    sees_cases: bool = False  # works with social data (SGB X §§ 67 ff.); all other roles never see a case
    leads_team: bool = False  # may open and release tasks a colleague of the team has claimed
    simulates: bool = False  # QA simulation of the diagrams

    @property
    def in_team(self) -> bool:
        """Roles that work cases belong to a team."""
        return self.sees_cases


COUNSELLOR = "ifk"  # the Integrationsfachkraft (IFK)
TEAM_LEAD = "teamleitung"
ROLES: dict[str, Role] = {role.code: role for role in (
    Role(COUNSELLOR, "Integrationsfachkraft", sees_cases=True),
    Role(TEAM_LEAD, "Teamleitung", sees_cases=True, leads_team=True),
    Role("prozessverantwortung", "Prozessverantwortung", simulates=True),
    Role("qa", "Qualitätssicherung", simulates=True),
    Role("admin", "Administration", simulates=True),
)}
SESSIONS_PER_WEEK_PER_FTE = 20  # concept section 7: at least 20 sessions a week per VZÄ


class StaffMember(Base):
    __tablename__ = "staff"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(24))
    team: Mapped[str | None] = mapped_column(String(80), nullable=True)
    fte: Mapped[float] = mapped_column(Float, default=1.0)  # VZÄ
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())

    @property
    def groups(self) -> set[str]:
        """Candidate groups this person belongs to (the role's group name)."""
        return {self.role}

    @property
    def rights(self) -> Role:
        return ROLES[self.role]

    @property
    def sees_cases(self) -> bool:
        return self.rights.sees_cases


def hasher() -> PasswordHasher:
    return PasswordHasher()


def hash_password(password: str) -> str:
    if len(password) < 10:
        raise ValueError("Das Passwort muss mindestens 10 Zeichen haben.")
    return hasher().hash(password)


def verify_password(stored: str, password: str) -> bool:
    try:
        return hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
