"""Which letters a case's data yields (a demand with its RFB, a reduction decision, a lifting decision) and the
fields of each; the dates are those of the event itself, so a letter can be made again identically later."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from engine.domain import legal
from engine.domain.actions import BREACHES_OF_DUTY, deadline_end
from engine.letters import fields
from engine.runtime.clock import berlin_date
from engine.runtime.formatting import date_text, time_text

OFFICE = "Jobcenter, Bahnhofsallee 5, 37081 Göttingen"
# Neue Grundsicherung (reform; as reported, the wording of the law is unverified, see legal.TO_CONFIRM)
UNREACHABLE_MEASURE = ("Wir beabsichtigen deshalb festzustellen, dass Sie nicht erreichbar sind. Dann entfällt ab dem "
                       "Monat nach der Feststellung Ihr Regelbedarf; die Miete zahlen wir einen Monat lang unmittelbar "
                       "an Ihre Vermieterin oder Ihren Vermieter. Melden Sie sich bis dahin nicht, enden die "
                       "Leistungen. Melden Sie sich persönlich bei uns, gelten Sie wieder als erreichbar.")
INVITATION = "einladung"  # the kind of an appointment's letter: the only kind made from the agenda, not the data
PLACES = {"praesenz": OFFICE, "telefon": "telefonisch (wir rufen Sie an)", "video": "per Video (der Link folgt)"}



@dataclass(frozen=True)
class Invitation:
    """A planned appointment as the letters see it (from the agenda)."""

    id: int
    starts_at: datetime
    kind: str
    purpose: str
    with_rfb: bool
    created_at: datetime


@dataclass(frozen=True)
class CaseLetter:
    kind: str
    nr: int
    title: str
    data: dict[str, Any]


def letters_of(data: Mapping[str, Any], case: Mapping[str, Any], invitations: Sequence[Invitation] = (),
               regime_on: Callable[[date], str] | None = None, today: date | None = None) -> list[CaseLetter]:
    """Every letter the case data and its planned appointments yield; an invitation's RFB follows the regime on
    the appointment's day (`regime_on`, the decision Rechtskreis) and the run of missed appointments so far."""
    found: list[CaseLetter] = []
    for invitation in invitations if regime_on is not None else ():
        day = berlin_date(invitation.starts_at)
        assert regime_on is not None
        found.append(CaseLetter(INVITATION, invitation.id, f"Einladung zum {date_text(day)} "
                                f"({'mit' if invitation.with_rfb else 'ohne'} Rechtsfolgenbelehrung)",
                                fields.invitation(case, berlin_date(invitation.created_at), day,
                                                  time_text(invitation.starts_at),
                                                  PLACES.get(invitation.kind, OFFICE), invitation.purpose,
                                                  invitation.with_rfb, regime_on(day),
                                                  int(data.get("meldeversaeumnisseInFolge") or 0))))
    agreed = data.get("planVereinbartAm")
    if isinstance(agreed, date) and data.get("planZiel"):
        found.append(CaseLetter("kooperationsplan", 1, f"Kooperationsplan vom {date_text(agreed)}",
                                fields.cooperation_plan(case, agreed, data)))
    for demand in data.get("aufforderungen") or ():
        if isinstance(demand.get("rfb"), dict):
            found.append(CaseLetter("aufforderung", int(demand["nr"]), f"Aufforderung {demand['nr']}: "
                                    f"{demand.get('schritt')}, Frist {date_text(demand.get('frist'))}",
                                    fields.demand(case, demand["erstelltAm"], demand, demand.get("nachweis") or
                                                  "Bitte legen Sie einen geeigneten Nachweis vor")))
    hearing = _hearing(data, case, today)
    if hearing is not None:
        found.append(hearing)
    for number, reduction in enumerate(data.get("minderungen") or (), start=1):
        if reduction.get("bescheidAm") is None:
            continue
        found.append(CaseLetter("minderungsbescheid", number, f"Minderungsbescheid vom "
                                f"{date_text(reduction['bescheidAm'])}: {reduction['prozent']} % ab "
                                f"{date_text(reduction['beginn'])}",
                                fields.decision(case, reduction["bescheidAm"], reduction)))
        if reduction.get("aufgehobenAm") is not None:
            found.append(CaseLetter("aufhebungsbescheid", number, f"Aufhebung der Minderung vom "
                                    f"{date_text(reduction['bescheidAm'])}, endet am {date_text(reduction['ende'])}",
                                    fields.lifting(case, reduction["aufgehobenAm"], reduction)))
    for number, exclusion in enumerate(data.get("ausschluesse") or (), start=1):
        missed = [day for day in data.get("meldeversaeumnisse") or () if day <= exclusion["festgestelltAm"]]
        found.append(CaseLetter("nichterreichbarkeit", number, f"Nichterreichbarkeit, festgestellt am "
                                f"{date_text(exclusion['festgestelltAm'])}",
                                fields.unreachable(case, exclusion["festgestelltAm"], exclusion,
                                                   max(missed, default=exclusion["festgestelltAm"]))))
    return found


