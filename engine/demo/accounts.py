"""The demo's staff and their printed sign-ins (demo passwords, for demonstrations only).

Three teams of counsellors with team leads, QA, a process owner and an admin; all names are made up.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.domain.staff import COUNSELLOR, ROLES, TEAM_LEAD

TEAMS: dict[str, str] = {"nord": "Team Nord", "sued": "Team Süd", "mitte": "Team Mitte"}
# The three-digit prefix of the pseudonymous customer numbers, per team (no real agency uses 9xx).
OFFICES = {"nord": "901", "sued": "902", "mitte": "903"}
PASSWORD_PREFIX = "demo-"  # noqa: S105  (printed demo sign-ins, never for real use)


@dataclass(frozen=True)
class Account:
    """A demo sign-in. The password is derived from the user name and printed: demo use only."""

    username: str
    display_name: str
    role: str
    team: str | None = None
    fte: float = 1.0

    @property
    def password(self) -> str:
        return f"{PASSWORD_PREFIX}{self.username}"


ACCOUNTS: tuple[Account, ...] = (
    Account("j.albers", "Jana Albers", COUNSELLOR, "nord"),
    Account("t.brandt", "Tobias Brandt", COUNSELLOR, "nord"),
    Account("m.claassen", "Miriam Claaßen", COUNSELLOR, "nord", 0.75),
    Account("d.yildirim", "Deniz Yıldırım", COUNSELLOR, "nord"),
    Account("s.dreyer", "Sabine Dreyer", TEAM_LEAD, "nord"),
    Account("l.engel", "Lukas Engel", COUNSELLOR, "sued"),
    Account("k.fuchs", "Katharina Fuchs", COUNSELLOR, "sued"),
    Account("o.gerdes", "Ole Gerdes", COUNSELLOR, "sued", 0.5),
    Account("a.hoffmann", "Aylin Hoffmann", COUNSELLOR, "sued"),
    Account("m.iske", "Matthias Iske", TEAM_LEAD, "sued"),
    Account("n.jansen", "Nina Jansen", COUNSELLOR, "mitte"),
    Account("f.kuehn", "Felix Kühn", COUNSELLOR, "mitte"),
    Account("s.lange", "Svenja Lange", COUNSELLOR, "mitte", 0.75),
    Account("p.maier", "Piotr Maier", COUNSELLOR, "mitte"),
    Account("h.neumann", "Heike Neumann", TEAM_LEAD, "mitte"),
    Account("c.otte", "Carsten Otte", "prozessverantwortung"),
    Account("u.peters", "Ulrike Peters", "qa"),
    Account("r.quast", "Rainer Quast", "admin"),
)
COUNSELLORS: dict[str, list[Account]] = {
    team: [account for account in ACCOUNTS if account.role == COUNSELLOR and account.team == team] for team in TEAMS}


def sign_ins() -> list[tuple[str, str, str, str]]:
    """The demo sign-ins as rows: Benutzer, Passwort, Rolle, Team."""
    return [(account.username, account.password, ROLES[account.role].label, TEAMS.get(account.team or "", "–"))
            for account in ACCOUNTS]


def sign_in_table() -> str:
    """The sign-ins as a plain-text table, with the warning that they are for demonstrations only."""
    header = ("Benutzer", "Passwort", "Rolle", "Team")
    rows = [header, *sign_ins()]
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(["Demo-Anmeldungen (nur für Vorführungen; nie in einem echten Jobcenter verwenden):",
                      *lines])
