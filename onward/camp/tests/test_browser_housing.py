"""In headless Chromium: the housing table, a block's residents, the allocate form."""

import datetime as dt

import pytest

from onward.accounts import roles
from onward.camp import services
from onward.camp.models import Block, Site, Unit
from onward.conftest import principal_data
from onward.registry import services as registry
from onward.web.tests.browser import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_housing_pages(browser_page, live_server, users):
    page, base = browser_page, live_server.url
    block = Block.objects.create(site=Site.objects.create(name="Camp Liberty"), code="B1")
    unit = Unit.objects.create(block=block, code="U1", capacity=2)
    Unit.objects.create(block=block, code="U2", capacity=4, blocked_capacity=1)
    person = registry.case_create(
        actor=users[roles.CLERK], principal=principal_data(), arrival_date=dt.date(2013, 6, 1)
    ).members.get()
    services.allocate(
        actor=users[roles.CLERK], person=person, unit=unit, on=dt.date(2013, 6, 1), reason="x"
    )
    login(page, base, users[roles.CLERK].username)
    page.goto(f"{base}/camp/?on=2013-06-02")
    assert page.locator("tbody tr").count() == 1
    shot(page, "camp-01-occupancy")
    page.click("tbody a")
    assert person.person_id in page.inner_text("tbody")
    assert "B1" in page.inner_text("h1") and "Camp Liberty" in page.inner_text("h1")
    shot(page, "camp-02-block")
    page.goto(f"{base}/camp/allocate/")
    assert page.locator("#id_override_reason").is_visible()
    shot(page, "camp-03-allocate")


def test_shaping_the_housing_on_a_phone(browser_page, live_server, users):
    """At 390 px a data manager creates a site, a block and a unit, is refused a capacity
    below the unit's residents (the unit named), and sees the block's places."""
    page, base = browser_page, live_server.url
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, base, users[roles.DATA_MANAGER].username)
    page.goto(f"{base}/camp/")
    page.click("text=Sites, blocks and units")
    page.click("text=New site")
    page.fill("#id_name", "Camp Liberty")
    page.click("form.card button[type=submit]")
    page.click("text=New block")
    page.fill("#id_code", "B7")
    page.click("form.card button[type=submit]")
    assert "B7" in page.inner_text("h1")
    page.click("text=New unit")
    page.fill("#id_code", "T1")
    page.fill("#id_capacity", "2")
    page.fill("#id_blocked_capacity", "3")
    page.click("form.card button[type=submit]")
    assert "3 blocked places are more than its capacity (2)" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "camp-04-unit-refused-390")
    page.fill("#id_blocked_capacity", "0")
    page.click("form.card button[type=submit]")
    unit = Unit.objects.get(code="T1", block__code="B7")
    person = registry.case_create(
        actor=users[roles.CLERK], principal=principal_data(), arrival_date=dt.date(2013, 6, 1)
    ).members.get()
    for p in (person, *_more(users, 1)):
        services.allocate(
            actor=users[roles.CLERK], person=p, unit=unit, on=dt.date(2013, 6, 1), reason="x"
        )
    page.goto(f"{base}/camp/units/{unit.pk}/edit/")
    page.fill("#id_capacity", "1")
    page.click("form.card button[type=submit]")
    assert "Unit B7/T1 has 2 persons allocated" in page.inner_text("main")
    unit.refresh_from_db()
    assert unit.capacity == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "camp-05-capacity-refused-390")
    page.fill("#id_capacity", "4")
    page.select_option("#id_status", "not_allocable")
    page.click("form.card button[type=submit]")
    assert "Not allocable" in page.inner_text("tbody")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "camp-06-block-390")
    page.goto(f"{base}/camp/sites/")
    assert "Camp Liberty" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "camp-07-sites-390")


def _more(users, n):
    return [
        registry.case_create(
            actor=users[roles.CLERK],
            principal=principal_data(given_name=f"Extra{i}"),
            arrival_date=dt.date(2013, 6, 1),
        ).members.get()
        for i in range(n)
    ]
