"""In headless Chromium at 390 px: a block's "seen" figure on the dashboard opens the
residents behind it, as of the same date."""

import datetime as dt

import pytest
from django.utils import timezone

from onward.accounts import roles
from onward.presence import services
from onward.presence.tests.factories import camp_with
from onward.web.tests.browser import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_blocks_figure_opens_the_residents_behind_it(browser_page, live_server, users):
    page, base = browser_page, live_server.url
    blocks, housed = camp_with(users, blocks=("A", "B"), per_block=3)
    day = dt.date(2013, 12, 20)
    seen_at = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))
    for person in housed["A"][:2]:
        services.presence_record(
            actor=users[roles.CLERK],
            checkpoint="Gate 1",
            person=person,
            method="manual",
            at=seen_at,
        )
    login(page, base, users[roles.DATA_MANAGER].username)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/reports/?as_of={day}")
    row = page.locator("#figure-camp_blocks tbody tr").nth(0)
    row.locator("a[href*='figure=camp_seen']").click()
    main = page.inner_text("main")
    assert "camp_seen" in main and "2013-12-20" in main
    listed = page.locator("tbody tr").all_inner_texts()
    assert sorted(t.split()[0] for t in listed) == sorted(p.person_id for p in housed["A"][:2])
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "camp-numbers-04-seen-residents-390")
    page.go_back()
    page.locator("#figure-camp_blocks tbody tr").nth(0).locator(
        "a[href*='figure=camp_absent']"
    ).click()
    listed = page.locator("tbody tr").all_inner_texts()
    assert [t.split()[0] for t in listed] == [housed["A"][2].person_id]
