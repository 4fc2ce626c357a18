"""A working day with appointments in the browser (runs after test_workplace.py: it moves the clock on):
intake from a free calendar slot, the first session held, the Folgetermin in the calendar, the client missing
it recorded from the case file, the Meldeversäumnis task in the inbox, a Wiedervorlage back on its day.
Then an appointment booked from the case file with the proposed day, refused in place on a Saturday, moved to
another day through the calendar and cancelled by the client. Screenshots of each step land in var/screenshots/."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from playwright.sync_api import expect

from engine.domain.workdays import next_working_day
from engine.runtime.clock import BERLIN
from tests.e2e.conftest import Site, Workstation
from tests.e2e.test_workplace import SESSION_TASK, fill_session_form, german

CUSTOMER = "123E000001"
def move_clock_to(site: Site, moment: datetime) -> None:
    clock = site.services.engine.clock
    clock.advance(moment - clock.now())  # type: ignore[attr-defined]


def appointment_row(page: Any, day: date) -> Any:
    """The case file's row of the appointment on `day` (by its start; a purpose may name other days)."""
    return page.locator("table.termine-fall tr", has=page.locator("td.beginn", has_text=german(day)))


def test_intake_calendar_session_missed_appointment_and_wiedervorlage(workstation: Workstation, site: Site) -> None:
    page = workstation.page
    first_day = next_working_day(site.today + timedelta(days=1))
    follow_day = next_working_day(first_day + timedelta(days=7))
    workstation.sign_in("ifk-nord")

    # 1. A free slot in the calendar becomes the new client's first appointment
    page.goto(workstation.url(f"/kalender?tag={first_day.isoformat()}&ansicht=tag"))
    workstation.shot("01-kalender-frei")
    page.get_by_role("link", name="08:00 frei – buchen").click()
    page.get_by_role("link", name="Neuen Fall mit diesem Termin als Erstgespräch anlegen").click()
    expect(page.locator("#tag")).to_have_value(first_day.isoformat())
    expect(page.locator("#uhrzeit")).to_have_value("08:00")
    page.fill("#kundennummer", CUSTOMER.lower())
    workstation.shot("02-neuer-fall")
    page.get_by_role("button", name="Fall anlegen").click()
    page.wait_for_url("**/faelle/*")
    case_id = int(page.url.rsplit("/", 1)[1])
    expect(page.locator("main")).to_contain_text("Fall angelegt; das Erstgespräch ist gebucht.")
    expect(page.locator("table.termine-fall")).to_contain_text("Erstgespräch")

    page.goto(workstation.url(f"/kalender?tag={first_day.isoformat()}&ansicht=woche"))
    expect(page.locator(".kalendertag", has_text=german(first_day))).to_contain_text(CUSTOMER)
    workstation.shot("03-kalender-erstgespraech")

    # 2. On the day the session is held; the Folgetermin agreed in the form is booked
    move_clock_to(site, datetime.combine(first_day, time(8, 45), BERLIN))
    page.goto(workstation.url(f"/faelle/{case_id}"))
    page.get_by_role("link", name=SESSION_TASK).click()
    page.wait_for_url("**/aufgaben/*")
    fill_session_form(page, follow_day, "folgetermin_praesenz")
    workstation.shot("04-erstgespraech-formular")
    page.get_by_role("button", name="Abschließen").click()
    page.wait_for_url(workstation.url(f"/faelle/{case_id}"))
    expect(appointment_row(page, first_day)).to_contain_text("wahrgenommen")
    expect(appointment_row(page, follow_day)).to_contain_text("geplant")

    page.goto(workstation.url(f"/kalender?tag={follow_day.isoformat()}&ansicht=tag"))
    expect(page.locator(".kalendertag")).to_contain_text(CUSTOMER)
    workstation.shot("05-kalender-folgetermin")

    # 3. The client does not come to the Folgetermin: recorded from the case file
    move_clock_to(site, datetime.combine(follow_day, time(9, 30), BERLIN))
    page.goto(workstation.url(f"/faelle/{case_id}"))
    appointment_row(page, follow_day).get_by_role("button", name="Nicht erschienen").click()
    page.wait_for_url(workstation.url(f"/faelle/{case_id}"))
    expect(page.locator("main")).to_contain_text("Termin als versäumt erfasst")
    expect(appointment_row(page, follow_day)).to_contain_text("versäumt")
    expect(page.locator("ul.aufgaben")).to_contain_text("Meldeversäumnis prüfen")
    workstation.shot("06-fallakte-versaeumt")

    page.goto(workstation.url("/eingang?bereich=mine"))
    expect(page.locator("table.eingang tbody tr", has_text="Meldeversäumnis prüfen")).to_contain_text(CUSTOMER)
    workstation.shot("07-eingang-meldeversaeumnis")
    assert "Task_MvPruefen" in {task.element_id for task in site.services.open_tasks(case_id)}

    # 4. A Wiedervorlage set in the case file comes back in the inbox on its day, not before
    back_on = next_working_day(follow_day + timedelta(days=2))
    page.goto(workstation.url(f"/faelle/{case_id}"))
    page.fill("#wiedervorlage-am", back_on.isoformat())
    page.fill("#wiedervorlage-grund", "Bescheinigung des Arztes nachfragen")
    page.get_by_role("button", name="Wiedervorlage anlegen").click()
    expect(page.locator("ul.wiedervorlagen")).to_contain_text("Bescheinigung des Arztes nachfragen")
    page.goto(workstation.url("/eingang?bereich=mine"))
    expect(page.locator(".heute")).not_to_contain_text("Bescheinigung des Arztes nachfragen")

    move_clock_to(site, datetime.combine(back_on, time(8, 0), BERLIN))
    page.goto(workstation.url("/eingang?bereich=mine"))
    expect(page.locator(".heute-wiedervorlagen")).to_contain_text("Bescheinigung des Arztes nachfragen")
    workstation.shot("08-eingang-wiedervorlage-heute")
    # »erledigt« submits the page's one row form (no form per row) and comes back to the same inbox
    page.locator(".heute-wiedervorlagen li", has_text="Bescheinigung des Arztes nachfragen").get_by_role(
        "button", name="erledigt").click()
    expect(page.locator("main")).to_contain_text("Wiedervorlage erledigt.")
    assert page.url.endswith("/eingang?bereich=mine")
    expect(page.locator(".heute")).not_to_contain_text("Bescheinigung des Arztes nachfragen")


