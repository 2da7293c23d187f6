"""In a real headless Chromium: a resettlement officer submits three cases to Albania's
pledge; the Albanian delegation accepts two and rejects one with a reason; the pledge
page shows the new figures."""

import pytest

from onward.relocation.models import State
from onward.relocation.tests.factories import bring_to, make_case, pledge
from onward.web.tests.browser import login, logout, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_submits_three_delegation_decides_pledge_shows_figures(
    browser_page, live_server, users
):
    page, base = browser_page, live_server.url
    alb = pledge(users, name="Albania 210", persons=210, valid_to="")
    cases = [
        bring_to(users, make_case(users, size=n, family_name=f"Family{n}"), State.ASSESSED)
        for n in (2, 3, 4)
    ]

    login(page, base, "t_resettlement")
    page.click("nav >> text=Pledges")
    page.click("text=Submit cases to a pledge")
    for case in cases:
        page.check(f"#pick-{case.case_id}")
    page.select_option("#id_pledge", str(alb.pk))
    shot(page, "relocation-01-bulk-submit")
    page.click("button[type=submit] >> text=Submit selected cases")
    page.wait_for_selector(".messages .success")
    assert "Submitted 3 cases" in page.inner_text(".messages")
    shot(page, "relocation-02-pledge-after-submission")
    logout(page)

    login(page, base, "t_delegation")
    page.click("nav >> text=Pledges")
    page.click("text=Our submissions")
    shot(page, "relocation-03-delegation-submissions")
    for case, decision in zip(cases, ("accepted", "accepted", "rejected"), strict=True):
        row = page.locator("tr", has=page.locator(f"a:text-is('{case.case_id}')"))
        if decision == "rejected":
            row.locator("input[name=reason]").fill("Outside our family-size criteria")
        row.locator(f"button[value={decision}]").click()
        page.wait_for_selector(".messages .success")
    shot(page, "relocation-04-delegation-decided")
    text = page.inner_text("table")
    assert text.count("Accepted") == 2 and "Outside our family-size criteria" in text
    page.click(f"text={alb.name}")
    page.wait_for_selector("h1 >> text=Albania 210")
    shot(page, "relocation-05-pledge-figures")
    figures = page.inner_text("table.figures")
    # The dimension by its label as shipped (no longer its code).
    persons = next(line for line in figures.splitlines() if line.startswith("Persons (places)"))
    # capacity, submitted, awaiting, accepted, departed, remaining
    assert persons.split("\t")[1:] == ["210", "9", "0", "5", "0", "205"]
    assert "Outside our family-size criteria" in page.inner_text("table.history")
    logout(page)

    # The officer opens an accepted case's relocation page: ready for departure is computed
    # from the requirements its members met (recorded on the pledge's readiness page; the
    # transfer journey records them), and the decision is not the officer's.
    login(page, base, "t_resettlement")
    page.goto(f"{base}/relocation/cases/{cases[0].case_id}/")
    page.wait_for_selector("#readiness-link")
    shot(page, "relocation-06-case-panel-officer")
    assert "never set by hand" in page.inner_text("#readiness-link")
    assert page.locator("button >> text=Accept").count() == 0  # not the officer's to decide
