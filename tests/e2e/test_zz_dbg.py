import html, re
from tests.e2e.conftest import Site, Workstation
from tests.e2e.test_workplace import fill_session_form

def fix(route):
    response = route.fetch()
    body = response.text()
    body = re.sub(r'(<script type="application/xml"[^>]*>)(.*?)(</script>)', lambda m: m.group(1) + html.unescape(m.group(2)) + m.group(3), body, flags=re.S)
    route.fulfill(response=response, body=body)

def test_dbg(workstation: Workstation, site: Site) -> None:
    number, case_id = site.start_case()
    page = workstation.page
    page.route("**/faelle/*", fix)
    workstation.sign_in("ifk-nord")
    page.goto(workstation.url(f"/faelle/{case_id}"))
    workstation.wait_for_diagrams()
    print("A", workstation.markers("Task_Erstgespraech"), workstation.markers("Task_Kooperationsplan"))
    workstation.shot("dbg1")
    page.get_by_role("link", name="Erstgespräch in Präsenz führen").click()
    fill_session_form(page, site.in_days(14))
    page.get_by_role("button", name="Abschließen").click()
    page.wait_for_url(workstation.url(f"/faelle/{case_id}"))
    page.goto(workstation.url(f"/faelle/{case_id}"))
    workstation.wait_for_diagrams()
    print("B", workstation.markers("Task_Erstgespraech"), workstation.markers("Task_Kooperationsplan"))
    print(page.evaluate("() => [...document.querySelectorAll('.diagramm')].map(d => [d.id, d.dataset.status, d.dataset.waiting, d.dataset.passed])"))
    workstation.shot("dbg2")
    print("ERR", workstation.page_errors)
