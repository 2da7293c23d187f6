"""In a real headless Chromium: an officer opens a pledge's readiness page from the
pledge, sees who is missing what, records the missing fact, and the person is ready."""

import pytest

from onward.readiness.models import Requirement
from onward.relocation.models import State
from onward.relocation.tests.factories import bring_to, make_case, pledge
from onward.web.tests.browser import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_record_a_missing_fact_from_the_readiness_page(browser_page, live_server, users):
    page, base = browser_page, live_server.url
    alb = pledge(users, name="Albania 2026")
    case = bring_to(users, make_case(users, size=1), State.ACCEPTED, pledge_=alb, exit_checks=False)
    Requirement.objects.create(country="ALB", kind="visa")
    person = case.members.get()

    login(page, base, "t_resettlement")
    page.goto(f"{base}/relocation/pledges/{alb.pk}/")
    page.click("text=Readiness of its accepted cases")
    page.fill("#readiness-filter input[name=on]", "2026-12-02")
    page.click("#readiness-filter button")
    row = page.locator(f"tr[data-person='{person.person_id}']")
    assert "missing" in row.inner_text() and "not ready" in row.inner_text()
    shot(page, "readiness-01-missing")

    page.fill("#record-fact input[name=on]", "2026-12-02")
    page.click("#record-fact button")
    row = page.locator(f"tr[data-person='{person.person_id}']")
    assert "passed" in row.inner_text() and "not ready" not in row.inner_text()
    shot(page, "readiness-02-recorded")


def test_record_a_travel_document_with_its_number(browser_page, live_server, users):
    """The form's travel-document fields: the number is stored (encrypted), the person
    becomes ready, and the case follows readiness."""
    from onward.readiness.models import Fact
    from onward.relocation.models import RelocationCase

    page, base = browser_page, live_server.url
    alb = pledge(users, name="Albania 2026")
    case = bring_to(users, make_case(users, size=1), State.ACCEPTED, pledge_=alb, exit_checks=False)
    Requirement.objects.create(country="ALB", kind="travel_document")
    person = case.members.get()

    login(page, base, "t_resettlement")
    page.goto(f"{base}/readiness/pledge/{alb.pk}/?on=2026-12-02")
    form = page.locator("#record-fact")
    form.locator("select[name=kind]").select_option("travel_document")
    form.locator("input[name=on]").fill("2026-12-02")
    form.locator("input[name=valid_until]").fill("2027-12-01")
    form.locator("input[name=evidence]").fill("ICRC travel document, copy on file")
    form.locator("input[name=document_number]").fill("ICRC-26-5555")
    form.locator("input[name=document_issuer]").fill("ICRC")
    form.locator("input[name=document_issued_on]").fill("2026-12-01")
    shot(page, "readiness-03-travel-document-form")
    form.locator("button").click()
    row = page.locator(f"tr[data-person='{person.person_id}']")
    assert "passed" in row.inner_text() and "not ready" not in row.inner_text()
    shot(page, "readiness-04-travel-document-recorded")
    fact = Fact.objects.get(person=person, kind="travel_document")
    assert (fact.document_number, fact.document_issuer) == ("ICRC-26-5555", "ICRC")
    assert RelocationCase.objects.get(case=case).state == State.READY
    # The traveller needs a wheelchair and a medical escort: the manifest's codes.
    needs = page.locator("#travel-needs")
    needs.locator("select[name=person]").select_option(person.person_id)
    needs.locator("input[value=WCHR]").check()
    needs.locator("input[value=MEDA]").check()
    needs.locator("button").click()
    # The page again, the saved codes beside the traveller's name (an option is never
    # "visible" to Playwright: attached is what it can wait for).
    page.wait_for_selector("#travel-needs option:has-text('(MEDA, WCHR)')", state="attached")
    shot(page, "readiness-05-travel-needs")
    assert sorted(person.travel_needs.values_list("need", flat=True)) == ["MEDA", "WCHR"]
