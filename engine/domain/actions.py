"""The domain's built-in actions (Camunda external-task topics) and expression helper functions.

A process owner places an action in a diagram as an external task with its topic; the engine runs
it in the same transaction. Each action reads the task data and the clock and returns the fields
it changes; none reads the wall clock, none has side effects beyond its return value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

from engine.domain import legal, plan, rfb
from engine.domain.workdays import next_working_day
from engine.runtime.clock import Clock

Data = dict[str, Any]
# Bürgergeld: all reductions together (§§ 31a, 32) at most 30 % of the standard rate.
REDUCTION_CAP = legal.REDUCTION_CAP_PERCENT
BREACHES_OF_DUTY = frozenset({"pflichtverletzung", "arbeitsverweigerung"})


def deadline_end(day: date) -> date:
    """fristende(d): a deadline on a Saturday, Sunday or public holiday in Lower Saxony ends on the
    next working day (§ 26 Abs. 3 SGB X, § 193 BGB; Göttingen is in Niedersachsen)."""
    return next_working_day(day)


# ------------------------------------------------------------------ counselling


def update_case(data: Data, clock: Clock) -> Data:
    """fallFortschreiben: after a session; the mode follows the client's cooperation, reversibly."""
    outcome = data.get("ergebnis")
    changes: Data = {"letztesGespraechAm": clock.today()}
    # The start phase (clarify, explore will and resources) ends when the first plan is agreed.
    if outcome in {"plan_vereinbart", "ausnahme_rueckmeldung"}:
        changes["anfangsphase"] = False
    if outcome == "plan_vereinbart":
        changes.update(_mode_of_plan(data))
    elif outcome in {"kein_plan", "beratungsunfaehig", "beratungsunwillig"}:
        changes.update(modus="fremdbestimmt", modusGrund=outcome)
    return changes


def _mode_of_plan(data: Data) -> Data:
    """Self-determined action needs cooperation (concept 3.1): an agreed plan alone is not enough."""
    if data.get("kooperationsbereit") is False:
        return {"modus": "fremdbestimmt", "modusGrund": "nicht_kooperationsbereit"}
    if data.get("kooperationsbereit") is True:
        return {"modus": "selbstbestimmt", "modusGrund": None}
    return {}  # not asked on this path: the mode stays as the last session set it


def record_plan(data: Data, clock: Clock) -> Data:
    """planFesthalten: a plan is agreed (on any path): the start phase ends, the mode follows cooperation."""
    return {"anfangsphase": False, **_mode_of_plan(data)}


def record_date(data: Data, clock: Clock) -> Data:
    """stichtagHeute: the regime is decided by today's date (e.g. before offering conciliation)."""
    return {"stichtag": clock.today()}


def set_step_status(data: Data, clock: Clock) -> Data:
    """schrittStatusSetzen: the checked step is done, or stays open for the talk about reasons."""
    step = plan.find_step(data.get("schritte"), data.get("schrittNr"))
    if step["status"] != plan.OPEN:
        raise ValueError(f"Schritt Nr. {step['nr']} ist nicht mehr offen (Status: {step['status']}).")
    changes: Data = {}
    if data.get("schrittErledigt"):
        step.update(status="erledigt", erledigtAm=clock.today())
        if data.get("modusGrund") == "schritt_nicht_umgesetzt" and data.get("kooperationsbereit") is not False:
            changes.update(modus="selbstbestimmt", modusGrund=None)  # the client implements steps again
    elif data.get("modus") == "selbstbestimmt":
        # an agreed step not implemented: the counsellor sets the next steps (concept 3.1)
        changes.update(modus="fremdbestimmt", modusGrund="schritt_nicht_umgesetzt")
    return {"schritte": plan.replace_step(data["schritte"], step), **changes}


def continue_step(data: Data, clock: Clock) -> Data:
    """schrittFortschreiben: another try or an adjusted step gets a new deadline; a demand closes it here."""
    step = plan.find_step(data.get("schritte"), data.get("schrittNr"))
    if step["status"] != plan.OPEN:
        raise ValueError(f"Schritt Nr. {step['nr']} ist nicht mehr offen (Status: {step['status']}).")
    decision = data.get("schrittEntscheidung")
    if decision == "aufforderung":
        step["status"] = "aufgefordert"
    else:
        new_deadline = data.get("neueFrist")
        if not isinstance(new_deadline, date) or new_deadline < clock.today():
            raise ValueError("Für einen weiteren Versuch oder einen angepassten Schritt bitte eine neue Frist "
                             "ab heute angeben.")
        step.update(faellig=new_deadline, wiedervorlage=None)
        if decision == "anpassen" and data.get("schrittBeschreibung"):
            step["beschreibung"] = data["schrittBeschreibung"]
    return {"schritte": plan.replace_step(data["schritte"], step)}


