"""In a real headless Chromium: the only pledge ended in 2013, so "Submit to a pledge"
says no pledge is open today and links to the pledges; the officer sees it closed there
(derived from its dates), extends its end date, and then submits a case to it."""

import datetime as dt

import pytest
from django.utils import timezone

from onward.relocation.models import State, Submission
from onward.relocation.tests.factories import bring_to, make_case, pledge
from onward.web.tests.browser import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_empty_choice_of_pledges_leads_to_extending_one_then_submitting(
    browser_page, live_server, users
):
    page, base = browser_page, live_server.url
    germany = pledge(users, country="DEU", name="Germany 2013", valid_to="2013-12-31")
    case = bring_to(users, make_case(users, family_name="Waiting"), State.ASSESSED)
    today = timezone.localdate()

    login(page, base, "t_resettlement")
    page.click("nav >> text=Pledges")
    page.click("text=Submit cases to a pledge")
    why = page.inner_text("#no-open-pledge")
    assert f"No pledge is open today ({today})" in why and "ended on 2013-12-31" in why
    assert page.locator("button >> text=Submit selected cases").count() == 0
    shot(page, "pledge-ended-01-submit-says-why")

    page.click("#no-open-pledge a")
    row = page.locator("tr", has=page.locator("a:text-is('Germany 2013')"))
    assert "Closed: ended 2013-12-31" in row.inner_text()
    shot(page, "pledge-ended-02-pledge-list-closed")
    row.locator("a").click()
    assert f"closed on {today}: its validity ended on 2013-12-31" in page.inner_text(
        "#pledge-standing"
    )
    shot(page, "pledge-ended-03-pledge-says-closed")
    page.click("text=Edit pledge")
    page.fill("#id_valid_to", str(today + dt.timedelta(days=90)))
    page.click("main button[type=submit]")
    page.wait_for_selector(".messages .success")
    assert page.locator("#pledge-standing").count() == 0
    shot(page, "pledge-ended-04-extended")

    page.click("nav >> text=Pledges")
    page.click("text=Submit cases to a pledge")
    page.check(f"#pick-{case.case_id}")
    page.select_option("#id_pledge", str(germany.pk))
    shot(page, "pledge-ended-05-submit-now-possible")
    page.click("button[type=submit] >> text=Submit selected cases")
    page.wait_for_selector(".messages .success")
    assert Submission.objects.filter(case=case, pledge=germany, decision="").exists()
    shot(page, "pledge-ended-06-submitted")
