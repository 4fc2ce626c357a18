"""Staff accounts: who works in the product, in which role and team, with how many full-time equivalents."""

from __future__ import annotations

from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Boolean, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.runtime.store import Base, UtcDateTime

ROLES = {
    "ifk": "Integrationsfachkraft",
    "teamleitung": "Teamleitung",
    "prozessverantwortung": "Prozessverantwortung",
    "qa": "Qualitätssicherung",
    "admin": "Administration",
}
# Roles that work with social data (SGB X §§ 67 ff.); all others never see a case.
CASE_ROLES = frozenset({"ifk", "teamleitung"})
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
    def sees_cases(self) -> bool:
        return self.role in CASE_ROLES


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