# ------------------------------------------------------------------ breaches and reductions


def _stage(reduction: Data) -> int:
    """The stage of an established reduction for a breach of duty: 1 (10 %), 2 (20 %), 3 (30 % or more)."""
    if isinstance(reduction.get("stufe"), int):
        return int(reduction["stufe"])
    percent = int(reduction.get("prozentLautTabelle", reduction.get("prozent")) or 0)
    return 1 if percent <= 10 else 2 if percent <= 20 else 3


def _earlier_reductions(data: Data, breach: date) -> int:
    """The stage of the latest reduction that makes this breach "repeated" (§ 31a Abs. 1 Satz 4 and 5 SGB II):
    established (decided) before the breach, for a breach of duty (§ 31; a § 32 reduction is always 10 %),
    its period beginning at most one year before the breach (it may begin after it). 0: a first breach.

    The new stage follows that reduction's stage, not a count: 20 % followed by a new breach is 30 %.
    """
    since = breach - legal.REPETITION_WINDOW
    relevant = [reduction for reduction in data.get("minderungen") or ()
                if reduction.get("art") in BREACHES_OF_DUTY and not reduction.get("aufgehobenOhneFolge")
                and isinstance(reduction.get("bescheidAm"), date) and reduction["bescheidAm"] <= breach
                and reduction["beginn"] >= since]
    if not relevant:
        return 0
    return _stage(max(relevant, key=lambda reduction: (reduction["bescheidAm"], reduction["beginn"])))


def _counted(days: Any, missed_on: date, excused: bool) -> list[date]:
    """The list of counted misses with this one added, or removed when excused (a good reason, also one set out
    in the hearing, § 24 SGB X)."""
    history = list(days or [])
    if not excused and missed_on not in history:
        history.append(missed_on)
    elif excused and missed_on in history:
        history.remove(missed_on)
    return sorted(history)


def record_missed_date(data: Data, clock: Clock) -> Data:
    """stichtagTermin: the regime of a missed appointment is the one on its day."""
    missed_on = data.get("terminAm")
    if not isinstance(missed_on, date):
        raise ValueError("Das Datum des versäumten Termins fehlt.")
    return {"stichtag": missed_on}


def record_missed_appointment(data: Data, clock: Clock) -> Data:
    """meldeversaeumnisErfassen: count missed appointments (last 12 months, in a row) for § 32.

    Runs when the miss is checked and again after the hearing, with what the hearing brought out."""
    missed_on = data.get("terminAm")
    if not isinstance(missed_on, date):
        raise ValueError("Das Datum des versäumten Termins fehlt.")
    history = _counted(data.get("meldeversaeumnisse"), missed_on, bool(data.get("wichtigerGrund")))
    reform = data.get("rechtskreisVerstoss") == "neue_grundsicherung"
    # Under the reform only misses under the new law make the run that leads to unreachability (legal review)
    under_reform = _counted(data.get("meldeversaeumnisseNeuesRecht"), missed_on,
                            bool(data.get("wichtigerGrund")) or not reform)
    since = missed_on - relativedelta(months=12)
    # the message from the agenda (its payload lands under the message's name) says what the RFB of the
    # invitation letter recorded as sent lacked; without such a letter the counsellor's check decides
    message = data.get("Meldeversaeumnis")
    sent = (message if isinstance(message, dict) else data).get("einladungRfbFehlt")
    lacking = sent if isinstance(sent, list) else None
    # a session, or coming forward in person after being unreachable, ends a run of missed appointments
    appearances = [day for day in (data.get("letztesGespraechAm"), data.get("erreichbarSeit")) if isinstance(day, date)]
    last_session = max(appearances) if appearances else None
    in_a_row = [day for day in (under_reform if reform else history) if last_session is None or day > last_session]
    return {
        "meldeversaeumnisse": history, "meldeversaeumnisseNeuesRecht": under_reform,
        "meldeversaeumnisseLetzte12Monate": sum(1 for day in history if since < day <= missed_on),
        "meldeversaeumnisseInFolge": len(in_a_row),
        "verstossAm": missed_on, "stichtag": missed_on, "art": "meldeversaeumnis",
        # the counsellor's check, and the RFB of the invitation letter recorded as sent, if there is one
        "rfbErteilt": bool(data.get("einladungMitRfb")) and not lacking,
        "rfbFehlt": lacking or [],
        "haerte": bool(data.get("haerte")),
        "wichtigerGrund": bool(data.get("wichtigerGrund")),
        "fruehereMinderungen": _earlier_reductions(data, missed_on),
        "schlichtungLaeuft": bool(data.get("schlichtungLaeuft")),
        # No statutory basis was found for exempting every missed appointment before the first plan
        # (legal review, issue 11): § 32 applies from the first invitation with RFB.
        "ersteEinladungZumPlan": False,
    }


