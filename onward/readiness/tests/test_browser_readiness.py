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
