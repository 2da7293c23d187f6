"""In a real headless Chromium: a transfer planned for next week cannot be confirmed yet
and says so; the flight is brought forward to today, with the reason; then it is
confirmed, the date change stays on the page, and the population falls by its three
travellers on every page that shows it (the overview and the Population page)."""

import datetime as dt

import pytest
from django.utils import timezone

from onward.accounts import roles
from onward.movements import services
from onward.movements.tests.factories import ready_case
from onward.relocation.tests.factories import pledge
from onward.web.tests.browser import login, logout, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_transfer_moves_to_today_then_departs(browser_page, live_server, users):
    page, base = browser_page, live_server.url
    today = timezone.localdate()
    next_week = today + dt.timedelta(days=7)
    albania = pledge(users)
    transfer = services.transfer_plan(
        actor=users[roles.RESETTLEMENT], pledge=albania, date=next_week, seats=9
    )
    services.transfer_case_add(
        actor=users[roles.RESETTLEMENT], transfer=transfer, case=ready_case(users, albania, size=3)
    )

    before = _population_shown(page, base)
    login(page, base, "t_resettlement")
    page.click("nav >> text=Transfers")
    page.click(f"text=#{transfer.pk}")
    assert f"Planned for {next_week}" in page.inner_text("#confirm-later")
    assert page.locator("#confirm-transfer").count() == 0
    shot(page, "transfer-date-01-planned-next-week")

    page.fill("#transfer-date-form input[name=date]", str(today))
    page.fill("#transfer-date-form input[name=reason]", "flight brought forward by the airline")
    page.click("#change-date")
    page.wait_for_selector(".messages .success")
    assert f"moved from {next_week} to {today}" in page.inner_text(".messages")
    changes = page.inner_text("#date-changes")
    assert str(next_week) in changes and "flight brought forward by the airline" in changes
    shot(page, "transfer-date-02-moved-to-today")

    page.click("#confirm-transfer")
    page.wait_for_selector(".messages .success")
    assert "Departed" in page.inner_text("#transfer-status")
    assert page.locator("#transfer-date-form").count() == 0  # a departed date is history
    shot(page, "transfer-date-03-departed")
    logout(page)
    assert _population_shown(page, base) == {where: n - 3 for where, n in before.items()}


def _population_shown(page, base) -> dict[str, int]:
    """The population of today as the data manager reads it on each page that shows it."""
    login(page, base, "t_datamanager")
    page.goto(f"{base}/")
    shown = {"overview": int(page.inner_text("#overview-population").replace(",", ""))}
    page.goto(f"{base}/population/")
    shown["population"] = int(page.inner_text("#population-total").replace(",", ""))
    logout(page)
    return shown
