"""German display texts for codes stored in the data (one place for the whole UI)."""

LABELS: dict[str, dict[str, str]] = {
    "modus": {"selbstbestimmt": "selbstbestimmt", "fremdbestimmt": "fremdbestimmt"},
    "modusGrund": {"kein_plan": "kein Kooperationsplan", "beratungsunfaehig": "beratungsunfähig",
                   "beratungsunwillig": "beratungsunwillig", "meldepflicht": "wiederholte Meldeversäumnisse"},
    "kontakt": {"folgetermin_praesenz": "Folgetermin (Präsenz)", "folgetermin_telefon": "Folgetermin (Telefon)",
                "wiedervorlage": "Wiedervorlage"},
    "gespraechsart": {"praesenz": "Präsenz", "telefon": "Telefon"},
    "schrittStatus": {"offen": "offen", "erledigt": "erledigt", "aufgefordert": "mit Aufforderung"},
    "verantwortlich": {"elb": "eLb", "jobcenter": "Jobcenter", "gemeinsam": "gemeinsam"},
    "aufforderungStatus": {"offen": "offen", "erfuellt": "erfüllt", "ohne_folge": "ohne Rechtsfolge",
                           "minderung": "Minderung festgestellt"},
    "rechtsgrundlage": {"par15abs5": "§ 15 Abs. 5 SGB II", "par15abs6": "§ 15 Abs. 6 SGB II"},
    "art": {"pflichtverletzung": "Pflichtverletzung (§ 31)", "meldeversaeumnis": "Meldeversäumnis (§ 32)",
            "arbeitsverweigerung": "Arbeitsverweigerung"},
    "laufzeit": {"P14D": "2 Wochen", "P1M": "1 Monat", "P2M": "2 Monaten", "P3M": "3 Monaten",
                 "P6M": "6 Monaten"},
    "rolle": {"ifk": "Integrationsfachkraft", "teamleitung": "Teamleitung",
              "prozessverantwortung": "Prozessverantwortung", "qa": "Qualitätssicherung", "admin": "Administration"},
}
