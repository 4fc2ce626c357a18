"""German display texts for the codes the domain stores (one place for the whole UI and every message)."""

from __future__ import annotations

from engine.domain.agenda import APPOINTMENT_KINDS, APPOINTMENT_STATUSES, CANCELLED_BY, CONTACT_KINDS
from engine.domain.staff import ROLES

RESPONSIBLE = {"elb": "eLb", "jobcenter": "Jobcenter", "gemeinsam": "gemeinsam"}  # who does a plan step

# Kinds of entries in the event log, as the case file's timeline names them.
EVENTS = {
    "fall_angelegt": "Fall angelegt",
    "zyklus_gestartet": "Beratungszyklus begonnen",
    "zyklus_beendet": "Beratungszyklus beendet",
    "aufgabe_erledigt": "Aufgabe erledigt",
    "frist_abgelaufen": "Frist oder Wiedervorlage erreicht",
    "frist_fehlgeschlagen": "Frist konnte nicht ausgelöst werden (Prozessfehler)",
    "nachricht_zugestellt": "Nachricht eingegangen",
    "aufgabe_uebernommen": "Aufgabe übernommen",
    "aufgabe_freigegeben": "Aufgabe freigegeben",
    "fallakte_angesehen": "Fallakte angesehen",
    "zugriff_verweigert": "Zugriff verweigert",
    "termin_vereinbart": "Termin vereinbart",
    "termin_verschoben": "Termin verschoben",
    "termin_abgesagt": "Termin abgesagt",
    "termin_versaeumt": "Termin versäumt",
    "gespraech_gefuehrt": "Gespräch geführt (außerhalb einer Aufgabe)",
    "wiedervorlage_angelegt": "Wiedervorlage angelegt",
    "wiedervorlage_erledigt": "Wiedervorlage erledigt",
    "kontakt_erfasst": "Kontakt erfasst",
    "fall_uebergeben": "Fall übergeben",
    "fall_geschlossen": "Fall geschlossen",
    "fall_wiedereroeffnet": "Fall wieder aufgenommen",
    "schreiben_versandt": "Schreiben versandt",
}

# Events from outside a counsellor records in the case file (the process waits for them as messages).
INCOMING_MESSAGES = {"NachweisEingegangen": "Nachweis eingegangen",
                     "StellungnahmeEingegangen": "Stellungnahme eingegangen",
                     "SchlichtungBeendet": "Schlichtung beendet",
                     "PflichtErfuellt": "Pflicht erfüllt oder Bereitschaft erklärt",
                     "PersonGemeldet": "Person hat sich gemeldet (nach Nichterreichbarkeit)"}

LABELS: dict[str, dict[str, str]] = {
    "modus": {"selbstbestimmt": "selbstbestimmt", "fremdbestimmt": "fremdbestimmt"},
    "modusGrund": {"kein_plan": "kein Kooperationsplan", "beratungsunfaehig": "beratungsunfähig",
                   "beratungsunwillig": "beratungsunwillig", "meldepflicht": "wiederholte Meldeversäumnisse",
                   "nicht_kooperationsbereit": "nicht kooperationsbereit",
                   "schritt_nicht_umgesetzt": "Schritt nicht umgesetzt"},
    "kontakt": {"folgetermin_praesenz": "Folgetermin (Präsenz)", "folgetermin_telefon": "Folgetermin (Telefon)",
                "wiedervorlage": "Wiedervorlage"},
    "gespraechsart": {"praesenz": "Präsenz", "telefon": "Telefon"},
    "schrittStatus": {"offen": "offen", "erledigt": "erledigt", "aufgefordert": "mit Aufforderung"},
    "verantwortlich": RESPONSIBLE,
    "aufforderungStatus": {"offen": "offen", "erfuellt": "erfüllt", "ohne_folge": "ohne Rechtsfolge",
                           "minderung": "Minderung festgestellt"},
    "rechtsgrundlage": {"par15abs5": "§ 15 Abs. 5 SGB II", "par15abs6": "§ 15 Abs. 6 SGB II",
                        "arbeitsangebot": "§ 31 Abs. 1 Satz 1 Nr. 2 SGB II (Arbeitsangebot)"},
    "art": {"pflichtverletzung": "Pflichtverletzung (§ 31)", "meldeversaeumnis": "Meldeversäumnis (§ 32)",
            "arbeitsverweigerung": "Arbeitsverweigerung"},
    "laufzeit": {"P14D": "2 Wochen", "P1M": "1 Monat", "P2M": "2 Monaten", "P3M": "3 Monaten",
                 "P6M": "6 Monaten"},
    "rolle": {code: role.label for code, role in ROLES.items()},
    "terminart": APPOINTMENT_KINDS,
    "terminstatus": APPOINTMENT_STATUSES,
    "abgesagtVon": CANCELLED_BY,
    "kontaktart": CONTACT_KINDS,
}