def record_breach(data: Data, clock: Clock) -> Data:
    """verstossFeststellen: the demanded step was not done by its deadline (§ 31 Abs. 1 Nr. 1).

    The violation date is the end of the deadline, moved off a weekend or Lower Saxony public holiday
    (§ 26 Abs. 3 SGB X): the regime, the six-month limit and the repetition window follow it.
    """
    nominal = data.get("aufforderungFrist")
    if not isinstance(nominal, date):
        raise ValueError("Die Frist der Aufforderung fehlt.")
    deadline = deadline_end(nominal)
    # The RFB is never assumed: the one recorded with the open demand must be complete (BSG, B 4 AS 30/09 R).
    open_demands = [demand for demand in data.get("aufforderungen") or () if demand.get("status") == "offen"]
    lacking = rfb.missing(open_demands[-1].get("rfb") if open_demands else None)
    # refusing a reasonable job offer (§ 31 Abs. 1 Satz 1 Nr. 2) is its own kind under the reform
    kind = "arbeitsverweigerung" if data.get("rechtsgrundlage") == "arbeitsangebot" else "pflichtverletzung"
    return {
        "verstossAm": deadline, "stichtag": deadline, "art": kind, "rfbErteilt": not lacking,
        "rfbFehlt": lacking,
        "haerte": bool(data.get("haerte")), "wichtigerGrund": bool(data.get("wichtigerGrund")),
        "fruehereMinderungen": _earlier_reductions(data, deadline),
        "schlichtungLaeuft": bool(data.get("schlichtungLaeuft")),
        "ersteEinladungZumPlan": False, "meldeversaeumnisseInFolge": 0,
    }


def record_reduction(data: Data, clock: Clock) -> Data:
    """minderungErfassen: record the decided reduction on the case, capped at 30 % where it overlaps.

    The period starts the month after the decision takes effect (§ 31b Abs. 1 SGB II): `bescheidAm` is
    the day it was posted, delivered by the fiction of § 37 Abs. 2 SGB X (the fourth day since 2025) or
    on a later recorded actual delivery (`zugangAm`). It must be established within six months of the
    breach (§ 31b Abs. 1 SGB II).
    """
    decided = data.get("minderung") or {}
    decided_on, breach = data.get("bescheidAm"), data.get("verstossAm")
    if not isinstance(decided_on, date) or not isinstance(breach, date):
        raise ValueError("Bescheiddatum oder Datum der Pflichtverletzung fehlt.")
    if decided_on > breach + legal.ESTABLISH_WITHIN:
        raise ValueError("Eine Minderung kann nur innerhalb von sechs Monaten nach der Pflichtverletzung "
                         "festgestellt werden (§ 31b Abs. 2 SGB II).")
    actual = data.get("zugangAm") if isinstance(data.get("zugangAm"), date) else None
    in_person = data.get("bekanntgabe") == "persoenlich"
    delivered = legal.deemed_delivery(decided_on, actual, in_person=in_person)
    start = legal.reduction_start(decided_on, actual, in_person=in_person)
    months = int(decided.get("monate") or 0)
    end = start + relativedelta(months=months) - timedelta(days=1)
    percent = int(decided.get("prozent") or 0)
    effective = percent
    if percent <= REDUCTION_CAP:
        # The cap holds on every day; the most that already runs at once is reached on the new period's
        # first day or on a day another reduction begins within it.
        capped = [reduction for reduction in data.get("minderungen") or () if reduction["prozent"] <= REDUCTION_CAP]
        days = {start} | {reduction["beginn"] for reduction in capped if start <= reduction["beginn"] <= end}
        busiest = max(sum(reduction["prozent"] for reduction in capped
                          if reduction["beginn"] <= day <= reduction["ende"]) for day in days)
        effective = max(0, min(percent, REDUCTION_CAP - busiest))
    reduction = {"art": data.get("art"), "verstossAm": breach, "bescheidAm": decided_on, "zugangAm": delivered,
                 "beginn": start, "ende": end, "monate": months, "prozentLautTabelle": percent, "prozent": effective,
                 "betrag": str(legal.reduction_amount(effective, start)),
                 "begruendung": decided.get("begruendung")}
    if data.get("art") in BREACHES_OF_DUTY:
        reduction["stufe"] = min(int(data.get("fruehereMinderungen") or 0) + 1, 3)
    changes: Data = {"minderungen": [*(data.get("minderungen") or []), reduction], "letzteMinderung": reduction}
    if data.get("art") == "pflichtverletzung":  # the demand that was not followed ends with this reduction
        changes["aufforderungen"] = _close_newest_demand(data, "minderung", clock)
    return changes


