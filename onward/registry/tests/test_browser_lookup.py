"""In headless Chromium: a clerk finds a person by a phone typed another way, from the
persons list; the number is in no URL the browser requested."""

import pytest

from onward.web.tests.browser import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_find_by_phone_from_the_persons_list(browser_page, live_server, users):
    from onward.accounts import roles
    from onward.conftest import principal_data
    from onward.registry import services

    person = services.case_create(
        actor=users[roles.CLERK],
        principal=principal_data(phone="+964 770 123 4567", needs_detail="Walks with crutches"),
    ).members.get()
    page, base = browser_page, live_server.url
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    login(page, base, "t_clerk")
    page.goto(f"{base}/persons/")
    page.fill("input[name=identifier]", "0770 123 4567")
    page.click("button >> text=Find")
    page.wait_for_selector(f"text={person.person_id}")
    assert page.url == f"{base}/persons/lookup/"
    assert "phone" in page.inner_text("main table")
    shot(page, "registry-lookup-by-phone")
    page.click(f"main table >> text={person.person_id}")
    page.wait_for_selector("text=Walks with crutches")
    assert not [url for url in requested if "770" in url or "4567" in url]