def find(letters: Sequence[CaseLetter], kind: str, nr: int) -> CaseLetter | None:
    return next((letter for letter in letters if (letter.kind, letter.nr) == (kind, nr)), None)


def _hearing(data: Mapping[str, Any], case: Mapping[str, Any], today: date | None) -> CaseLetter | None:
    """The hearing of this cycle (§ 24 SGB X): for a missed appointment the reduction the table decided, for a
    demand the one its recorded RFB announced, with the deadline's moved end as the day of the breach."""
    deadline = data.get("anhoerungFrist")
    if not isinstance(deadline, date):
        return None
    requested = bool(data.get("anhoerungPersoenlich"))
    decided = data.get("minderung") or {}
    if data.get("art") == "meldeversaeumnis" and isinstance(data.get("verstossAm"), date) \
            and decided.get("folge") == "unerreichbar":
        missed = data["verstossAm"]
        facts = f"Sie haben drei Meldetermine in Folge nicht wahrgenommen, zuletzt am {date_text(missed)}"
        fields_ = fields.hearing(case, today or missed, "meldeversaeumnis", missed, facts, 100, 1, deadline,
                                 legal.hearing_in_person(requested, 0, _earlier_missed(data, missed)),
                                 UNREACHABLE_MEASURE)
        return CaseLetter("anhoerung", 1, f"Anhörung vor Feststellung der Nichterreichbarkeit "
                                          f"(Meldeversäumnis vom {date_text(missed)})", fields_)
    if data.get("art") == "meldeversaeumnis" and isinstance(data.get("verstossAm"), date) and decided.get("prozent"):
        missed = data["verstossAm"]
        in_person = legal.hearing_in_person(requested, 0, _earlier_missed(data, missed))
        fields_ = fields.hearing(case, today or missed, "meldeversaeumnis", missed,
                                 f"Sie sind zum Termin am {date_text(missed)} nicht erschienen",
                                 int(decided["prozent"]), int(decided.get("monate") or 1), deadline, in_person)
        return CaseLetter("anhoerung", 1, f"Anhörung zum Meldeversäumnis vom {date_text(missed)}", fields_)
    demands = [demand for demand in data.get("aufforderungen") or ()
               if demand.get("status") == "offen" and isinstance(demand.get("rfb"), dict)]
    if not demands:
        return None
    demand = demands[-1]
    announced, due = demand["rfb"], deadline_end(demand["frist"])
    in_person = legal.hearing_in_person(requested, _earlier_breaches(data, due), 0)
    fields_ = fields.hearing(case, today or due, announced["art"], due,
                             f"Der geforderte Schritt »{demand['schritt']}« ist bis zum Fristende nicht nachgewiesen",
                             int(announced["prozent"]), int(announced["monate"]), deadline, in_person)
    return CaseLetter("anhoerung", 1, f"Anhörung zur Aufforderung {demand['nr']}", fields_)


def _earlier_breaches(data: Mapping[str, Any], before: date) -> int:
    """Breaches of duty before `before` that led to a reduction (§ 31a Abs. 2 SGB II: "wiederholt")."""
    return sum(1 for reduction in data.get("minderungen") or ()
               if reduction.get("art") in BREACHES_OF_DUTY and isinstance(reduction.get("verstossAm"), date)
               and reduction["verstossAm"] < before)


def _earlier_missed(data: Mapping[str, Any], before: date) -> int:
    """Appointments missed before `before` (§ 31a Abs. 2 SGB II: "wiederholt")."""
    return sum(1 for day in data.get("meldeversaeumnisse") or () if isinstance(day, date) and day < before)