def lift_reduction(data: Data, clock: Clock) -> Data:
    """minderungAufheben: the client complied or seriously declared willingness (§ 31a Abs. 1 Satz 6 SGB II).

    Every reduction for a breach of duty (§ 31; not § 32) still running on that day, or decided and not yet
    begun, ends the day before, but not before its first month is over (§ 31b Abs. 2 SGB II).
    """
    complied = data.get("erfuelltAm")
    if not isinstance(complied, date):
        raise ValueError("Bitte angeben, wann die Pflicht erfüllt oder die Bereitschaft erklärt wurde.")
    lifted: list[Data] = []
    reductions = []
    for reduction in data.get("minderungen") or ():
        reduction = dict(reduction)
        if reduction.get("art") in BREACHES_OF_DUTY and complied <= reduction["ende"]:
            earliest = reduction["beginn"] + legal.LIFTING_EARLIEST_AFTER - timedelta(days=1)
            new_end = max(complied - timedelta(days=1), earliest)
            if new_end < reduction["ende"]:
                reduction.update(ende=new_end, aufgehobenAm=clock.today(), erfuelltAm=complied,
                                 monate=max(1, (new_end.year - reduction["beginn"].year) * 12
                                            + new_end.month - reduction["beginn"].month + 1))
                lifted.append(reduction)
        reductions.append(reduction)
    return {"minderungen": reductions, "aufgehobeneMinderungen": lifted,
            "letzteAufhebung": lifted[-1] if lifted else None}


def record_exclusion(data: Data, clock: Clock) -> Data:
    """nichterreichbarkeitFesthalten (reform, source weaker than the statute text): unreachable after three missed
    appointments in a row is a benefit exclusion, not a reduction: from the next month the standard rate stops
    and the rent goes to the landlord for one month; then benefits end unless the person comes forward."""
    determined = data.get("feststellungAm")
    if not isinstance(determined, date):
        raise ValueError("Bitte das Datum der Feststellung angeben.")
    start = determined.replace(day=1) + relativedelta(months=1)
    exclusion = {"festgestelltAm": determined, "regelbedarfEntfaelltAb": start,
                 "mieteAnVermieterBis": start + relativedelta(months=1) - timedelta(days=1),
                 "leistungenEndenAb": start + relativedelta(months=1), "gemeldetAm": None}
    return {"ausschluss": exclusion, "ausschluesse": [*(data.get("ausschluesse") or []), exclusion]}


def record_reachable(data: Data, clock: Clock) -> Data:
    """erreichbarkeitFesthalten: the person came forward in person; benefits resume (the back-payment, reduced,
    is the benefits department's) and the run of missed appointments starts anew."""
    came = data.get("gemeldetAm")
    if not isinstance(came, date):
        raise ValueError("Bitte angeben, wann sich die Person gemeldet hat.")
    exclusion = {**(data.get("ausschluss") or {}), "gemeldetAm": came}
    history = [dict(item) for item in data.get("ausschluesse") or ()]
    if history:
        history[-1] = exclusion
    return {"ausschluss": exclusion, "ausschluesse": history, "erreichbarSeit": came}


def mode_duty_to_report(data: Data, clock: Clock) -> Data:
    """modusMeldepflicht: repeated missed appointments: steps are set for the client (concept section 4)."""
    return {"modus": "fremdbestimmt", "modusGrund": "meldepflicht"}


# ------------------------------------------------------------------ demands and conciliation


def record_deadline_date(data: Data, clock: Clock) -> Data:
    """stichtagFrist: the regime of a demand's RFB is the one on the moved end of its deadline (§ 26 Abs. 3 SGB X)."""
    deadline = data.get("aufforderungFrist")
    if not isinstance(deadline, date):
        raise ValueError("Die Frist der Aufforderung fehlt.")
    return {"stichtag": deadline_end(deadline)}


