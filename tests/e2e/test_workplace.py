"""The counsellor's day in the browser: sign in, inbox, session form, case file with diagram, Kooperationsplan."""

from __future__ import annotations

from datetime import date
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import NORD_CASE, SUED_CASE, Site, Workstation

SESSION_TASK = "Erstgespräch in Präsenz führen"
PLAN_TASK = "Kooperationsplan vereinbaren"
REQUIRED = "Pflichtfeld: bitte ausfüllen."


def german(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def fill_session_form(page: Any, next_contact: date | None, contact: str = "wiedervorlage") -> None:
    """The Erstgespräch as a counsellor records it, agreeing `contact` (a Wiedervorlage or a Folgetermin);
    without a date when next_contact is None."""
    page.check('input[name="gespraechsart"][value="praesenz"]')
    page.fill("#ausgangssituation", "Alleinerziehend, zuletzt Helferin im Einzelhandel; sucht Teilzeit.")
    page.fill("#potenzialanalyse", "Will wieder im Verkauf arbeiten; Führerschein vorhanden, Kita-Platz ab März.")
    page.select_option("#ergebnis", "plan_vereinbart")
    page.check('input[name="kooperationsbereit"][value="true"]')
    page.check(f'input[name="naechsterKontakt"][value="{contact}"]')
    if next_contact is not None:
        page.fill("#naechsterKontaktAm", next_contact.isoformat())  # the date input takes ISO dates
    page.fill("#notiz", "Gespräch in ruhiger Atmosphäre.")


def field_box(page: Any, field_id: str) -> Any:
    """The form field's block: label, input and the error text shown next to it."""
    return page.locator(".feld", has=page.locator(f"#{field_id}"))


def appointments(page: Any) -> Any:
    """The case file's list of appointments and held sessions."""
    return page.locator("div", has=page.get_by_role("heading", name="Termine", exact=True))


def test_sign_in_lands_on_the_team_inbox(workstation: Workstation, site: Site) -> None:
    page = workstation.page
    page.goto(workstation.url("/eingang"))
    page.wait_for_url("**/anmelden?next=*")
    assert "Bitte melden Sie sich an." in page.inner_text("main")
    workstation.shot("01-anmelden")

    page.fill("#benutzer", "ifk-nord")
    page.fill("#passwort", "falsch-falsch-falsch")
    page.get_by_role("button", name="Anmelden").click()
    expect(page.locator("main")).to_contain_text("Benutzername oder Passwort stimmen nicht.")
    workstation.shot("02-falsches-passwort")

    page.fill("#passwort", "Sicher-und-lang-2025")
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(workstation.url("/eingang"))
    assert "Nora Nordmann · Integrationsfachkraft · nord" in page.inner_text("header")
    table = page.locator("table.eingang")
    row = table.locator("tbody tr", has_text=NORD_CASE)
    assert row.count() == 1
    assert SESSION_TASK in row.inner_text()
    assert SUED_CASE not in table.inner_text()
    assert SUED_CASE not in page.content()
    workstation.shot("03-eingang")

    row.get_by_role("link", name=SESSION_TASK).click()
    page.wait_for_url(f"**/aufgaben/{site.task(site.cases[NORD_CASE], 'Task_Erstgespraech').id}")
    assert page.locator("h1").inner_text() == SESSION_TASK
    workstation.shot("04-aufgabe")


def test_session_form_moves_the_case_on(workstation: Workstation, site: Site) -> None:
    number, case_id = site.start_case()
    next_contact = site.in_days(14)
    page = workstation.page
    workstation.sign_in("ifk-nord")

    page.locator("table.eingang tbody tr", has_text=number).get_by_role("link", name=number).click()
    page.wait_for_url(workstation.url(f"/faelle/{case_id}"))
    assert page.inner_text("#naechster-kontakt") == german(site.today)
    assert SESSION_TASK in page.inner_text("ul.aufgaben")
    workstation.wait_for_diagrams()
    assert "wartet" in workstation.markers("Task_Erstgespraech")
    assert "wartet" not in workstation.markers("Task_Kooperationsplan")
    workstation.shot("01-fallakte-vorher")

    page.get_by_role("link", name=SESSION_TASK).click()
    page.wait_for_url("**/aufgaben/*")
    fill_session_form(page, next_contact)
    workstation.shot("02-formular-ausgefuellt")
    page.get_by_role("button", name="Abschließen").click()

    page.wait_for_url(workstation.url(f"/faelle/{case_id}"))
    main = page.inner_text("main")
    assert f"»{SESSION_TASK}« erledigt." in main
    assert page.inner_text("#naechster-kontakt") == f"{german(next_contact)} · Wiedervorlage"
    open_tasks = page.locator("ul.aufgaben")
    assert PLAN_TASK in open_tasks.inner_text()
    assert SESSION_TASK not in open_tasks.inner_text()
    assert "Beratungsgespräch (Präsenz) · ifk-nord" in appointments(page).inner_text()
    workstation.wait_for_diagrams()
    assert "wartet" in workstation.markers("Task_Kooperationsplan")
    erstgespraech = workstation.markers("Task_Erstgespraech")
    assert "durchlaufen" in erstgespraech
    assert "wartet" not in erstgespraech
    workstation.shot("03-fallakte-nachher")

    assert [task.element_id for task in site.services.open_tasks(case_id)] == ["Task_Kooperationsplan"]
    assert site.services.case(case_id).next_contact_on == next_contact
    done = site.events(case_id, "aufgabe_erledigt")
    assert [(event.actor, event.element_id) for event in done] == [("ifk-nord", "Task_Erstgespraech")]


def test_wrong_input_is_explained_and_changes_nothing(workstation: Workstation, site: Site) -> None:
    number, case_id = site.start_case()
    task = site.task(case_id, "Task_Erstgespraech")
    page = workstation.page
    workstation.sign_in("ifk-nord")
    page.locator("table.eingang tbody tr", has_text=number).get_by_role("link", name=SESSION_TASK).click()
    page.wait_for_url(workstation.url(f"/aufgaben/{task.id}"))

    fill_session_form(page, next_contact=None)  # no date for the next contact
    page.fill("#ausgangssituation", "")  # a required text left empty
    # An over-long text, as an old browser or a pasted document would send it (the page's maxlength aside).
    page.eval_on_selector("#potenzialanalyse", "(element) => element.removeAttribute('maxlength')")
    page.fill("#potenzialanalyse", "x" * 4001)
    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        page.get_by_role("button", name="Abschließen").click()
    assert answer.value.status == 422
    expect(page.locator(".meldung.fehler")).to_contain_text("Es wurde nichts gespeichert.")
    assert page.inner_text("#naechsterKontaktAm-fehler") == REQUIRED
    assert REQUIRED in field_box(page, "naechsterKontaktAm").inner_text()
    assert page.inner_text("#ausgangssituation-fehler") == REQUIRED
    assert page.inner_text("#potenzialanalyse-fehler") == "Höchstens 4000 Zeichen (eingegeben: 4001)."
    assert page.locator(".feld.hat-fehler").count() == 3
    # What was entered correctly is still there.
    assert page.is_checked('input[name="naechsterKontakt"][value="wiedervorlage"]')
    assert page.input_value("#ergebnis") == "plan_vereinbart"
    assert page.input_value("#notiz") == "Gespräch in ruhiger Atmosphäre."
    workstation.shot("01-fehlermeldungen")

    assert [open_task.id for open_task in site.services.open_tasks(case_id)] == [task.id]
    case = site.services.case(case_id)
    assert case.next_contact_on == site.today
    assert case.next_contact_kind is None
    assert site.events(case_id, "aufgabe_erledigt") == []
    assert site.draft("ifk-nord", task.id) is None

    page.get_by_role("link", name="Zur Fallakte").click()
    page.wait_for_url(workstation.url(f"/faelle/{case_id}"))
    assert page.inner_text("#naechster-kontakt") == german(site.today)
    assert SESSION_TASK in page.inner_text("ul.aufgaben")
    assert "Beratungsgespräch" not in appointments(page).inner_text()
    workstation.wait_for_diagrams()
    assert "wartet" in workstation.markers("Task_Erstgespraech")
    workstation.shot("02-fallakte-unveraendert")


def test_cooperation_plan_draft_and_completion(workstation: Workstation, site: Site) -> None:
    number, case_id = site.start_case()
    site.services.complete_task(site.task(case_id, "Task_Erstgespraech").id, {
        "gespraechsart": "praesenz", "ausgangssituation": "Langzeitarbeitslos, gelernter Koch",
        "potenzialanalyse": "Möchte in die Gemeinschaftsverpflegung", "ergebnis": "plan_vereinbart",
        "kooperationsbereit": "true", "naechsterKontakt": "wiedervorlage",
        "naechsterKontaktAm": site.in_days(21).isoformat()}, actor="ifk-nord")
    task = site.task(case_id, "Task_Kooperationsplan")
    steps = [("Bewerbungsunterlagen überarbeiten", "elb", site.in_days(7)),
             ("Vermittlungsvorschläge Gemeinschaftsverpflegung zusenden", "jobcenter", site.in_days(14))]
    page = workstation.page
    workstation.sign_in("ifk-nord")
    page.goto(workstation.url(f"/faelle/{case_id}"))
    page.get_by_role("link", name=PLAN_TASK).click()
    page.wait_for_url(workstation.url(f"/aufgaben/{task.id}"))
    assert page.locator('input[name$="-beschreibung"]').count() == 3

    page.fill("#planZiel", "Arbeitsaufnahme als Koch in einer Kantine")
    page.select_option("#planLaufzeit", "P3M")
    page.fill("#eigenbemuehungen", "Zwei Bewerbungen pro Woche")
    for number_, (text, responsible, due) in enumerate(steps, start=1):
        page.fill(f'[name="schritt-{number_}-beschreibung"]', text)
        page.select_option(f'[name="schritt-{number_}-verantwortlich"]', responsible)
        page.fill(f'[name="schritt-{number_}-faellig"]', due.isoformat())
    workstation.shot("01-plan-ausgefuellt")

    page.get_by_role("button", name="Weiteren Schritt hinzufügen").click()
    page.locator('[name="schritt-4-beschreibung"]').wait_for()
    assert page.locator('input[name$="-beschreibung"]').count() == 4
    assert page.input_value('[name="schritt-2-beschreibung"]') == steps[1][0]
    assert page.input_value("#planZiel") == "Arbeitsaufnahme als Koch in einer Kantine"
    workstation.shot("02-weiterer-schritt")

    page.get_by_role("button", name="Entwurf speichern").click()
    expect(page.locator("main")).to_contain_text("Entwurf gespeichert. Die Aufgabe bleibt offen.")
    assert page.url == workstation.url(f"/aufgaben/{task.id}")
    page.reload()
    assert page.input_value("#planZiel") == "Arbeitsaufnahme als Koch in einer Kantine"
    assert page.input_value("#planLaufzeit") == "P3M"
    assert page.input_value("#eigenbemuehungen") == "Zwei Bewerbungen pro Woche"
    for number_, (text, responsible, due) in enumerate(steps, start=1):
        assert page.input_value(f'[name="schritt-{number_}-beschreibung"]') == text
        assert page.input_value(f'[name="schritt-{number_}-verantwortlich"]') == responsible
        assert page.input_value(f'[name="schritt-{number_}-faellig"]') == due.isoformat()
    assert page.input_value('[name="schritt-3-beschreibung"]') == ""
    workstation.shot("03-entwurf-neu-geladen")
    assert [open_task.id for open_task in site.services.open_tasks(case_id)] == [task.id]
    assert site.draft("ifk-nord", task.id) is not None

    page.get_by_role("button", name="Abschließen").click()
    page.wait_for_url(workstation.url(f"/faelle/{case_id}"))
    assert page.locator("h1").inner_text() == f"Fall {number}"
    assert f"»{PLAN_TASK}« erledigt." in page.inner_text("main")
    plan = page.locator("section", has=page.get_by_role("heading", name="Kooperationsplan"))
    assert "Arbeitsaufnahme als Koch in einer Kantine" in plan.inner_text()
    rows = [[cell.strip() for cell in row.locator("td").all_inner_texts()]
            for row in plan.locator("tbody tr").all()]
    assert rows == [
        ["1", steps[0][0], "eLb", german(steps[0][2]), "–", "offen"],
        ["2", steps[1][0], "Jobcenter", german(steps[1][2]), "–", "offen"],
    ]
    assert PLAN_TASK not in page.inner_text("ul.aufgaben")
    workstation.shot("04-fallakte-mit-plan")
    assert task.id not in {open_task.id for open_task in site.services.open_tasks(case_id)}
    assert site.draft("ifk-nord", task.id) is None
