"""In headless Chromium: the dashboard's camp section as of a past date (occupancy,
vacancies, presence rate, not seen, open tasks by age), and the incident's page with the
roll call's figure beside Reuters' claim."""

import datetime as dt

import pytest
from django.utils import timezone

from onward.accounts import roles
from onward.incidents import services as incidents
from onward.presence import services
from onward.presence.tests.factories import DAY_AFTER, camp_with, incident
from onward.web.tests.browser import OUTPUT, login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dashboard_shows_the_camp_and_the_incident_its_own_figure(
    browser_page, live_server, users
):
    page, base = browser_page, live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})
    officer = users[roles.PROTECTION]
    blocks, housed = camp_with(users, blocks=("A", "B"), per_block=3)
    day = dt.date(2013, 12, 20)
    seen_at = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))
    for person in housed["A"][:2] + housed["B"][:1]:
        services.presence_record(
            actor=users[roles.CLERK],
            checkpoint="Gate 1",
            person=person,
            method="manual",
            at=seen_at,
        )
    attack = incident(users)
    incidents.claim_add(
        actor=officer,
        incident=attack,
        data={"source": "Reuters", "stated_on": "2013-12-26", "killed": 3, "injured": 5},
    )
    roll = services.rollcall_open(
        actor=officer, blocks=[blocks["A"]], reason="incident", on=DAY_AFTER, incident=attack
    )
    services.rollcall_mark(actor=officer, roll_call=roll, person=housed["A"][0], status="injured")

    login(page, base, users[roles.DATA_MANAGER].username)
    page.goto(f"{base}/reports/?as_of={day}")
    section = page.locator("#figure-camp_blocks")
    text = section.inner_text()
    assert "Occupancy and presence by block" in text and "All blocks" in text
    # block A: 3 housed, 2 seen that day (67 %); block B: 1 of 3
    assert "67" in section.locator("tbody tr").nth(0).inner_text()
    page.locator("#section-camp").scroll_into_view_if_needed()
    section.screenshot(path=str(OUTPUT / "camp-numbers-01-dashboard.png"))
    page.locator("#figure-camp_tasks").screenshot(path=str(OUTPUT / "camp-numbers-02-tasks.png"))

    page.goto(f"{base}/incidents/{attack.pk}/")
    main = page.inner_text("main")
    assert "confirmed by the registry" in main and "Reuters" in main
    page.set_viewport_size({"width": 1280, "height": 900})
    shot(page, "camp-numbers-03-incident")