def record_demand(data: Data, clock: Clock) -> Data:
    """aufforderungErfassen: a demand on the case's list of demands, with the RFB computed for this case: the
    regime on the deadline's end (`rechtskreisFrist`), the stage a breach would have, the standard rate."""
    demands = list(data.get("aufforderungen") or [])
    deadline = data.get("aufforderungFrist")
    demand: Data = {"nr": len(demands) + 1, "rechtsgrundlage": data.get("rechtsgrundlage"),
                    "schritt": data.get("aufforderungSchritt"), "frist": deadline,
                    "nachweis": data.get("nachweisArt"),
                    "erstelltAm": clock.today(), "status": "offen", "rfb": None}
    regime = data.get("rechtskreisFrist")
    if isinstance(deadline, date) and regime in rfb.REGIMES:
        moved = deadline_end(deadline)
        kind = "arbeitsverweigerung" if data.get("rechtsgrundlage") == "arbeitsangebot" else "pflichtverletzung"
        demand["rfb"] = rfb.compute(str(regime), kind, _earlier_reductions(data, moved) + 1, moved)
    return {"aufforderungen": [*demands, demand]}


def close_demand(data: Data, clock: Clock) -> Data:
    """aufforderungErledigt: the newest open demand is closed (fulfilled, or no consequence)."""
    return {"aufforderungen": _close_newest_demand(data, "erfuellt" if data.get("schrittErfuellt") else "ohne_folge",
                                                   clock)}


def _close_newest_demand(data: Data, status: str, clock: Clock) -> list[Data]:
    demands = [dict(demand) for demand in data.get("aufforderungen") or ()]
    for demand in reversed(demands):
        if demand["status"] == "offen":
            demand.update(status=status, abgeschlossenAm=clock.today())
            break
    return demands


def start_conciliation(data: Data, clock: Clock) -> Data:
    """schlichtungBeginnen: no reductions for breaches while conciliation runs (§ 15a)."""
    return {"schlichtungLaeuft": True, "schlichtungSeit": clock.today()}


def end_conciliation(data: Data, clock: Clock) -> Data:
    """schlichtungBeenden."""
    return {"schlichtungLaeuft": False, "schlichtungBis": clock.today()}


ACTIONS: Mapping[str, Callable[[Data, Clock], Mapping[str, Any]]] = {
    "fallFortschreiben": update_case,
    "planFesthalten": record_plan,
    "stichtagHeute": record_date,
    "schrittStatusSetzen": set_step_status,
    "schrittFortschreiben": continue_step,
    "stichtagTermin": record_missed_date,
    "meldeversaeumnisErfassen": record_missed_appointment,
    "verstossFeststellen": record_breach,
    "minderungErfassen": record_reduction,
    "modusMeldepflicht": mode_duty_to_report,
    "minderungAufheben": lift_reduction,
    "nichterreichbarkeitFesthalten": record_exclusion,
    "erreichbarkeitFesthalten": record_reachable,
    "stichtagFrist": record_deadline_date,
    "aufforderungErfassen": record_demand,
    "aufforderungErledigt": close_demand,
    "schlichtungBeginnen": start_conciliation,
    "schlichtungBeenden": end_conciliation,
}

FUNCTIONS: Mapping[str, Callable[..., Any]] = {
    "fristende": deadline_end,
    "naechsterPruefzeitpunkt": plan.next_check,
    "offeneSchritte": plan.open_count,
}


def record_actual_delivery(reduction: Data, delivered_on: date, today: date) -> Data:
    """The reduction after a recorded actual delivery of its decision (§ 37 Abs. 2 Satz 3 SGB X): a delivery after
    the fourth day moves the start to the month after it (§ 31b Abs. 1 SGB II); an earlier one changes nothing,
    the fiction stands. German errors for a day before posting or in the future."""
    posted = reduction.get("bescheidAm")
    if not isinstance(posted, date):
        raise ValueError("Für diesen Bescheid ist kein Tag der Aufgabe zur Post festgehalten.")
    if delivered_on < posted:
        raise ValueError(f"Der Zugang kann nicht vor der Aufgabe zur Post am {posted:%d.%m.%Y} liegen.")
    if delivered_on > today:
        raise ValueError(f"Der Zugang kann nicht in der Zukunft liegen (heute ist der {today:%d.%m.%Y}).")
    if reduction.get("aufgehobenAm") is not None:
        raise ValueError("Die Minderung ist bereits aufgehoben; ihr Zeitraum wird nicht mehr verschoben.")
    start = legal.reduction_start(posted, delivered_on)
    months = int(reduction.get("monate") or 1)
    end = start + relativedelta(months=months) - timedelta(days=1)
    return {**reduction, "zugangAm": legal.deemed_delivery(posted, delivered_on), "zugangErfasstAm": delivered_on,
            "beginn": start, "ende": end, "betrag": str(legal.reduction_amount(int(reduction["prozent"]), start))}
