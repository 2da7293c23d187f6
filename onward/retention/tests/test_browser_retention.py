"""In a real headless Chromium: a data manager opens the retention policy from the menu,
sees how many persons each rule names today; after `onward retention` the page shows the
run and nothing due, and the departed person's page shows the marker, not the name."""

import io

import pytest
from django.core.management import call_command

from onward.web.tests.browser import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _due(page, rule: str) -> str:
    return page.inner_text(f"#retention-rules tr[data-rule={rule}] td.due")


def test_a_data_manager_sees_the_policy_what_is_due_and_the_run(
    browser_page, live_server, operation
):
    page, base = browser_page, live_server.url
    login(page, base, "t_datamanager")
    page.goto(f"{base}/")
    page.click("nav >> text=Retention")
    page.wait_for_selector("#retention-rules")
    assert (_due(page, "departed"), _due(page, "deceased"), _due(page, "merged")) == (
        "1",
        "1",
        "1",
    )
    assert "No run yet." in page.inner_text("#retention-runs")
    shot(page, "retention-01-policy-before-the-run")

    call_command("retention", stdout=io.StringIO())
    page.reload()
    assert _due(page, "departed") == "0"
    assert "3 person(s) anonymised" in page.inner_text("#retention-runs")
    shot(page, "retention-02-policy-after-the-run")

    departed = operation["departed"]
    page.goto(f"{base}/persons/{departed.person_id}/")
    body = page.inner_text("main")
    assert "[anonymised]" in body and "Zza_dep" not in body
    assert "by the retention rule departed" in page.inner_text("#anonymised")
    shot(page, "retention-03-anonymised-person")
