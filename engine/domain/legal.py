"""The dated table of legal parameters and standard rates, and the date rules built on it.

One place to update when the law or the rates change: each row names its provision and its source.
A row resting on a source weaker than the statute text (the reform "Neue Grundsicherung", whose
final wording was not available) says so in `source`; `TO_CONFIRM` lists what a legal department
must confirm. The commencement date of the reform is NOT kept here: it lives only in the decision
`Rechtskreis` (processes/entscheidungen/leistungsminderung.dmn); rows below are keyed by regime name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TypeVar

from dateutil.relativedelta import relativedelta

STATUTE = "Gesetzestext"
REFORM_REPORTED = "Berichterstattung und FAQ des Ministeriums; amtlicher Gesetzestext nicht geprüft"


@dataclass(frozen=True)
class StandardRate:
    """Regelbedarfsstufe 1 (single adult, § 20 Abs. 2 SGB II, § 8 RBEG) in force from `valid_from`."""

    valid_from: date
    euro: Decimal
    source: str


# Regelbedarfsstufe 1: 2024 raised to 563 EUR; 2025 and 2026 unchanged (Besitzschutz, § 28a Abs. 5 SGB XII).
STANDARD_RATES: tuple[StandardRate, ...] = (
    StandardRate(date(2023, 1, 1), Decimal("502"), "RBSFV 2023 (Bürgergeld-Gesetz)"),
    StandardRate(date(2024, 1, 1), Decimal("563"), "RBSFV 2024"),
    StandardRate(date(2025, 1, 1), Decimal("563"), "RBSFV 2025: unverändert (Besitzschutz)"),
    StandardRate(date(2026, 1, 1), Decimal("563"), "RBSFV 2026: unverändert (Besitzschutz)"),
)


@dataclass(frozen=True)
class DeliveryFiction:
    """§ 37 Abs. 2 SGB X: a posted administrative act counts as delivered `days` after posting."""

    valid_from: date
    days: int
    source: str


DELIVERY_FICTIONS: tuple[DeliveryFiction, ...] = (
    DeliveryFiction(date(1981, 1, 1), 3, "§ 37 Abs. 2 Satz 1 SGB X a. F.: dritter Tag nach Aufgabe zur Post"),
    DeliveryFiction(date(2025, 1, 1), 4, "§ 37 Abs. 2 Satz 1 SGB X i. d. F. des Postrechtsmodernisierungsgesetzes: "
                                         "vierter Tag nach Aufgabe zur Post"),
)


@dataclass(frozen=True)
class ReductionRule:
    """Percent of the standard rate and months for a breach at a stage, per regime (by violation date)."""

    regime: str
    kind: str  # pflichtverletzung, meldeversaeumnis
    stage: int  # 1: first, 2: first repeated, 3: every further repetition
    percent: int
    months: int
    provision: str
    source: str


REDUCTIONS: tuple[ReductionRule, ...] = (
    ReductionRule("buergergeld", "pflichtverletzung", 1, 10, 1, "§ 31a Abs. 1 Satz 1, § 31b Abs. 2 SGB II", STATUTE),
    ReductionRule("buergergeld", "pflichtverletzung", 2, 20, 2, "§ 31a Abs. 1 Satz 2, § 31b Abs. 2 SGB II", STATUTE),
    ReductionRule("buergergeld", "pflichtverletzung", 3, 30, 3, "§ 31a Abs. 1 Satz 3, § 31b Abs. 2 SGB II", STATUTE),
    ReductionRule("buergergeld", "meldeversaeumnis", 1, 10, 1, "§ 32 Abs. 1 und 2 SGB II", STATUTE),
    ReductionRule("buergergeld", "meldeversaeumnis", 2, 10, 1, "§ 32 Abs. 1 und 2 SGB II", STATUTE),
    ReductionRule("buergergeld", "meldeversaeumnis", 3, 10, 1, "§ 32 Abs. 1 und 2 SGB II", STATUTE),
    ReductionRule("neue_grundsicherung", "pflichtverletzung", 1, 30, 3, "§ 31a SGB II n. F.", REFORM_REPORTED),
    ReductionRule("neue_grundsicherung", "pflichtverletzung", 2, 30, 3, "§ 31a SGB II n. F.", REFORM_REPORTED),
    ReductionRule("neue_grundsicherung", "pflichtverletzung", 3, 30, 3, "§ 31a SGB II n. F.", REFORM_REPORTED),
    ReductionRule("neue_grundsicherung", "meldeversaeumnis", 1, 0, 0, "§ 32 SGB II n. F.", REFORM_REPORTED),
    ReductionRule("neue_grundsicherung", "meldeversaeumnis", 2, 30, 1, "§ 32 SGB II n. F.", REFORM_REPORTED),
    # the third missed appointment in a row is the "unreachable" exclusion, not a reduction
    # refusing a reasonable job offer: the standard rate is withdrawn while the offer stands, at most two months
    ReductionRule("neue_grundsicherung", "arbeitsverweigerung", 1, 100, 2, "§ 31a SGB II n. F.", REFORM_REPORTED),
    ReductionRule("neue_grundsicherung", "arbeitsverweigerung", 2, 100, 2, "§ 31a SGB II n. F.", REFORM_REPORTED),
    ReductionRule("neue_grundsicherung", "arbeitsverweigerung", 3, 100, 2, "§ 31a SGB II n. F.", REFORM_REPORTED),
)

# § 31a Abs. 1 Satz 4 and 5 SGB II (Bürgergeld): a breach is repeated only if an earlier reduction was established
# before it and that reduction's period began at most one year before the breach.
REPETITION_WINDOW = relativedelta(years=1)
# § 31a SGB II with § 32 (Bürgergeld): all reductions together at most 30 % of the standard rate.
REDUCTION_CAP_PERCENT = 30
# § 31b Abs. 1 SGB II: a reduction may be established only within six months of the breach.
ESTABLISH_WITHIN = relativedelta(months=6)
# § 31a Abs. 1 Satz 6 SGB II with § 31b Abs. 2: lifted on compliance, but only after at least one month.
LIFTING_EARLIEST_AFTER = relativedelta(months=1)

Row = TypeVar("Row", StandardRate, DeliveryFiction)

TO_CONFIRM: tuple[str, ...] = (
    "Neue Grundsicherung: Inkrafttreten (1. Juli 2026) und endgültiger Wortlaut der §§ 15a, 31a, 32 SGB II n. F. "
    "(Pauschal 30 % für drei Monate, Meldeversäumnisse 0 % / 30 % / Nichterreichbarkeit) am amtlichen Text prüfen.",
    "Fällt der vierte Tag nach Aufgabe zur Post auf einen Samstag, Sonntag oder Feiertag, verschiebt die "
    "Rechtsprechung (BSG zu § 37 Abs. 2 SGB X a. F.) die Bekanntgabe auf den nächsten Werktag; das Produkt "
    "verschiebt nicht. Bitte bestätigen, ob verschoben werden soll.",
    "Aufhebung auf Erfüllung (§ 31a Abs. 1 Satz 6, § 31b Abs. 2 SGB II): das Produkt beendet den "
    "Minderungszeitraum am Tag vor der Erfüllung, frühestens nach einem Monat; bitte bestätigen, ob taggenau "
    "oder zum Monatsende aufzuheben ist.",
    "Regelbedarf 2026 (563 EUR): Fundstelle der RBSFV 2026 im Bundesgesetzblatt eintragen.",
    "Persönliche Anhörung (§ 31a Abs. 2 SGB II): das Produkt sieht sie vor, wenn die Person es verlangt oder wenn "
    "vor dem Verstoß schon eine Pflichtverletzung zu einer Minderung führte bzw. schon ein Meldetermin versäumt "
    "wurde, ohne zeitliche Grenze und in beiden Rechtskreisen; bitte bestätigen, was »wiederholt« umfasst und ob "
    "die Regel unter der Neuen Grundsicherung unverändert gilt.",
)


def hearing_in_person(requested: bool, earlier_breaches: int, earlier_missed: int) -> str | None:
    """Why the hearing before a reduction (§ 24 SGB X) is to be held in person, or None.

    § 31a Abs. 2 SGB II: in person when the person asks for it, and in person when duties were breached or
    appointments missed repeatedly ("soll": the rule, not a matter of discretion). `earlier_breaches`: breaches
    of duty before this one that led to a reduction; `earlier_missed`: appointments missed before this one.
    """
    if earlier_breaches > 0:
        return "wiederholte Pflichtverletzung (§ 31a Abs. 2 SGB II)"
    if earlier_missed > 0:
        return "wiederholtes Meldeversäumnis (§ 31a Abs. 2 SGB II)"
    if requested:
        return "auf Ihren Wunsch (§ 31a Abs. 2 SGB II)"
    return None


def _in_force(rows: tuple[Row, ...], day: date, what: str) -> Row:
    found = [row for row in rows if row.valid_from <= day]
    if not found:
        raise ValueError(f"Für den {day:%d.%m.%Y} ist kein Wert für {what} hinterlegt.")
    return max(found, key=lambda row: row.valid_from)


def standard_rate(day: date) -> Decimal:
    """Regelbedarfsstufe 1 in euro on that day."""
    return _in_force(STANDARD_RATES, day, "den Regelbedarf").euro


def reduction_amount(percent: int, day: date) -> Decimal:
    """The monthly euro amount of a reduction of `percent` % of the standard rate in force on `day`."""
    return (standard_rate(day) * percent / 100).quantize(Decimal("0.01"))


def reduction_rule(regime: str, kind: str, stage: int) -> ReductionRule | None:
    """The row for a breach of `kind` at `stage` (1-3) under `regime`; None where no reduction is defined."""
    stage = max(1, min(stage, 3))
    if regime == "buergergeld" and kind == "arbeitsverweigerung":
        kind = "pflichtverletzung"  # § 31 Abs. 1 Satz 1 Nr. 2: graduated as every breach of duty
    return next((row for row in REDUCTIONS if (row.regime, row.kind, row.stage) == (regime, kind, stage)), None)


def deemed_delivery(posted: date, actual: date | None = None, *, in_person: bool = False) -> date:
    """The day a posted decision counts as delivered (§ 37 Abs. 2 SGB X); handed over in person: that day.

    The fiction gives way only when the decision arrived later (Satz 3): a recorded later delivery wins,
    an earlier one does not bring the date forward.
    """
    if in_person:
        return posted
    fiction = posted + timedelta(days=_in_force(DELIVERY_FICTIONS, posted, "die Bekanntgabe").days)
    return max(fiction, actual) if actual is not None else fiction


def reduction_start(posted: date, actual: date | None = None, *, in_person: bool = False) -> date:
    """First day of the reduction: the month after the decision takes effect by delivery (§ 31b Abs. 1 Satz 1
    SGB II, § 39 Abs. 1 SGB X)."""
    delivered = deemed_delivery(posted, actual, in_person=in_person)
    return delivered.replace(day=1) + relativedelta(months=1)