def test_book_from_the_case_file_move_through_the_calendar_and_cancel(workstation: Workstation, site: Site) -> None:
    page = workstation.page
    number, case_id = site.start_case()
    workstation.sign_in("ifk-nord")

    # 1. The case file proposes the first free slot from the day contact is due, in person in the start phase
    page.goto(workstation.url(f"/faelle/{case_id}"))
    expect(page.locator("#termin-vorschlag")).to_contain_text("In Präsenz vorgewählt: Anfangsphase.")
    expect(page.locator("#termin-art")).to_have_value("praesenz")
    proposed_day = date.fromisoformat(page.locator("#termin-tag").input_value())
    proposed_time = page.locator("#termin-uhrzeit").input_value()
    saturday = site.today + timedelta(days=(5 - site.today.weekday()) % 7 or 7)
    page.fill("#termin-tag", saturday.isoformat())
    page.fill("#termin-zweck", "Unterlagen besprechen")
    page.locator("#termin-buchen").get_by_role("button", name="Termin buchen").click()
    expect(page.locator("#termin-buchen .fehlertext")).to_contain_text(f"Der {german(saturday)} ist kein Arbeitstag")
    expect(page.locator("#termin-zweck")).to_have_value("Unterlagen besprechen")
    expect(page.locator("table.termine-fall")).to_contain_text("Keine Termine.")
    workstation.shot("09-fallakte-termin-abgelehnt")
    page.fill("#termin-tag", proposed_day.isoformat())
    page.fill("#termin-uhrzeit", proposed_time)
    page.locator("#termin-buchen").get_by_role("button", name="Termin buchen").click()
    page.wait_for_url(workstation.url(f"/faelle/{case_id}"))
    expect(page.locator("main")).to_contain_text(f"Termin am {german(proposed_day)} {proposed_time} gebucht.")
    expect(appointment_row(page, proposed_day)).to_contain_text("Unterlagen besprechen")
    workstation.shot("10-fallakte-termin-gebucht")

    # 2. Moved to the next working day through the calendar's free slots
    other_day = next_working_day(proposed_day + timedelta(days=1))
    appointment_row(page, proposed_day).get_by_role("link", name="verschieben, absagen, erfassen").click()
    page.get_by_role("link", name="Einen anderen Tag im Kalender wählen").click()
    page.goto(page.url.replace(f"tag={proposed_day.isoformat()}", f"tag={other_day.isoformat()}")
              .replace("ansicht=woche", "ansicht=tag"))
    expect(page.locator("main")).to_contain_text("Termin verschieben: einen freien Termin wählen")
    workstation.shot("11-kalender-verschieben")
    slot = page.locator("li.frei a").first
    slot_time = slot.inner_text().split()[0]
    expect(slot).to_have_text(f"{slot_time} frei – hierhin verschieben")
    slot.click()
    expect(page.locator("#verschieben-tag")).to_have_value(other_day.isoformat())
    expect(page.locator("#verschieben-uhrzeit")).to_have_value(slot_time)
    page.locator("#verschieben").get_by_role("button", name="Verschieben").click()
    page.wait_for_url(workstation.url(f"/faelle/{case_id}"))
    expect(page.locator("main")).to_contain_text(f"Termin verschoben auf {german(other_day)} {slot_time}.")
    expect(appointment_row(page, other_day)).to_contain_text("geplant")

    # 3. The client cancels it: the case file and the calendar say who cancelled
    appointment_row(page, other_day).get_by_role("link", name="verschieben, absagen, erfassen").click()
    expect(page.locator("#terminstatus")).to_contain_text("geplant")
    workstation.shot("12-termin")
    page.get_by_label("von der eLb abgesagt").check()
    page.get_by_role("button", name="Termin absagen").click()
    page.wait_for_url(workstation.url(f"/faelle/{case_id}"))
    expect(appointment_row(page, other_day)).to_contain_text("abgesagt (von der eLb abgesagt)")
    page.goto(workstation.url(f"/kalender?tag={other_day.isoformat()}&ansicht=tag"))
    expect(page.locator(".kalendertag")).to_contain_text("(von der eLb abgesagt)")
    expect(page.locator(".kalendertag")).to_contain_text(f"{slot_time} frei – buchen")
    workstation.shot("13-kalender-abgesagt")
    assert number in page.locator(".kalendertag").inner_text()
