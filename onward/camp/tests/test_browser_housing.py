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
