"""Letters (issue 11): every required field is read back out of each PDF; templates are checked and sandboxed."""

from __future__ import annotations

import io
import shutil
from datetime import date
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.domain import rfb
from engine.letters import fields
from engine.letters.fields import EXAMPLES, KINDS
from engine.letters.of_case import letters_of
from engine.letters.render import TEMPLATES, LetterError, check_templates, read_folder, render
from tests.conftest import SRO_PROCESSES

COMMON = ("Erika Mustermann", "Weender Straße 1, 37073 Göttingen", "123D456789", "12345BG0001234", "Frau Beispiel",
          "Jobcenter Landkreis Göttingen")
REQUIRED = {
    # § 59 SGB II with § 309 SGB III: purpose, date, time, place; the RFB of § 32 with amount and start
    "einladung": ("19.03.2026", "10:00", "Raum 112", "Besprechung Ihres Bewerberangebots", "§ 309 SGB III",
                  "Rechtsfolgenbelehrung", "10 % des Regelbedarfs", "56,30 €", "Kalendermonat, der auf die",
                  "wichtigen Grund", "außergewöhnlichen Härte", "§ 24 SGB X"),
    # § 15 SGB II: goal, dated steps, own efforts, review; text form, no signature, no RFB
    "kooperationsplan": ("02.03.2026", "Arbeitsaufnahme im Verkauf", "Lebenslauf überarbeiten", "16.03.2026",
                         "Vier Bewerbungen im Monat", "02.09.2026", "keine Rechtsfolgenbelehrung"),
    "aufforderung": ("Bewerbung als Verkäuferin bei Firma X", "23.03.2026", "Kopie der Bewerbung", "§ 15 Abs. 6",
                     "10 % des Regelbedarfs", "56,30 €", "20 % (112,60 €", "aufgehoben, frühestens nach einem Monat"),
    "anhoerung": ("§ 24 SGB X", "23.03.2026", "08.04.2026", "10 % des Regelbedarfs", "56,30 €", "einen Monat",
                  "wichtigen Grund", "persönlich"),
    # the decision: percent, euro amount, start and end month after deemed delivery, reasons, appeal instructions
    "minderungsbescheid": ("10 % des Regelbedarfs", "56,30 €", "01.05.2026", "31.05.2026", "14.04.2026",
                           "18.04.2026", "Begründung", "Rechtsbehelfsbelehrung", "Widerspruch", "einen Monat"),
    "aufhebungsbescheid": ("20.05.2026", "31.05.2026", "aufgehoben", "Rechtsbehelfsbelehrung"),
    # reform (unverified): exclusion, one month of rent to the landlord, then benefits end
    "nichterreichbarkeit": ("nicht erreichbar", "01.08.2026", "31.08.2026", "01.09.2026", "Vermieter",
                            "Rechtsbehelfsbelehrung"),
}

SHIPPED = read_folder(SRO_PROCESSES / "vorlagen")


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


@pytest.mark.parametrize("kind", KINDS)
def test_each_pdf_carries_every_required_field(kind: str) -> None:
    text = pdf_text(render(kind, EXAMPLES[kind], SHIPPED).pdf())
    missing = [field for field in (*COMMON, *REQUIRED[kind]) if field not in text]
    assert missing == []


def test_an_invitation_without_rfb_carries_none() -> None:
    text = pdf_text(render("einladung", {**EXAMPLES["einladung"], "mitRfb": False}, SHIPPED).pdf())
    assert "Rechtsfolgenbelehrung" not in text and "19.03.2026" in text


def test_the_record_for_the_event_log_holds_hash_and_data() -> None:
    letter = render("minderungsbescheid", EXAMPLES["minderungsbescheid"], SHIPPED)
    record = letter.record()
    assert record["sha256"] == letter.sha256 and len(record["vorlageSha256"]) == 64
    assert record["daten"]["minderung"]["beginn"] == "01.05.2026"
    # reproducible from the record
    assert render("minderungsbescheid", record["daten"], SHIPPED).sha256 == letter.sha256


def test_the_shipped_templates_are_clean() -> None:
    assert check_templates() == []


def copy_templates(tmp_path: Path) -> Path:
    folder = tmp_path / "vorlagen"
    shutil.copytree(TEMPLATES, folder)
    return folder


def test_a_template_naming_an_unknown_field_is_refused_with_its_name(tmp_path: Path) -> None:
    folder = copy_templates(tmp_path)
    path = folder / "einladung.html"
    path.write_text(path.read_text(encoding="utf-8").replace("{{ termin.ort }}", "{{ termin.raum }}"),
                    encoding="utf-8")
    [finding] = check_templates(folder)
    assert finding.endswith("Das Feld »termin.raum« gibt es für die Briefart »einladung« nicht.")
    result = CliRunner().invoke(main, ["lint", str(tmp_path)])
    assert result.exit_code == 1 and "termin.raum" in result.output


