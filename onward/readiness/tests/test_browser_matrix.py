"""In a real headless Chromium: an officer opens the readiness matrix from the menu and
filters who can fly; the Albanian delegation confirms a visa on its pledge's page, and
the person can fly on the matrix."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from onward.readiness.models import Fact, Requirement
from onward.relocation.models import State
from onward.relocation.tests.factories import bring_to, make_case, pledge
from onward.web.tests.browser import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_matrix_and_a_delegation_confirming_a_visa(browser_page, live_server, users):
    page, base = browser_page, live_server.url
    D = timezone.localdate()  # the cases are accepted today: the matrix is asked today
    alb = pledge(users, name="Albania 2026")
    deu = pledge(users, country="DEU", name="Germany 2026")
    family = bring_to(
        users, make_case(users, size=2), State.ACCEPTED, pledge_=alb, exit_checks=False
    )
    single = bring_to(
        users, make_case(users, size=1), State.ACCEPTED, pledge_=deu, exit_checks=False
    )
    Requirement.objects.create(country="ALB", kind="visa", delegation_confirms=True)
    Requirement.objects.create(country="ALB", kind="orientation", per_case=True)
    Requirement.objects.create(country="DEU", kind="biometrics")
    a, b = family.members.order_by("person_id")
    Fact.objects.create(person=a, kind="orientation", status="passed", on=D)
    Fact.objects.create(person=a, kind="visa", status="passed", on=D)
    Fact.objects.create(person=single.members.get(), kind="biometrics", status="passed", on=D)

    login(page, base, "t_resettlement")
    page.click("nav >> text=Readiness")
    page.fill("#matrix-filter input[name=on]", D.isoformat())
    page.click("#matrix-filter button")
    grid = page.locator("#readiness-matrix")
    assert "not ready" in grid.locator(f"tr[data-person='{b.person_id}']").inner_text()
    assert grid.locator("td[rowspan='2']").count() == 1  # orientation, once for the family
    shot(page, "readiness-matrix-01-all")
    page.check("#matrix-filter input[name=ready]")
    page.click("#matrix-filter button")
    # The click only waits for the navigation to start: wait for the filtered page.
    page.wait_for_url("**ready=1**")
    expect(grid.locator(f"tr[data-person='{a.person_id}']")).to_have_count(1)
    assert grid.locator(f"tr[data-person='{b.person_id}']").count() == 0
    page.context.clear_cookies()

    login(page, base, "t_delegation")
    page.goto(f"{base}/readiness/pledge/{alb.pk}/?on={D.isoformat()}")
    page.select_option("#confirm-item select[name=person]", b.person_id)
    page.fill("#confirm-item input[name=on]", D.isoformat())
    page.fill("#confirm-item input[name=valid_until]", "2027-06-01")
    page.fill("#confirm-item input[name=evidence]", "visa ALB-2026-77")
    shot(page, "readiness-matrix-02-delegation-confirms")
    page.click("#confirm-item button")
    assert f"Confirmed for {b.person_id}" in page.inner_text("body")
    page.goto(f"{base}/readiness/?on={D.isoformat()}&ready=1")
    expect(page.locator(f"#readiness-matrix tr[data-person='{b.person_id}']")).to_have_count(1)
    # The delegation sees its country's cases only.
    assert page.locator("#readiness-matrix").inner_text().count("Germany 2026") == 0
    shot(page, "readiness-matrix-03-delegation-ready")
    page.set_viewport_size({"width": 390, "height": 800})
    shot(page, "readiness-matrix-04-narrow")
    assert Fact.objects.filter(person=b, kind="visa", recorded_by=users["delegation"]).exists()