def test_letters_demo_refuses_broken_templates_and_writes_nothing(tmp_path: Path) -> None:
    folder = copy_templates(tmp_path)
    (folder / "anhoerung.html").write_text("{{ geheim }}", encoding="utf-8")
    result = CliRunner().invoke(main, ["letters", "--demo", str(tmp_path / "out"), "--vorlagen", str(folder)])
    assert result.exit_code == 1 and "»geheim«" in result.output
    assert not (tmp_path / "out").exists()


def test_letters_demo_writes_one_of_each_kind(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["letters", "--demo", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in tmp_path.glob("*.pdf")) == sorted(f"{kind}.pdf" for kind in KINDS)


def test_the_sandbox_keeps_templates_away_from_python_internals(tmp_path: Path) -> None:
    folder = copy_templates(tmp_path)
    (folder / "anhoerung.html").write_text("{{ datum.__class__.__mro__ }}", encoding="utf-8")
    with pytest.raises(LetterError):
        render("anhoerung", EXAMPLES["anhoerung"], read_folder(folder))


def test_unknown_kind_is_a_german_error() -> None:
    with pytest.raises(LetterError, match="Unbekannte Briefart"):
        render("mahnung", {}, SHIPPED)


def test_under_the_reform_a_demand_is_an_administrative_act_with_reasons_and_appeal() -> None:
    # reform "Verpflichtung" (§ 15a SGB II n. F., source weaker than the statute text)
    record = {"schritt": "Bewerbung bei Firma X", "frist": date(2026, 8, 3), "rechtsgrundlage": "par15abs6",
              "rfb": rfb.compute("neue_grundsicherung", "pflichtverletzung", 1, date(2026, 8, 3))}
    text = pdf_text(render("aufforderung", fields.demand(fields.EXAMPLE_CASE, date(2026, 7, 20), record,
                                                         "Kopie"), SHIPPED).pdf())
    for required in ("Verwaltungsakt", "Begründung", "Rechtsbehelfsbelehrung", "Widerspruch", "30 % des Regelbedarfs",
                     "168,90 €", "03.08.2026"):
        assert required in text
    old_law = pdf_text(render("aufforderung", EXAMPLES["aufforderung"], SHIPPED).pdf())
    assert "Verwaltungsakt" not in old_law and "Rechtsbehelfsbelehrung" not in old_law


def test_the_case_data_yields_the_unreachability_notice() -> None:
    exclusion = {"festgestelltAm": date(2026, 7, 20), "regelbedarfEntfaelltAb": date(2026, 8, 1),
                 "mieteAnVermieterBis": date(2026, 8, 31), "leistungenEndenAb": date(2026, 9, 1)}
    data = {"ausschluesse": [exclusion], "meldeversaeumnisse": [date(2026, 7, 6), date(2026, 7, 13), date(2026, 7, 20)]}
    [letter] = letters_of(data, fields.EXAMPLE_CASE)
    assert (letter.kind, letter.nr) == ("nichterreichbarkeit", 1)
    text = pdf_text(render(letter.kind, letter.data, SHIPPED).pdf())
    assert "zuletzt am 20.07.2026" in text and "01.09.2026" in text


def test_an_agreed_plan_yields_its_text_form() -> None:
    data = {"planVereinbartAm": date(2025, 3, 3), "planZiel": "Arbeit im Lager", "planLaufzeit": "P3M",
            "schritte": [{"nr": 1, "beschreibung": "Staplerschein", "verantwortlich": "elb",
                          "faellig": date(2025, 4, 1)}]}
    [letter] = letters_of(data, fields.EXAMPLE_CASE)
    text = pdf_text(render(letter.kind, letter.data, SHIPPED).pdf())
    assert letter.kind == "kooperationsplan" and "Staplerschein" in text and "03.06.2025" in text
    assert letters_of({**data, "planVereinbartAm": None}, fields.EXAMPLE_CASE) == []  # steps set, no plan agreed


def missed_appointment_hearing(missed: list[date], requested: bool) -> str:
    data = {"art": "meldeversaeumnis", "verstossAm": missed[-1], "minderung": {"prozent": 10, "monate": 1},
            "anhoerungFrist": date(2025, 4, 24), "anhoerungPersoenlich": requested, "meldeversaeumnisse": missed}
    [letter] = letters_of(data, fields.EXAMPLE_CASE, today=date(2025, 4, 14))
    assert letter.kind == "anhoerung"
    return pdf_text(render(letter.kind, letter.data, SHIPPED).pdf())


def test_the_hearing_after_a_repeated_missed_appointment_is_in_person_par_31a_abs_2() -> None:
    # § 31a Abs. 2 SGB II: after repeated missed appointments the hearing is to be in person, ticked or not
    second = missed_appointment_hearing([date(2025, 3, 10), date(2025, 4, 10)], requested=False)
    assert "Wir hören Sie persönlich an – wiederholtes Meldeversäumnis (§ 31a Abs. 2 SGB II)" in second
    first = missed_appointment_hearing([date(2025, 4, 10)], requested=False)
    assert "Wir hören Sie persönlich an" not in first
    assert "Auf Ihren Wunsch hören wir Sie auch persönlich an (§ 31a Abs. 2 SGB II)" in first
    asked = missed_appointment_hearing([date(2025, 4, 10)], requested=True)
    assert "Wir hören Sie persönlich an – auf Ihren Wunsch (§ 31a Abs. 2 SGB II)" in asked


def test_the_hearing_on_a_second_breach_of_duty_is_in_person_par_31a_abs_2() -> None:
    earlier = {"art": "pflichtverletzung", "verstossAm": date(2024, 11, 18), "bescheidAm": date(2024, 12, 10),
               "beginn": date(2025, 1, 1), "ende": date(2025, 1, 31), "monate": 1, "prozent": 10}
    demand = {"nr": 1, "status": "offen", "schritt": "Bewerbung bei Firma X", "frist": date(2025, 3, 13),
              "erstelltAm": date(2025, 3, 3), "rechtsgrundlage": "par15abs6",
              "rfb": rfb.compute("buergergeld", "pflichtverletzung", 1, date(2025, 3, 13))}
    data = {"anhoerungFrist": date(2025, 3, 21), "aufforderungen": [demand], "minderungen": [earlier]}
    [hearing] = [letter for letter in letters_of(data, fields.EXAMPLE_CASE, today=date(2025, 3, 14))
                 if letter.kind == "anhoerung"]
    text = pdf_text(render(hearing.kind, hearing.data, SHIPPED).pdf())
    assert "Wir hören Sie persönlich an – wiederholte Pflichtverletzung (§ 31a Abs. 2 SGB II)" in text


def test_under_the_reform_the_person_is_heard_before_the_unreachability_finding() -> None:
    # Neue Grundsicherung (as reported): hearing (§ 24 SGB X) before the exclusion; in person after repeated misses
    data = {"art": "meldeversaeumnis", "verstossAm": date(2026, 7, 20), "anhoerungFrist": date(2026, 7, 27),
            "minderung": {"prozent": 0, "monate": 1, "folge": "unerreichbar"},
            "meldeversaeumnisse": [date(2026, 7, 6), date(2026, 7, 13), date(2026, 7, 20)]}
    [letter] = letters_of(data, fields.EXAMPLE_CASE, today=date(2026, 7, 20))
    assert (letter.kind, letter.title) == ("anhoerung", "Anhörung vor Feststellung der Nichterreichbarkeit "
                                                        "(Meldeversäumnis vom 20.07.2026)")
    text = pdf_text(render(letter.kind, letter.data, SHIPPED).pdf())
    for required in ("vor der Feststellung der Nichterreichbarkeit", "drei Meldetermine in Folge", "20.07.2026",
                     "nicht erreichbar", "Vermieter", "27.07.2026",
                     "wiederholtes Meldeversäumnis (§ 31a Abs. 2 SGB II)"):
        assert required in text, required
    assert "zu mindern" not in text


def test_a_template_set_is_compiled_once_and_a_changed_one_anew(monkeypatch: pytest.MonkeyPatch) -> None:
    """A step that produces a letter must not compile the templates again (it cost 5 ms of a 5 ms timer command)."""
    from jinja2.sandbox import SandboxedEnvironment

    compiled: list[str | None] = []
    original = SandboxedEnvironment.compile

    def counting(self: SandboxedEnvironment, source: str, name: str | None = None, *args: object,
                 **kwargs: object) -> object:
        compiled.append(name)
        return original(self, source, name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(SandboxedEnvironment, "compile", counting)
    templates = read_folder(TEMPLATES)
    first = render("einladung", EXAMPLES["einladung"], templates)
    assert render("einladung", EXAMPLES["einladung"], dict(templates)).html == first.html
    assert compiled.count("einladung.html") <= 1
    changed = {**templates, "einladung.html": templates["einladung.html"].replace("{% endblock %}",
                                                                                 "<p>Neu.</p>{% endblock %}")}
    assert "Neu." in render("einladung", EXAMPLES["einladung"], changed).html
    assert compiled.count("einladung.html") <= 2
